"""How many wrong passwords a login survives, and what then: pure rules over counts.

Failures are counted over a sliding window (the last 15 minutes, one stored row per
failure). Three limits, chosen so that a guesser slows down without shutting the
control room out on exam day:

- per (account, address): after a few failures that pair waits, 2 s then doubling,
  capped at 5 minutes. A typo costs seconds; a guesser gets ~20 tries an hour.
- per account, from every address: past 10 the account is locked...
- per address, for every account: past 20 the address is limited...

...except for the right password from an address the account has logged in from
before. So a guesser elsewhere (or behind the same NAT) locks out nobody who has
worked from their desk before, and `vigie user unlock` clears the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from vigie.store.accounts_store import FailureCounts

WINDOW_S = 15 * 60
FREE_TRIES_PER_PAIR = 2
FIRST_DELAY_S = 2
MAX_DELAY_S = 300
ACCOUNT_LOCK_AT = 10
ADDRESS_LIMIT_AT = 20


class Refusal(Enum):
    WRONG = "wrong name or password"
    BACK_OFF = "wait before trying again"
    LOCKED = "locked: only a known address may log in"


@dataclass(frozen=True)
class Refused:
    why: Refusal
    retry_after_s: int  # for the 429's Retry-After; 0 for a plain wrong password


def back_off_s(counts: FailureCounts, now: float) -> int:
    """Seconds this (account, address) pair must still wait; 0 when it may try."""
    extra = counts.pair - FREE_TRIES_PER_PAIR
    if extra <= 0 or counts.last_pair_failure is None:
        return 0
    delay = min(FIRST_DELAY_S << min(extra - 1, 16), MAX_DELAY_S)
    return max(0, math.ceil(counts.last_pair_failure + delay - now))


def only_known_addresses(counts: FailureCounts) -> bool:
    """The account is locked, or the address limited: a known address may still log in."""
    return counts.account >= ACCOUNT_LOCK_AT or counts.address >= ADDRESS_LIMIT_AT
