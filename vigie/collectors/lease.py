"""Standing by or active: the one collector of an exercise, decided by its lease.

The active collector renews the lease every fifth of a poll; it expires 1.25 polls
after the last renewal. A standby tries to take it at the same pace, so it takes
over at most 1.45 polls after the active one died, and polls at once: its first
write lands within the 2 polls promised.
A collector that finds the lease gone to another (a newer epoch) stops writing at
once (`may_write`) and stands by again.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from enum import Enum

from vigie.store.lease_store import Lease, LeaseStore

TTL_POLLS = 1.25  # a lease outlives a missed renewal or a slow poll, not a dead holder
CHECK_POLLS = 0.2  # how often the lease is renewed, or tried by a standby


class Change(Enum):
    TOOK_OVER = "took over"
    LOST = "lost"


def this_process() -> str:
    """The holder's name: host and PID, what an operator needs to find it."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class LeaseTiming:
    ttl_s: float
    check_s: float

    @classmethod
    def for_poll(cls, poll_interval_s: float) -> LeaseTiming:
        return cls(TTL_POLLS * poll_interval_s, CHECK_POLLS * poll_interval_s)


class CollectorLease:
    """Not thread-safe by design: one loop calls `step`; poll threads only read."""

    def __init__(
        self, leases: LeaseStore, exercise_id: int, timing: LeaseTiming, holder: str
    ) -> None:
        self._leases = leases
        self._exercise = exercise_id
        self.timing = timing
        self.holder = holder
        self.lease: Lease | None = None

    @property
    def active(self) -> bool:
        return self.lease is not None

    def may_write(self, now: float) -> bool:
        """Whether this collector may write at `now`: it holds a lease not yet expired.
        A holder that missed its renewals (paused, cut off) stops before anyone can
        take over, and a fenced-off one has no lease at all."""
        lease = self.lease
        return lease is not None and now < lease.expires_at

    def step(self, now: float) -> Change | None:
        """Renew the lease, or try to take it; say when that changed the role.

        raises what the store raises (SQLAlchemyError): the caller keeps the role
        and `may_write` turns false once the lease runs out.
        """
        if self.lease is not None:
            self.lease = self._leases.renew(self.lease, now, self.timing.ttl_s)
            return Change.LOST if self.lease is None else None
        self.lease = self._leases.acquire(self._exercise, self.holder, now, self.timing.ttl_s)
        return Change.TOOK_OVER if self.lease is not None else None

    def held_by(self) -> Lease | None:
        """Whoever holds the exercise's lease now, as stored."""
        return self._leases.current(self._exercise)

    def release(self, now: float) -> None:
        if self.lease is not None:
            self._leases.release(self.lease, now)
            self.lease = None
