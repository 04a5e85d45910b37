"""`vigie db`: the store's schema version, and upgrading an older store to this Vigie's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from vigie.cli.support import DB_HELP, EXIT_UNAVAILABLE, fail, store_url
from vigie.store.database import connect_engine, shown_url, translated_errors
from vigie.store.errors import StoreUnavailable
from vigie.store.migrations.history import head_version
from vigie.store.migrations.versioning import StoreVersion, read_version, upgrade

T = TypeVar("T")


@click.group("db")
def db_group() -> None:
    """The store's schema version: see it, and upgrade a store an older Vigie made."""


@db_group.command("upgrade")
@click.option("--db", "url", required=True, help=DB_HELP)
def db_upgrade(url: str) -> None:
    """Bring the store to this Vigie's version, in one transaction (back it up first)."""
    before, head = _on_store(url, "upgrade", upgrade)
    click.echo(_upgraded(before, head))


@db_group.command("version")
@click.option("--db", "url", required=True, help=DB_HELP)
def db_version(url: str) -> None:
    """The store's schema version, and the one this Vigie needs."""
    found = _on_store(url, "read", _read_version)
    click.echo(_described(found, head_version(), shown_url(store_url(url))))


def _on_store(db: str, doing: str, act: Callable[[Engine, str], T]) -> T:
    """act(engine, shown URL) on an existing store; any failure is one line and exit 1."""
    url = _existing_store(db)
    try:
        engine = connect_engine(url)
        try:
            with translated_errors(url, doing):
                return act(engine, shown_url(url))
        finally:
            engine.dispose()
    except StoreUnavailable as exc:
        fail(str(exc), EXIT_UNAVAILABLE)


def _read_version(engine: Engine, shown: str) -> StoreVersion:
    with engine.connect() as connection:
        return read_version(connection, shown)


def _existing_store(db: str) -> str:
    """The store's URL; a SQLite file must exist (connecting would make an empty one)."""
    url = store_url(db)
    try:
        parsed = make_url(url)
    except ArgumentError:  # connect_engine names a bad URL in its own words
        return url
    database = parsed.database or ""
    is_file = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if is_file and not Path(database).exists():
        fail(f"no store at {database}: the file does not exist", EXIT_UNAVAILABLE)
    return url


def _upgraded(before: StoreVersion, head: int) -> str:
    if before.version is None:
        return f"created the store at version {head}"
    if before.version == head:
        recorded = "" if before.recorded else " (recognised by its tables; now recorded)"
        return f"the store is at version {head} already{recorded}: nothing to upgrade"
    return f"upgraded the store from version {before.version}{_how(before)} to {head}"


def _described(found: StoreVersion, head: int, shown: str) -> str:
    if found.version is None:
        return f"the store is empty: this Vigie creates it at version {head}"
    needs = f"this Vigie needs {head}"
    if found.version < head:
        needs += f": run `vigie db upgrade --db {shown}`"
    elif found.version > head:
        needs += ": upgrade Vigie"
    return f"the store is at version {found.version}{_how(found)}, {needs}"


def _how(found: StoreVersion) -> str:
    return "" if found.recorded else " (recognised by its tables, made before versions)"
