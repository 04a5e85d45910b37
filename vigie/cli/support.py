"""What every command needs: the exit codes, the one way a command fails, the store.

A command that cannot do what it was asked calls `fail`: one message on stderr (or,
for an invalid plan, one line per error), the exit code below, and never a traceback.

Exit codes, the only place they are defined (`vigie --help` prints `EXIT_CODES`):
  0  done
  1  could not run: the store, a port, Prometheus or a live source is unavailable
  2  bad input: a plan, option or argument refused, or something named that is not there
  3  `check --strict`: the plan is valid, but a limit cannot hold
  4  `check --live --strict`: a limit the platform's software reports is not the plan's
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn

import click

from vigie.store import Store, StoreUnavailable, sqlite_url

EXIT_DONE = 0
EXIT_UNAVAILABLE = 1
EXIT_BAD_INPUT = 2  # click's own code for a usage error, so both read the same
EXIT_CANNOT_HOLD = 3
EXIT_LIMITS_DIFFER = 4
EXIT_CODES = (
    (EXIT_DONE, "done"),
    (EXIT_UNAVAILABLE, "could not run (the store, a port, Prometheus, a live source)"),
    (EXIT_BAD_INPUT, "bad input (a plan, option or argument; a name that is not there)"),
    (EXIT_CANNOT_HOLD, "check --strict: a limit cannot hold"),
    (EXIT_LIMITS_DIFFER, "check --live --strict: a live limit is not the plan's"),
)
DB_HELP = "Store URL (SQLAlchemy, e.g. postgresql+psycopg://...) or a SQLite file path."


def exit_codes_help() -> str:
    """The exit codes as `vigie --help` shows them, one per line (`\\b`: click keeps the lines)."""
    return "\b\nExit codes:\n" + "\n".join(f"  {code}  {meaning}" for code, meaning in EXIT_CODES)


def fail(message: str | Sequence[str], code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print the error on stderr and exit with `code` (raises SystemExit, so `with`
    blocks still close what they opened).

    A string is one message, printed as `vigie: <message>`. A sequence is printed one
    line each as it is, for errors that already say what they are about: an invalid
    plan's `<file>: <field>: <problem>` lines, as a compiler prints them.
    """
    lines = [f"vigie: {message}"] if isinstance(message, str) else list(message)
    for line in lines:
        click.echo(line, err=True)
    sys.exit(code)


def store_url(db: str) -> str:
    """A SQLAlchemy URL as given, or a file path for the embedded SQLite store."""
    return db if "://" in db else sqlite_url(db)


@contextmanager
def opened_store(db: str) -> Iterator[Store]:
    """The store at `db` (a URL or a SQLite file path), closed when the block ends,
    however it ends; a store that cannot be opened fails with EXIT_UNAVAILABLE."""
    try:
        store = Store.open(store_url(db))
    except StoreUnavailable as exc:
        fail(str(exc), EXIT_UNAVAILABLE)
    try:
        yield store
    finally:
        store.close()
