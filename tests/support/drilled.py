"""The small drill in a SQLite store of a module's own, for modules whose tests only read it."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Drilled, DrillFile, copy_of
from vigie.accounts.passwords import hash_password

PASSWORD = "correct horse battery"


def drill_small(folder: Path, small_drill_file: DrillFile) -> Drilled:
    """The session's small drill copied under `folder`, with `olga`, an operator (PASSWORD)."""
    store, exercise_id, t0 = copy_of(small_drill_file, folder / "vigie.db")
    store.accounts.add_user("olga", "operator", None, hash_password(PASSWORD), 0.0)
    return store, exercise_id, t0
