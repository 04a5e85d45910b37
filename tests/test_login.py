"""Logging in and out, wall-screen links, brute force and bad input: over HTTP, through
the real app; accounts and links made with the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support.accounts import PASSWORD
from tests.support.cli import run_vigie, run_vigie_with_input
from tests.support.dash_client import wall_request
from tests.test_access import app_and_store as app_and_store  # the fixture, shared
from tests.test_access import logged_in
from vigie.dashboard.auth import login_language
from vigie.store import Store, sqlite_url

AppAndStore = tuple[Any, Store, float]


def login(client: FlaskClient, name: str, password: str, address: str = "10.0.0.1") -> int:
    response = client.post(
        "/login",
        data={"name": name, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code


def test_a_good_login_opens_the_screens_and_logout_closes_them(app_and_store: AppAndStore) -> None:
    app, _, _ = app_and_store
    client = logged_in(app, "olga")
    assert client.post("/_dash-update-component", json=wall_request()).status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.post("/_dash-update-component", json=wall_request()).status_code == 401


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    app_and_store: AppAndStore,
) -> None:
    app, _, _ = app_and_store
    client: FlaskClient = app.server.test_client()
    wrong_password = client.post("/login", data={"name": "olga", "password": "nope nope nope"})
    no_such_user = client.post("/login", data={"name": "nobody", "password": PASSWORD})
    assert wrong_password.status_code == no_such_user.status_code == 401
    assert b"Wrong name or password." in wrong_password.data
    assert wrong_password.data == no_such_user.data


def test_failed_logins_elsewhere_do_not_keep_the_right_password_out(
    app_and_store: AppAndStore,
) -> None:
    """The limits themselves are tested in test_login_limits.py."""
    app, _, _ = app_and_store
    client: FlaskClient = app.server.test_client()
    for attempt in range(5):
        assert login(client, "olga", f"guess number {attempt}", address=f"10.0.1.{attempt}") == 401
    assert login(client, "olga", PASSWORD, address="10.9.9.9") == 302


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"name": "olga"},
        {"name": "x" * 100_000, "password": "y"},
        {"name": "olga", "password": "p" * 100_000},
        {"name": "\x00\u202e", "password": "\x00"},
    ],
)
def test_malformed_or_oversized_logins_get_a_4xx(app_and_store: AppAndStore, form: Any) -> None:
    app, _, _ = app_and_store
    response = app.server.test_client().post("/login", data=form)
    assert 400 <= response.status_code < 500


def test_a_disabled_account_is_refused_at_its_next_request(app_and_store: AppAndStore) -> None:
    app, store, _ = app_and_store
    client = logged_in(app, "olga")
    store.accounts.disable_user("olga", 1.0)
    assert client.post("/_dash-update-component", json=wall_request()).status_code == 401


def test_a_kiosk_link_shows_the_wall_without_login_until_it_is_revoked(
    app_and_store: AppAndStore, tmp_path: Path
) -> None:
    app, store, _ = app_and_store
    db = str(store.engine.url.database)
    made = run_vigie("kiosk", "create", "--scope", "national", "--label", "hall A", "--db", db)
    assert made.returncode == 0, made.stderr
    path = made.stdout.strip().splitlines()[-1]
    client: FlaskClient = app.server.test_client()
    opened = client.get(path)
    assert opened.status_code == 302 and opened.headers["Location"] == "/wall"
    assert client.post("/_dash-update-component", json=wall_request()).status_code == 200
    assert "\tnational\tlive\thall A" in run_vigie("kiosk", "list", "--db", db).stdout
    assert run_vigie("kiosk", "revoke", "1", "--db", db).returncode == 0
    assert client.post("/_dash-update-component", json=wall_request()).status_code == 401
    assert client.get(path).status_code == 403


def add_user(db: str, *args: str, password: str = "a long enough secret\n") -> Any:
    return run_vigie_with_input(password, "user", "add", *args, "--db", db, "--password-stdin")


def test_accounts_are_made_on_the_command_line_and_stored_hashed(tmp_path: Path) -> None:
    db = str(tmp_path / "accounts.db")
    added = add_user(db, "lyon-it", "--role", "faculty", "--faculty", "lyon")
    assert added.returncode == 0, added.stderr
    store = Store.open(sqlite_url(tmp_path / "accounts.db"))
    account = store.accounts.user("lyon-it")
    assert account is not None and account.faculty == "lyon"
    assert account.password_hash.startswith("$argon2id$")
    assert "a long enough secret" not in account.password_hash
    store.close()
    short = add_user(db, "x", "--role", "operator", password="short\n")
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    no_faculty = add_user(db, "y", "--role", "faculty")
    assert no_faculty.returncode == 2 and "--faculty is required" in no_faculty.stderr
    again = add_user(db, "lyon-it", "--role", "operator", password="another long one\n")
    assert again.returncode == 2 and "is taken" in again.stderr
    assert run_vigie("user", "disable", "lyon-it", "--db", db).returncode == 0
    assert "lyon-it\tfaculty\tlyon\tdisabled" in run_vigie("user", "list", "--db", db).stdout


def test_a_password_is_never_taken_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "accounts.db")
    in_argv = run_vigie(
        "user", "add", "x", "--role", "operator", "--password", "p" * 20, "--db", db
    )
    assert in_argv.returncode == 2 and "No such option '--password'" in in_argv.stderr
    no_terminal = run_vigie_with_input("", "user", "add", "x", "--role", "operator", "--db", db)
    assert no_terminal.returncode == 2 and "--password-stdin" in no_terminal.stderr


def test_the_login_page_speaks_the_language_asked_for_then_the_browser_s_then_the_plan_s(
    app_and_store: AppAndStore,
) -> None:
    app, _, _ = app_and_store
    client: FlaskClient = app.server.test_client()
    french = client.get("/login?lang=fr").get_data(as_text=True)
    for words in ("<title>Vigie · connexion</title>", "Connectez-vous à la salle de contrôle"):
        assert words in french
    assert ">Nom<" in french and ">Mot de passe<" in french and ">Se connecter<" in french
    assert '<html lang="fr">' in french
    browser = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert "Se connecter" in browser.get_data(as_text=True)
    plan = client.get("/login", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert "Log in to the control room" in plan and '<html lang="en">' in plan  # the plan's
    unknown = client.get("/login?lang=<b>", headers={"Accept-Language": "fr"})
    assert "Se connecter" in unknown.get_data(as_text=True) and "<b>" not in unknown.get_data(
        as_text=True
    )


def test_a_refused_login_is_told_in_the_language_the_page_was_shown_in(
    app_and_store: AppAndStore,
) -> None:
    app, _, _ = app_and_store
    client: FlaskClient = app.server.test_client()
    page = client.get("/login?lang=fr").get_data(as_text=True)
    assert '<input type="hidden" name="lang" value="fr">' in page  # posted with the form
    refused = client.post("/login", data={"name": "olga", "password": "nope", "lang": "fr"})
    assert refused.status_code == 401
    assert "Nom ou mot de passe incorrect." in refused.get_data(as_text=True)
    good = client.post("/login", data={"name": "olga", "password": PASSWORD, "lang": "fr"})
    assert good.status_code == 302


def test_with_no_language_asked_for_nor_known_to_the_browser_the_plan_s_is_used() -> None:
    assert login_language(None, None, "fr").language == "fr"
    assert login_language("en", "fr", "fr").language == "en"
    assert login_language("xx", None, None).language == "en"
