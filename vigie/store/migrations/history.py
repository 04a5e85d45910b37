"""The revisions shipped with this Vigie, and the version numbers people read.

Revision ids are four digits, 0001, 0002, ...: the version of a store is that
number, so "store is at version 3" is its alembic_version row, "0003". Each
revision's file is versions/v<id>_<what>.py, so the newest version is read from
the file names: opening a store never imports Alembic (a seventh of a second per
process); upgrading does, and tests/test_migrations.py checks both agree.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

HERE = Path(__file__).resolve().parent
VERSIONS = HERE / "versions"
_REVISION_FILE = re.compile(r"v(\d{4})_\w+\.py")


@functools.cache
def head_version() -> int:
    """The newest version this Vigie knows: the highest numbered revision file."""
    numbers = [
        int(match[1])
        for path in VERSIONS.iterdir()
        if (match := _REVISION_FILE.fullmatch(path.name)) is not None
    ]
    assert numbers, f"{VERSIONS} has no revision"
    return max(numbers)


def revision_id(version: int) -> str:
    return f"{version:04d}"


def version_number(revision: str) -> int:
    """raises ValueError for an id that is not one of Vigie's numbered revisions."""
    if not (revision.isascii() and revision.isdigit()):
        raise ValueError(f"{revision!r} is not a Vigie schema version")
    return int(revision)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built here rather than read from an ini file."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE))
    # New revision files are named like the shipped ones (v0006_what_it_does.py).
    config.set_main_option("file_template", "v%%(rev)s_%%(slug)s")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())
