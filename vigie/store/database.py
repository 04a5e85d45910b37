"""Open a store URL: SQLite (WAL) by default, any SQLAlchemy URL (PostgreSQL) by --db.

open_engine checks the store's schema version (vigie.store.migrations): an empty
store is created at the newest version, any other version is refused.

raises StoreUnavailable with one line that names the store (password hidden)
and why it cannot be opened; StoreOutdated, StoreTooNew and StoreUnrecognised
(subclasses) when it is reachable but not at this Vigie's version.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from vigie.store.errors import StoreUnavailable
from vigie.store.migrations.versioning import ensure_current

__all__ = ["StoreUnavailable", "connect_engine", "open_engine", "shown_url", "sqlite_url"]


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def open_engine(url: str) -> Engine:
    """An engine on a store at this Vigie's schema version (an empty one is created)."""
    engine = connect_engine(url)
    try:
        with translated_errors(url):
            ensure_current(engine, shown_url(url))
    except StoreUnavailable:
        engine.dispose()
        raise
    return engine


def connect_engine(url: str) -> Engine:
    """An engine with Vigie's settings and no version check: for `vigie db`."""
    with translated_errors(url):
        return _create(url)


@contextmanager
def translated_errors(url: str, doing: str = "open") -> Iterator[None]:
    """SQLAlchemy's and the driver's failures as one StoreUnavailable line."""
    shown = shown_url(url)
    try:
        yield
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise StoreUnavailable(f"cannot {doing} store {shown}: not a usable URL ({exc})") from exc
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"cannot {doing} store {shown}: {_first_line(exc)}") from exc


def _create(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(url, connect_args=connect_args)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while the collector writes; NORMAL sync in WAL
    # still never corrupts, and loses at most the last transaction on power loss.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Each poll cycle touches one page per series; checkpointing (and syncing)
    # every 16 MB of WAL rather than every 4 MB saves a sync every few cycles.
    cursor.execute("PRAGMA wal_autocheckpoint=4000")
    # ...and the pages of every series' newest samples stay in memory between
    # cycles: SQLite's default 2 MB cache holds 500 of them, a 2,000-series exercise
    # then reads its leaves back from the OS at every cycle (3x slower writes).
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def shown_url(url: str) -> str:
    """The URL as it may be printed: its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url)


def _first_line(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__
