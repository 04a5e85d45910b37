"""One login attempt, judged against the failures every worker has recorded."""

from __future__ import annotations

from vigie.accounts.login_limits import (
    WINDOW_S,
    Refusal,
    Refused,
    back_off_s,
    only_known_addresses,
)
from vigie.accounts.passwords import DECOY_HASH, password_matches
from vigie.store.accounts_store import AccountStore


def attempt_login(
    accounts: AccountStore, now: float, name: str, password: str, address: str
) -> int | Refused:
    """The user's id, or why not. A refused pair in back-off, or a locked account
    tried from an address it has never logged in from, is answered without hashing
    the password (a guesser cannot make the workers burn CPU) and is not counted."""
    counts = accounts.failures(name, address, since=now - WINDOW_S)
    wait = back_off_s(counts, now)
    if wait > 0:
        return Refused(Refusal.BACK_OFF, wait)
    user = accounts.user(name) if name else None
    locked = only_known_addresses(counts)
    if locked and (user is None or not accounts.knows_address(user.id, address)):
        return Refused(Refusal.LOCKED, WINDOW_S)
    good = password_matches(user.password_hash if user else DECOY_HASH, password)
    if user is None or not good or user.disabled is not None:
        accounts.record_failure(name, address, now, prune_before=now - WINDOW_S)
        return Refused(Refusal.LOCKED, WINDOW_S) if locked else Refused(Refusal.WRONG, 0)
    accounts.forget_failures(name, address)  # this pair's typos are forgiven
    accounts.remember_address(user.id, address, now)
    return user.id
