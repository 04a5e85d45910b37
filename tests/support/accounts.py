"""An accounts-mode app over an empty store, with accounts whose hashes are cheap to
verify (argon2 reads its cost from the hash), so tests can fail logins by the dozen."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from vigie.clock import Clock
from vigie.dashboard.app import create_app
from vigie.dashboard.auth import AuthSettings
from vigie.store import Store

PASSWORD = "correct horse battery"
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
CHEAP_HASH = CHEAP.hash(PASSWORD)


def accounts_app(store: Store, clock: Clock, *names: str, **settings: Any) -> Any:
    """The dashboard with operator accounts `names` (all with PASSWORD)."""
    for name in names:
        store.accounts.add_user(name, "operator", None, CHEAP_HASH, 0.0)
    auth = AuthSettings(open_demo=False, secret_key="test secret", **settings)
    return create_app(store, clock, None, auth=auth)


def login(
    client: FlaskClient,
    name: str,
    password: str = PASSWORD,
    address: str = "10.0.0.1",
    headers: dict[str, str] | None = None,
) -> TestResponse:
    return client.post(
        "/login",
        data={"name": name, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers or {},
    )
