"""The rows behind login limits and sessions, on SQLite and on a real PostgreSQL:
failures with their times, counted per account, address and pair, pruned and
forgotten; known addresses; session rows opened, seen, revoked and pruned."""

from __future__ import annotations

from tests.support.accounts import CHEAP_HASH
from vigie.store import Store

T0 = 1_800_000_000.0


def test_failures_are_counted_per_account_address_and_pair_then_pruned(store: Store) -> None:
    accounts = store.accounts
    for n, (name, address) in enumerate(
        [("olga", "192.0.2.1"), ("olga", "192.0.2.1"), ("olga", "192.0.2.2"), ("remi", "192.0.2.1")]
    ):
        accounts.record_failure(name, address, T0 + n, prune_before=T0 - 900)
    counts = accounts.failures("olga", "192.0.2.1", since=T0 - 1)
    assert (counts.account, counts.address, counts.pair) == (3, 3, 2)
    assert counts.last_pair_failure == T0 + 1
    assert accounts.failures("olga", "192.0.2.1", since=T0 + 1).pair == 0  # strictly after
    assert accounts.forget_failures("olga", "192.0.2.2") == 1
    assert accounts.forget_failures("olga") == 2
    accounts.record_failure("x" * 300, "y" * 300, T0 + 2000, prune_before=T0 + 1000)
    assert accounts.failures("remi", "192.0.2.1", since=0).pair == 0  # pruned
    assert accounts.failures("x" * 300, "y" * 300, since=0).pair == 1  # cut to fit, alike


def test_an_address_is_known_once_logged_in_from(store: Store) -> None:
    user = store.accounts.add_user("olga", "operator", None, CHEAP_HASH, T0)
    assert not store.accounts.knows_address(user, "192.0.2.1")
    store.accounts.remember_address(user, "192.0.2.1", T0)
    store.accounts.remember_address(user, "192.0.2.1", T0 + 60)  # again: one row, updated
    assert store.accounts.knows_address(user, "192.0.2.1")
    assert not store.accounts.knows_address(user, "192.0.2.2")


def test_session_rows_are_opened_seen_revoked_and_pruned(store: Store) -> None:
    sessions = store.accounts.sessions
    sessions.open("a" * 64, "user:1", T0)
    sessions.open("b" * 64, "kiosk:2", T0 + 10)
    sessions.seen("a" * 64, T0 + 60)
    sessions.revoke("a" * 64, T0 + 70)
    sessions.revoke("a" * 64, T0 + 80)  # the first revocation stands
    record = sessions.get("a" * 64)
    assert record is not None
    assert (record.principal, record.created, record.seen, record.revoked) == (
        "user:1", T0, T0 + 60, T0 + 70,
    )  # fmt: skip
    assert sessions.prune(before=T0 + 5) == 1
    assert sessions.get("a" * 64) is None and sessions.get("b" * 64) is not None


def test_the_signing_key_is_made_once_and_kept_across_restarts(store: Store) -> None:
    first = store.accounts.sessions.signing_key(T0)
    assert len(first) == 64 and store.accounts.sessions.signing_key(T0 + 1) == first
    reopened = Store.open(str(store.engine.url.render_as_string(hide_password=False)))
    try:
        assert reopened.accounts.sessions.signing_key(T0 + 2) == first
    finally:
        reopened.close()
