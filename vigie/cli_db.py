"""`vigie db`: the store's schema version, and upgrading an older store to this Vigie's."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.engine import make_url

from vigie.cli_support import DB_HELP, EXIT_UNAVAILABLE, _store_url, fail
from vigie.store.engine import connect_engine, shown_url, translated_errors
from vigie.store.errors import StoreUnavailable
from vigie.store.migrations.history import head_version
from vigie.store.migrations.versioning import StoreVersion, read_version, upgrade


@click.group("db")
def db_group() -> None:
    """The store's schema version: see it, and upgrade a store an older Vigie made."""


@db_group.command("upgrade")
@click.option("--db", "url", required=True, help=DB_HELP)
def db_upgrade(url: str) -> None:
    """Bring the store to this Vigie's version, in one transaction (back it up first)."""
    url = _existing_store(url)
    shown = shown_url(url)
    try:
        engine = connect_engine(url)
        with translated_errors(url, doing="upgrade"):
            before, head = upgrade(engine, shown)
    except StoreUnavailable as exc:
        fail(str(exc), EXIT_UNAVAILABLE)
    click.echo(_upgraded(before, head))


@db_group.command("version")
@click.option("--db", "url", required=True, help=DB_HELP)
def db_version(url: str) -> None:
    """The store's schema version, and the one this Vigie needs."""
    url = _existing_store(url)
    shown = shown_url(url)
    try:
        engine = connect_engine(url)
        with translated_errors(url), engine.connect() as connection:
            found = read_version(connection, shown)
    except StoreUnavailable as exc:
        fail(str(exc), EXIT_UNAVAILABLE)
    click.echo(_described(found, head_version(), shown))


def _existing_store(db: str) -> str:
    """The store's URL; a SQLite file must exist (connecting would make an empty one)."""
    url = _store_url(db)
    try:
        parsed = make_url(url)
    except Exception:  # translated_errors names a bad URL where it is opened
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
