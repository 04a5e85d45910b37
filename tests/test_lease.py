"""The collector lease on SQLite and PostgreSQL, on a virtual clock: one holder, takeover
within 2 polls of the holder's death, fencing of a holder that lost it."""

from __future__ import annotations

import threading

from vigie.clock import VirtualClock
from vigie.collectors.lease import Change, CollectorLease, LeaseTiming
from vigie.store import Store

T0 = 1_700_000_000.0
POLL_S = 2.0


def lease_for(store: Store, exercise: int, holder: str) -> CollectorLease:
    return CollectorLease(store.leases, exercise, LeaseTiming.for_poll(POLL_S), holder)


def new_exercise(store: Store) -> int:
    return store.create_exercise(plan_id="lease", name="Lease", mode="live", plan_toml="", t0=T0)


def test_the_first_collector_takes_the_lease_and_a_second_stands_by(store: Store) -> None:
    exercise = new_exercise(store)
    active, standby = lease_for(store, exercise, "a:1"), lease_for(store, exercise, "b:2")
    assert active.step(T0) is Change.TOOK_OVER
    assert standby.step(T0 + 0.1) is None
    assert not standby.active and not standby.may_write(T0 + 0.1)
    held = standby.held_by()
    assert held is not None and (held.holder, held.epoch) == ("a:1", 1)


def test_a_standby_takes_over_within_2_polls_of_the_active_one_dying(store: Store) -> None:
    exercise = new_exercise(store)
    clock = VirtualClock(T0)
    active, standby = lease_for(store, exercise, "a:1"), lease_for(store, exercise, "b:2")
    check = active.timing.check_s
    died_at = T0 + 10 * POLL_S
    while clock.now() < died_at:  # both step at their own pace, the active one renews
        assert active.step(clock.now()) in (Change.TOOK_OVER, None)
        assert standby.step(clock.now() + check / 2) is None
        clock.advance(check)
    while standby.step(clock.now()) is None:  # the active one was killed: no renewals
        clock.advance(check)
    assert clock.now() - died_at <= 2 * POLL_S
    lease = standby.lease
    assert lease is not None and lease.epoch == 2


def test_a_collector_that_lost_the_lease_is_fenced_off_and_stands_by(store: Store) -> None:
    exercise = new_exercise(store)
    first, second = lease_for(store, exercise, "a:1"), lease_for(store, exercise, "b:2")
    first.step(T0)
    paused_until = T0 + 3 * POLL_S  # the first is paused (SIGSTOP, a stalled VM)
    assert not first.may_write(paused_until)  # its own lease ran out: it writes nothing
    assert second.step(T0 + 2 * POLL_S) is Change.TOOK_OVER
    assert first.step(paused_until) is Change.LOST  # a newer epoch is in the store
    assert not first.active and not first.may_write(paused_until)
    assert second.step(paused_until) is None and second.may_write(paused_until)


def test_a_clean_stop_frees_the_lease_for_the_standby_at_once(store: Store) -> None:
    exercise = new_exercise(store)
    active, standby = lease_for(store, exercise, "a:1"), lease_for(store, exercise, "b:2")
    active.step(T0)
    active.release(T0 + 1)
    assert standby.step(T0 + 1) is Change.TOOK_OVER


def race(leases: list[CollectorLease], at: float) -> None:
    barrier = threading.Barrier(len(leases))

    def step(lease: CollectorLease) -> None:
        barrier.wait()
        lease.step(at)

    threads = [threading.Thread(target=step, args=(lease,)) for lease in leases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_collectors_racing_for_a_free_or_expired_lease_get_exactly_one_holder(
    store: Store,
) -> None:
    for _ in range(3):
        exercise = new_exercise(store)
        leases = [lease_for(store, exercise, f"h:{i}") for i in range(4)]
        race(leases, T0)
        assert sum(lease.active for lease in leases) == 1
        race(leases, T0 + 10 * POLL_S)  # expired: the holder renews, or one other takes it
        holders = [lease for lease in leases if lease.may_write(T0 + 10 * POLL_S)]
        assert len(holders) == 1
        held = holders[0].held_by()
        assert held is not None and held.holder == holders[0].holder
