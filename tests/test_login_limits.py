"""Guessing passwords slows the guesser and locks out nobody who works here: back-off
per (account, address), a lock a known address passes, per-client limits behind the
proxy, sliding windows, and `vigie user unlock`. Over HTTP through the real app, on a
virtual clock; failures are shared through the store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.support.accounts import PASSWORD, accounts_app, login
from tests.support.cli import run_vigie
from vigie.accounts.login_limits import WINDOW_S, back_off_s
from vigie.clock import VirtualClock
from vigie.store import Store
from vigie.store.accounts_store import FailureCounts
from vigie.store.schema import login_failures

T0 = 1_800_000_000.0  # on a 15-minute boundary: fixed windows would reset here
PROXY = "127.0.0.1"  # HAProxy on the same machine


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(T0 - 300)


@pytest.fixture
def client(sqlite_store: Store, clock: VirtualClock) -> Iterator[FlaskClient]:
    names = ["olga", "remi", *(f"user{n}" for n in range(10))]
    app = accounts_app(sqlite_store, clock, *names, trusted_proxies=1)
    yield app.server.test_client()


def through_proxy(client: FlaskClient, name: str, password: str, real_client: str) -> Any:
    return login(client, name, password, PROXY, {"X-Forwarded-For": real_client})


def fail_from_many_addresses(client: FlaskClient, name: str, times: int) -> None:
    for n in range(times):
        assert through_proxy(client, name, "a wrong guess", f"198.51.100.{n}").status_code == 401


def test_a_pair_that_keeps_failing_waits_longer_each_time_and_is_told_how_long(
    client: FlaskClient, clock: VirtualClock
) -> None:
    for _ in range(2):  # two typos are free
        assert through_proxy(client, "olga", "a typo", "203.0.113.7").status_code == 401
    assert through_proxy(client, "olga", "a typo", "203.0.113.7").status_code == 401
    waited = []
    for _ in range(3):
        refused = through_proxy(client, "olga", PASSWORD, "203.0.113.7")
        assert refused.status_code == 429
        waited.append(int(refused.headers["Retry-After"]))
        assert f"wait {waited[-1]} s" in refused.get_data(as_text=True)
        clock.advance(waited[-1])
        assert through_proxy(client, "olga", "a typo", "203.0.113.7").status_code == 401
    assert waited == [2, 4, 8]
    # the same account from elsewhere is not slowed down
    assert through_proxy(client, "olga", PASSWORD, "203.0.113.8").status_code == 302


def test_the_back_off_is_capped_at_five_minutes() -> None:
    counts = FailureCounts(account=40, address=40, pair=40, last_pair_failure=T0)
    assert back_off_s(counts, T0) == 300 and back_off_s(counts, T0 + 300) == 0


def test_the_right_password_from_another_address_gets_in_after_five_failures_elsewhere(
    client: FlaskClient,
) -> None:
    fail_from_many_addresses(client, "olga", 5)
    assert through_proxy(client, "olga", PASSWORD, "192.0.2.10").status_code == 302


def test_a_locked_account_opens_only_to_its_password_from_an_address_it_used_before(
    client: FlaskClient,
) -> None:
    assert through_proxy(client, "olga", PASSWORD, "192.0.2.10").status_code == 302  # her desk
    fail_from_many_addresses(client, "olga", 10)
    stranger = through_proxy(client, "olga", PASSWORD, "192.0.2.99")
    assert stranger.status_code == 429
    assert "an address you have used before" in stranger.get_data(as_text=True)
    assert through_proxy(client, "olga", "still guessing", "198.51.100.50").status_code == 429
    assert through_proxy(client, "olga", PASSWORD, "192.0.2.10").status_code == 302
    assert through_proxy(client, "remi", PASSWORD, "192.0.2.99").status_code == 302  # others


def test_twenty_failures_from_one_client_behind_the_proxy_lock_out_no_one_else(
    client: FlaskClient,
) -> None:
    assert through_proxy(client, "remi", PASSWORD, "203.0.113.9").status_code == 302
    for n in range(20):  # one client guessing many accounts, two tries each
        assert through_proxy(client, f"user{n // 2}", "guess", "203.0.113.66").status_code == 401
    assert through_proxy(client, "olga", PASSWORD, "203.0.113.66").status_code == 429
    assert through_proxy(client, "olga", PASSWORD, "192.0.2.10").status_code == 302
    assert through_proxy(client, "user0", PASSWORD, "192.0.2.11").status_code == 302
    assert through_proxy(client, "remi", PASSWORD, "203.0.113.9").status_code == 302


def test_without_trusted_proxies_a_forwarded_address_is_not_believed(
    sqlite_store: Store, clock: VirtualClock
) -> None:
    client = accounts_app(sqlite_store, clock, "olga").server.test_client()
    for n in range(3):  # a guesser cannot dodge its back-off by naming another address
        spoofed = {"X-Forwarded-For": f"192.0.2.{n}"}
        login(client, "olga", "a wrong guess", "203.0.113.66", spoofed)
    assert login(client, "olga", PASSWORD, "203.0.113.66").status_code == 429


def test_failures_are_counted_over_a_sliding_window_not_fixed_blocks(
    client: FlaskClient, clock: VirtualClock
) -> None:
    fail_from_many_addresses(client, "olga", 5)  # at T0 - 5 min
    clock.set(T0 + 60)  # past a 15-minute boundary: a fixed window would start over
    for n in range(5):
        through_proxy(client, "olga", "a wrong guess", f"198.51.100.{100 + n}")
    assert through_proxy(client, "olga", PASSWORD, "192.0.2.99").status_code == 429
    clock.set(T0 - 300 + WINDOW_S + 1)  # the first five have slid out
    assert through_proxy(client, "olga", PASSWORD, "192.0.2.99").status_code == 302


def test_failures_older_than_the_window_are_pruned(
    client: FlaskClient, clock: VirtualClock, sqlite_store: Store
) -> None:
    fail_from_many_addresses(client, "olga", 4)
    clock.advance(WINDOW_S + 1)
    fail_from_many_addresses(client, "remi", 1)
    with sqlite_store.engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(login_failures)).scalar()
    assert rows == 1


def test_unlock_clears_an_account_s_failures_from_every_address(
    client: FlaskClient, sqlite_store: Store
) -> None:
    fail_from_many_addresses(client, "olga", 10)
    assert through_proxy(client, "olga", PASSWORD, "192.0.2.99").status_code == 429
    db = str(sqlite_store.engine.url.database)
    unlocked = run_vigie("user", "unlock", "olga", "--db", db)
    assert unlocked.returncode == 0, unlocked.stderr
    assert "Unlocked olga (10 failed logins cleared)" in unlocked.stdout
    assert through_proxy(client, "olga", PASSWORD, "192.0.2.99").status_code == 302
    unknown = run_vigie("user", "unlock", "nobody", "--db", db)
    assert unknown.returncode == 2 and "no account 'nobody'" in unknown.stderr
