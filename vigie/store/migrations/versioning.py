"""The store's schema version: read it, check it when a store opens, upgrade it.

A store records its version in Alembic's alembic_version table. Opening checks
it: an empty store is created at the newest version (create_all and a stamp, as
fast as create_all alone); an older one is refused with the command that upgrades
it; a newer one is refused too. Creating, stamping and upgrading run in one
transaction under a lock (SQLite's write lock, a PostgreSQL advisory lock), so two
processes opening one fresh store never both create it, and a failed upgrade
leaves the store as it was.

raises StoreOutdated, StoreTooNew or StoreUnrecognised (all StoreUnavailable).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Column, Connection, Engine, MetaData, String, Table, inspect, text
from sqlalchemy.schema import PrimaryKeyConstraint

from vigie.store.errors import StoreOutdated, StoreTooNew, StoreUnavailable, StoreUnrecognised
from vigie.store.migrations.history import (
    alembic_config,
    head_version,
    revision_id,
    version_number,
)
from vigie.store.migrations.recognise import KNOWN_TABLES, recognise
from vigie.store.schema import metadata

# Alembic's own version table, as its stamp makes it: written here so that opening
# a store never imports Alembic; `vigie db upgrade` then reads it as its own.
version_table = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)
VERSION_TABLE = version_table.name
# pg_advisory_xact_lock's key for schema changes: a constant no other lock uses.
_SCHEMA_LOCK = int.from_bytes(b"vigie_db", "big")


@dataclass(frozen=True)
class StoreVersion:
    """version None: the store is empty. recorded False: recognised from its tables."""

    version: int | None
    recorded: bool


def read_version(connection: Connection, shown: str) -> StoreVersion:
    """raises StoreTooNew for a version id this Vigie cannot read, StoreUnrecognised."""
    tables = set(inspect(connection).get_table_names())
    if VERSION_TABLE in tables:
        rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
        recorded = list(rows)
        if recorded:
            return StoreVersion(_single_version(recorded, shown), recorded=True)
    if not tables & KNOWN_TABLES:
        return StoreVersion(None, recorded=False)
    return StoreVersion(recognise(connection, tables, shown), recorded=False)


def ensure_current(engine: Engine, shown: str) -> None:
    """Check the store at open: create an empty one, refuse any other version than head."""
    head = head_version()
    with engine.connect() as connection:
        found = read_version(connection, shown)
    if found == StoreVersion(head, recorded=True):
        return
    if found.version is None or found.version == head:
        with exclusive(engine) as connection:
            found = read_version(connection, shown)  # another process may have won the lock
            if found.version is None:
                _create_at_head(connection)
            elif found.version == head and not found.recorded:
                _stamp(connection, head)  # today's shape, from before versions: just record it
        if found.version in (None, head):
            return
    raise refusal(found.version, head, shown)


def upgrade(engine: Engine, shown: str) -> tuple[StoreVersion, int]:
    """Bring the store to head in one transaction; returns (what it was, head)."""
    head = head_version()
    with exclusive(engine) as connection:
        found = read_version(connection, shown)
        if found.version is None:
            _create_at_head(connection)
        elif found.version > head:
            raise refusal(found.version, head, shown)
        else:
            if not found.recorded:
                _stamp(connection, found.version)
            if found.version < head:
                from alembic import command

                command.upgrade(alembic_config(connection), "head")
                _check_foreign_keys(connection)
    return found, head


def refusal(version: int | None, head: int, shown: str) -> StoreOutdated | StoreTooNew:
    if version is not None and version > head:
        return StoreTooNew(
            f"store {shown} is at version {version}, this Vigie knows only up to {head}:"
            " upgrade Vigie"
        )
    return StoreOutdated(
        f"store is at version {version}, this Vigie needs {head}:"
        f" run `vigie db upgrade --db {shown}`"
    )


@contextmanager
def exclusive(engine: Engine) -> Iterator[Connection]:
    """One transaction that no other process changes the schema beside."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection, _sqlite_exclusive(connection):
            yield connection
        return
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
        yield connection


@contextmanager
def _sqlite_exclusive(connection: Connection) -> Iterator[None]:
    """SQLite's write lock, with foreign keys not enforced until COMMIT.

    Batch mode alters a table by copying it, dropping it and renaming the copy:
    with foreign keys enforced, the drop would cascade and delete every row that
    refers to it (an upgrade emptied notifications before this). SQLite ignores
    the pragma inside a transaction, so it is set before BEGIN, and the connection
    goes back to the pool as it came; an upgrade checks the keys before COMMIT.
    """
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        # pysqlite begins a transaction only before DML: without this BEGIN each
        # CREATE TABLE would commit alone, and a crash would leave half a store.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def _check_foreign_keys(connection: Connection) -> None:
    """SQLite, after revisions ran with its foreign keys off: every reference still holds.

    A scan of the whole store (a fraction of a second per million samples), so only
    after an upgrade, never at open.
    """
    if connection.dialect.name != "sqlite":
        return  # PostgreSQL enforced its keys all along
    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if dangling:
        raise StoreUnavailable(
            "the upgrade would leave rows that refer to rows that do not exist"
            f" (table, row, parent): {dangling[:3]}; nothing was changed"
        )


def _single_version(recorded: list[str], shown: str) -> int:
    if len(recorded) != 1:
        raise StoreUnrecognised(f"store {shown} records several versions: {sorted(recorded)}")
    try:
        return version_number(recorded[0])
    except ValueError:
        raise StoreTooNew(
            f"store {shown} is at version {recorded[0]!r}, which this Vigie does not know:"
            " upgrade Vigie"
        ) from None


def _create_at_head(connection: Connection) -> None:
    metadata.create_all(connection, checkfirst=False)
    _stamp(connection, head_version())


def _stamp(connection: Connection, version: int) -> None:
    """Record the version of a store that has none (its table may not exist yet)."""
    version_table.create(connection, checkfirst=True)
    connection.execute(version_table.delete())
    connection.execute(version_table.insert().values(version_num=revision_id(version)))
