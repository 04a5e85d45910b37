"""What every command needs: exit codes, and opening the store with a one-line failure."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from vigie.store import Store, StoreUnavailable, sqlite_url

EXIT_UNAVAILABLE = 1
EXIT_BAD_INPUT = 2
EXIT_CANNOT_HOLD = 3  # `vigie check --strict`: the plan is valid, but a limit cannot hold
EXIT_LIMITS_DIFFER = 4  # `vigie check --live --strict`: the platform's software says another limit
DB_HELP = "Store URL (SQLAlchemy, e.g. postgresql+psycopg://...) or a SQLite file path."


def _store_url(db: str) -> str:
    """A SQLAlchemy URL as given, or a file path for the embedded SQLite store."""
    return db if "://" in db else sqlite_url(db)


def _open_store(url: str) -> Store:
    try:
        return Store.open(_store_url(url))
    except StoreUnavailable as exc:
        click.echo(f"vigie: {exc}", err=True)
        sys.exit(EXIT_UNAVAILABLE)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    click.echo(f"vigie: {message}", err=True)
    sys.exit(code)
