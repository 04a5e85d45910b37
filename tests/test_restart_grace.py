"""Gaps from restarts do not flood the notifiers: after a (re)start the blind rule gives
each source 2 polls before judging its signals stale from the gap alone, on a virtual clock."""

from __future__ import annotations

from vigie.alerts.engine import AlertEngine
from vigie.alerts.rules.blind import RESTART_GRACE_POLLS
from vigie.clock import VirtualClock
from vigie.collectors.cycle import CycleResult
from vigie.plan import Plan
from vigie.series import Sample
from vigie.store import Store

T0 = 1_700_000_000.0
SIGNALS = ("server_connections", "server_rejected_total", "server_throttled")


def poll(store: Store, engine: AlertEngine, exercise: int, at: float, missing: str = "") -> None:
    """One poll of the platform, every signal answering but `missing`, as a cycle does."""
    batch = [Sample("source_up", (("source", "platform"),), at, 1.0)]
    batch += [Sample(name, (("server", "gw"),), at, 5.0) for name in SIGNALS if name != missing]
    batch += [Sample("sessions_active", (("faculty", "alpha"),), at, 0.0)]
    store.write_cycle(exercise, batch)
    engine.after_cycle(at, CycleResult(samples=batch))


def restarted(plan: Plan, store: Store, exercise: int, now: float) -> AlertEngine:
    """A collector (re)started or taking over: restore, prime, judge before polling."""
    engine = AlertEngine(plan, store, exercise, T0, plan.poll_interval_s, notifiers=["log"])
    engine.prime(now)
    engine.evaluate(now)
    return engine


def blind(store: Store, exercise: int) -> list[tuple[str, str]]:
    return [(t.subject, t.state) for t in store.alerts.transitions(exercise) if t.rule == "blind"]


def test_twenty_restarts_in_a_row_make_no_blind_transition_when_sources_are_fine(
    small_plan: Plan, sqlite_store: Store
) -> None:
    exercise = sqlite_store.create_exercise("small-drill", "Small", "live", "", T0)
    interval = small_plan.poll_interval_s
    clock = VirtualClock(T0 + 1)
    for _ in range(20):
        engine = restarted(small_plan, sqlite_store, exercise, clock.now())
        for _ in range(3):  # it polls a few times, then dies
            poll(sqlite_store, engine, exercise, clock.now())
            clock.advance(interval)
        clock.advance(10 * interval)  # down far longer than signals stay fresh
    assert blind(sqlite_store, exercise) == []


def test_a_signal_really_stale_is_still_raised_once_the_grace_is_over(
    small_plan: Plan, sqlite_store: Store
) -> None:
    exercise = sqlite_store.create_exercise("small-drill", "Small", "live", "", T0)
    interval = small_plan.poll_interval_s
    clock = VirtualClock(T0 + 1)
    engine = restarted(small_plan, sqlite_store, exercise, clock.now())
    poll(sqlite_store, engine, exercise, clock.now())
    clock.advance(10 * interval)
    engine = restarted(small_plan, sqlite_store, exercise, clock.now())
    for _ in range(RESTART_GRACE_POLLS + 1):  # the throttle signal is gone from the source
        poll(sqlite_store, engine, exercise, clock.now(), missing="server_throttled")
        clock.advance(interval)
    assert blind(sqlite_store, exercise) == [("server_throttled", "firing")]


def test_a_restart_within_an_open_blind_alert_resumes_it_rather_than_re_raising_it(
    small_plan: Plan, sqlite_store: Store
) -> None:
    exercise = sqlite_store.create_exercise("small-drill", "Small", "live", "", T0)
    interval = small_plan.poll_interval_s
    clock = VirtualClock(T0 + 1)
    engine = restarted(small_plan, sqlite_store, exercise, clock.now())
    poll(sqlite_store, engine, exercise, clock.now())
    for _ in range(5):  # server_throttled stops coming: stale, raised once
        clock.advance(interval)
        poll(sqlite_store, engine, exercise, clock.now(), missing="server_throttled")
    assert blind(sqlite_store, exercise) == [("server_throttled", "firing")]
    for _ in range(5):  # restarts while it is still stale
        clock.advance(3 * interval)
        engine = restarted(small_plan, sqlite_store, exercise, clock.now())
        for _ in range(RESTART_GRACE_POLLS + 1):
            poll(sqlite_store, engine, exercise, clock.now(), missing="server_throttled")
            clock.advance(interval)
    assert blind(sqlite_store, exercise) == [("server_throttled", "firing")]
