"""A `collect`'s roles on a virtual clock: active while it holds the lease, standing by
(and saying who holds it) otherwise, and stopped at once when it lost the lease."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler

from vigie.clock import VirtualClock
from vigie.collectors.lease import CollectorLease, LeaseTiming
from vigie.collectors.scheduler import MayWrite
from vigie.run.failover import LeasedCollection
from vigie.store import Store

T0 = 1_700_000_000.0
POLL_S = 1.0


class Collect:
    """One `vigie collect`: its lease, what it said, and its running polls."""

    def __init__(self, store: Store, exercise: int, holder: str) -> None:
        lease = CollectorLease(store.leases, exercise, LeaseTiming.for_poll(POLL_S), holder)
        self.said: list[str] = []
        self.polls: BackgroundScheduler | None = None
        self.may_write: MayWrite | None = None
        self.role = LeasedCollection(lease, self._start, lambda: None, self.said.append)

    def _start(self, may_write: MayWrite) -> BaseScheduler:
        self.may_write = may_write
        self.polls = BackgroundScheduler(daemon=True)
        self.polls.start()
        return self.polls


def test_a_collector_that_lost_its_lease_stops_polling_and_stands_by(
    sqlite_store: Store,
) -> None:
    exercise = sqlite_store.create_exercise(plan_id="x", name="X", mode="live", plan_toml="", t0=T0)
    clock = VirtualClock(T0)
    first, second = Collect(sqlite_store, exercise, "a:1"), Collect(sqlite_store, exercise, "b:2")
    first.role.step(clock.now())
    second.role.step(clock.now())
    assert first.role.active and not second.role.active
    assert second.said == ["Standing by: the exercise is collected by a:1 (epoch 1); "
                           "standing by to take over"]  # fmt: skip
    clock.advance(3 * POLL_S)  # the first is stalled: no renewal
    assert first.may_write is not None and not first.may_write(clock.now())
    second.role.step(clock.now())
    assert (
        second.role.active and second.said[-1] == f"Took the lease of exercise {exercise} (epoch 2)"
    )
    first.role.step(clock.now())  # it wakes up: fenced off
    assert not first.role.active and first.polls is not None and not first.polls.running
    assert first.said[-1].startswith("Lost the lease: the exercise is collected by b:2 (epoch 2)")
    second.role.stop(clock.now())
    first.role.step(clock.now())  # a clean stop frees the lease at once
    assert first.role.active
    first.role.stop(clock.now())
