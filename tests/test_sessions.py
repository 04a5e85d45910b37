"""Server-side sessions: a cookie copied before logging out is refused after it;
sessions end when idle or too old, not while a screen refreshes; logging out is a
POST; the cookie is Secure behind TLS. Over HTTP through the real app, on a virtual
clock."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support.accounts import CHEAP_HASH, accounts_app, login
from tests.support.dash_client import wall_request
from vigie.accounts.sessions import IDLE_S, KIOSK_ABSOLUTE_S, SEEN_EVERY_S, USER_ABSOLUTE_S
from vigie.accounts.tokens import new_token, token_hash
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.dashboard.auth import AuthSettings
from vigie.store import Store

T0 = 1_800_000_000.0


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(T0)


@pytest.fixture
def app(sqlite_store: Store, clock: VirtualClock) -> Any:
    return accounts_app(sqlite_store, clock, "olga", trusted_proxies=1)


def refresh(client: FlaskClient) -> int:
    return client.post("/_dash-update-component", json=wall_request()).status_code


def logged_in(app: Any) -> FlaskClient:
    client: FlaskClient = app.server.test_client()
    assert login(client, "olga").status_code == 302
    return client


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def session_key(app: Any, client: FlaskClient) -> str:
    """The store's key of the client's session: the hash of the id its cookie holds."""
    serializer = app.server.session_interface.get_signing_serializer(app.server)
    return token_hash(serializer.loads(session_cookie(client))["sid"])


def test_a_cookie_copied_before_logout_is_refused_after_it(app: Any) -> None:
    olga = logged_in(app)
    thief: FlaskClient = app.server.test_client()
    thief.set_cookie("session", session_cookie(olga))
    assert refresh(thief) == 200
    assert olga.post("/logout").status_code == 302
    assert refresh(thief) == 401 and refresh(olga) == 401


def test_logging_out_by_get_is_refused_and_the_session_stands(app: Any) -> None:
    olga = logged_in(app)
    assert olga.get("/logout").status_code == 405
    assert refresh(olga) == 200


def test_each_login_gets_a_new_session_id(app: Any) -> None:
    olga = logged_in(app)
    before = session_cookie(olga)
    assert login(olga, "olga").status_code == 302
    thief: FlaskClient = app.server.test_client()
    thief.set_cookie("session", before)
    assert session_cookie(olga) != before and refresh(thief) == 401 and refresh(olga) == 200


def test_a_screen_refreshing_all_day_stays_in_until_the_absolute_expiry(
    app: Any, clock: VirtualClock
) -> None:
    olga = logged_in(app)
    while clock.now() + 1800 < T0 + USER_ABSOLUTE_S:
        clock.advance(1800)  # never idle: a refresh every half hour (each second, really)
        assert refresh(olga) == 200
    clock.set(T0 + USER_ABSOLUTE_S)
    assert refresh(olga) == 401


def test_a_session_left_idle_ends(app: Any, clock: VirtualClock) -> None:
    olga = logged_in(app)
    clock.advance(IDLE_S - SEEN_EVERY_S - 1)
    assert refresh(olga) == 200  # seen again: idle starts over
    clock.advance(IDLE_S - 1)
    assert refresh(olga) == 200
    clock.advance(IDLE_S)
    assert refresh(olga) == 401


def test_last_seen_is_written_at_most_once_a_minute(
    app: Any, clock: VirtualClock, sqlite_store: Store
) -> None:
    olga = logged_in(app)
    key = session_key(app, olga)
    for _ in range(SEEN_EVERY_S - 1):
        clock.advance(1)
        assert refresh(olga) == 200
    record = sqlite_store.accounts.sessions.get(key)
    assert record is not None and record.seen == T0
    clock.advance(1)
    refresh(olga)
    record = sqlite_store.accounts.sessions.get(key)
    assert record is not None and record.seen == T0 + SEEN_EVERY_S


def test_a_kiosk_wall_outlasts_a_day_without_login(
    app: Any, clock: VirtualClock, sqlite_store: Store
) -> None:
    secret = new_token()
    sqlite_store.accounts.add_kiosk(token_hash(secret), "national", "hall", 0.0)
    wall: FlaskClient = app.server.test_client()
    assert wall.get(f"/kiosk/{secret}").status_code == 302
    for _ in range(48):  # two days, refreshing
        clock.advance(3600)
        assert refresh(wall) == 200


@pytest.mark.parametrize(
    ("forwarded_proto", "secure"),
    [(None, False), ("http", False), ("https", True)],
)
def test_the_cookie_is_secure_when_the_trusted_proxy_says_tls(
    app: Any, forwarded_proto: str | None, secure: bool
) -> None:
    headers = {} if forwarded_proto is None else {"X-Forwarded-Proto": forwarded_proto}
    response = login(app.server.test_client(), "olga", address="127.0.0.1", headers=headers)
    assert response.status_code == 302
    assert ("; Secure" in response.headers["Set-Cookie"]) is secure
    assert "HttpOnly" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(("flag", "secure"), [(True, True), (False, False)])
def test_secure_cookies_can_be_forced_either_way(
    sqlite_store: Store, clock: VirtualClock, flag: bool, secure: bool
) -> None:
    app = accounts_app(sqlite_store, clock, "olga", secure_cookies=flag, trusted_proxies=1)
    tls = {"X-Forwarded-Proto": "http" if flag else "https"}
    response = login(app.server.test_client(), "olga", address="127.0.0.1", headers=tls)
    assert ("; Secure" in response.headers["Set-Cookie"]) is secure


def test_a_login_drops_sessions_older_than_any_expiry(
    app: Any, clock: VirtualClock, sqlite_store: Store
) -> None:
    first = logged_in(app)
    key = session_key(app, first)
    clock.advance(KIOSK_ABSOLUTE_S + 1)
    logged_in(app)
    assert sqlite_store.accounts.sessions.get(key) is None


def test_a_session_outlives_a_restart_of_the_server(
    sqlite_store: Store, clock: VirtualClock
) -> None:
    """As `vigie serve` does at each start: the signing key comes from the store."""

    def started() -> Any:
        key = sqlite_store.accounts.sessions.signing_key(clock.now())
        auth = AuthSettings(open_demo=False, secret_key=key)
        return create_app(sqlite_store, clock, None, auth=auth)

    sqlite_store.accounts.add_user("olga", "operator", None, CHEAP_HASH, 0.0)
    wall: FlaskClient = started().server.test_client()
    assert login(wall, "olga").status_code == 302
    after_restart: FlaskClient = started().server.test_client()
    after_restart.set_cookie("session", session_cookie(wall))
    assert refresh(after_restart) == 200


def signing_with(store: Store, clock: VirtualClock, secret: bytes, *previous: bytes) -> Any:
    """The app as `serve --secret-file` (and `--previous-secret-file`) builds it."""
    auth = AuthSettings(open_demo=False, secret_key=secret, previous_secret_keys=previous)
    return create_app(store, clock, None, auth=auth)


def test_a_rotation_keeps_a_screen_in_and_moves_it_to_the_new_secret(
    sqlite_store: Store, clock: VirtualClock
) -> None:
    old, new = b"o" * 32, b"n" * 32
    sqlite_store.accounts.add_user("olga", "operator", None, CHEAP_HASH, 0.0)
    before: FlaskClient = signing_with(sqlite_store, clock, old).server.test_client()
    assert login(before, "olga").status_code == 302
    signed_with_old = session_cookie(before)

    rotating: FlaskClient = signing_with(sqlite_store, clock, new, old).server.test_client()
    rotating.set_cookie("session", signed_with_old)
    answer = rotating.post("/_dash-update-component", json=wall_request())
    assert answer.status_code == 200 and "Set-Cookie" in answer.headers  # signed anew
    signed_with_new = session_cookie(rotating)
    assert signed_with_new != signed_with_old
    again = rotating.post("/_dash-update-component", json=wall_request())
    assert again.status_code == 200 and "Set-Cookie" not in again.headers  # once only

    after = signing_with(sqlite_store, clock, new)
    moved: FlaskClient = after.server.test_client()
    moved.set_cookie("session", signed_with_new)
    left_behind: FlaskClient = after.server.test_client()
    left_behind.set_cookie("session", signed_with_old)
    assert refresh(moved) == 200 and refresh(left_behind) == 401


def test_hosts_either_side_of_each_pass_of_a_rolling_rotation_accept_each_others_cookies(
    sqlite_store: Store, clock: VirtualClock
) -> None:
    """docs/deployment.md's rotation across hosts restarted one at a time: OLD alone, then
    OLD accepting NEW, then NEW accepting OLD, then NEW alone."""
    old, new = b"o" * 32, b"n" * 32
    sqlite_store.accounts.add_user("olga", "operator", None, CHEAP_HASH, 0.0)
    passes = [(old,), (old, new), (new, old), (new,)]
    hosts = [signing_with(sqlite_store, clock, *keys) for keys in passes]
    for not_yet, done in pairwise(hosts):
        for signer, reader in ((not_yet, done), (done, not_yet)):
            signed: FlaskClient = signer.server.test_client()
            assert login(signed, "olga").status_code == 302
            read: FlaskClient = reader.server.test_client()
            read.set_cookie("session", session_cookie(signed))
            assert refresh(read) == 200
