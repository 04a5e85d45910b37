"""`vigie user` and `vigie kiosk`: accounts and wall-screen links, kept in the store."""

from __future__ import annotations

import re
import sys
import time

import click

from vigie.accounts.passwords import WeakPassword, hash_password
from vigie.accounts.principal import HUMAN_ROLES, NATIONAL, Role
from vigie.accounts.tokens import new_token, token_hash
from vigie.cli.support import DB_HELP, fail, opened_store
from vigie.store.accounts_store import DuplicateName

NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")
FACULTY_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


@click.group()
def user() -> None:
    """People who log in: operators, faculty IT teams, reviewers."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in HUMAN_ROLES]), required=True)
@click.option("--faculty", default=None, help="The faculty id a faculty account sees.")
@click.option("--db", required=True, help=DB_HELP)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from one line of standard input (for scripts), "
    "instead of asking twice on the terminal.",
)
def user_add(name: str, role: str, faculty: str | None, db: str, password_stdin: bool) -> None:
    """Add the account NAME; its password is stored only as an argon2 hash.

    The password is never an argument: a command line is visible to every user of
    the machine (ps, /proc) and kept in shell histories."""
    password = _read_password(password_stdin)
    if not NAME.fullmatch(name):
        fail(f"{name!r} is not a name (letters, digits, . _ @ -; at most 64)")
    if (role == Role.FACULTY) != (faculty is not None):
        fail("--faculty is required for a faculty account, and only for one")
    if faculty is not None and not FACULTY_ID.fullmatch(faculty):
        fail(f"{faculty!r} is not a faculty id")
    try:
        hashed = hash_password(password)
    except WeakPassword as weak:
        fail(str(weak))
    with opened_store(db) as store:
        try:
            store.accounts.add_user(
                name, role=role, faculty=faculty, password_hash=hashed, at=time.time()
            )
        except DuplicateName:
            fail(f"the name {name!r} is taken")
    click.echo(f"Added {role} {name}" + (f" of {faculty}" if faculty else ""))


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            fail("--password-stdin: standard input is empty")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        fail("no terminal to ask the password on: give it on one line with --password-stdin")
    asked: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return asked


@user.command("list")
@click.option("--db", required=True, help=DB_HELP)
def user_list(db: str) -> None:
    """Name, role, faculty, and whether the account is disabled."""
    with opened_store(db) as store:
        accounts = store.accounts.users()
    for account in accounts:
        state = "disabled" if account.disabled is not None else "active"
        click.echo(f"{account.name}\t{account.role}\t{account.faculty or '-'}\t{state}")


@user.command("disable")
@click.argument("name")
@click.option("--db", required=True, help=DB_HELP)
def user_disable(name: str, db: str) -> None:
    """Disable NAME: its open sessions stop at their next request."""
    with opened_store(db) as store:
        disabled = store.accounts.disable_user(name, time.time())
    if not disabled:
        fail(f"no active account {name!r}")
    click.echo(f"Disabled {name}")


@user.command("unlock")
@click.argument("name")
@click.option("--db", required=True, help=DB_HELP)
def user_unlock(name: str, db: str) -> None:
    """Clear NAME's failed logins, from every address: its lock and back-offs end now."""
    with opened_store(db) as store:
        if store.accounts.user(name) is None:
            fail(f"no account {name!r}")
        cleared = store.accounts.forget_failures(name)
    click.echo(f"Unlocked {name} ({cleared} failed logins cleared)")


@click.group()
def kiosk() -> None:
    """Read-only links for wall screens: no typing on the wall machine."""


@kiosk.command("create")
@click.option("--scope", required=True, help=f"{NATIONAL!r} for the national wall, or a faculty id")
@click.option("--label", default="", help="Where the screen is, for the list.")
@click.option("--db", required=True, help=DB_HELP)
def kiosk_create(scope: str, label: str, db: str) -> None:
    """Create a link and print its path once (add it to the server's address)."""
    if scope != NATIONAL and not FACULTY_ID.fullmatch(scope):
        fail(f"{scope!r} is neither {NATIONAL!r} nor a faculty id")
    secret = new_token()
    with opened_store(db) as store:
        link_id = store.accounts.add_kiosk(token_hash(secret), scope, label[:200], time.time())
    click.echo(f"Kiosk link {link_id} for {scope}; open this path on the wall screen:")
    click.echo(f"/kiosk/{secret}")


@kiosk.command("list")
@click.option("--db", required=True, help=DB_HELP)
def kiosk_list(db: str) -> None:
    with opened_store(db) as store:
        links = store.accounts.kiosks()
    for link in links:
        state = "revoked" if link.revoked is not None else "live"
        click.echo(f"{link.id}\t{link.scope}\t{state}\t{link.label}")


@kiosk.command("revoke")
@click.argument("link_id", type=int)
@click.option("--db", required=True, help=DB_HELP)
def kiosk_revoke(link_id: int, db: str) -> None:
    """Revoke a link: its wall screen is refused at its next refresh."""
    with opened_store(db) as store:
        revoked = store.accounts.revoke_kiosk(link_id, time.time())
    if not revoked:
        fail(f"no live kiosk link {link_id}")
    click.echo(f"Revoked kiosk link {link_id}")
