"""The small drill run once into a SQLite store, for modules whose tests only read it."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SMALL_PLAN, Drilled
from vigie.accounts.passwords import hash_password
from vigie.drill import run_drill
from vigie.plan import Plan
from vigie.store import Store, sqlite_url

PASSWORD = "correct horse battery"


def drill_small(folder: Path, plan: Plan) -> Drilled:
    """The small drill in a store under `folder`, with `olga`, an operator (PASSWORD)."""
    store = Store.open(sqlite_url(folder / "vigie.db"))
    run = run_drill(plan, SMALL_PLAN.read_text(encoding="utf-8"), store)
    record = store.exercise(run.exercise_id)
    assert record is not None
    store.accounts.add_user("olga", "operator", None, hash_password(PASSWORD), 0.0)
    return store, run.exercise_id, record.t0
