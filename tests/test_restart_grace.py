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


class Collector:
    """A collector on the small plan that polls, dies and restarts on a virtual clock."""

    def __init__(self, plan: Plan, store: Store) -> None:
        self.plan, self.store = plan, store
        self.exercise = store.create_exercise(
            plan_id="small-drill", name="Small", mode="live", plan_toml="", t0=T0
        )
        self.interval = plan.poll_interval_s
        self.clock = VirtualClock(T0 + 1)
        self.engine = self.restart()

    def restart(self) -> AlertEngine:
        """(Re)started or taking over: restore, prime, and judge before polling."""
        now = self.clock.now()
        self.engine = AlertEngine(self.plan, self.store, self.exercise, T0, self.interval)
        self.engine.prime(now)
        self.engine.evaluate(now)
        return self.engine

    def poll(self, times: int = 1, missing: str = "") -> None:
        """Polls of the platform, every signal answering but `missing`, as cycles do."""
        for _ in range(times):
            at = self.clock.now()
            batch = [Sample("source_up", (("source", "platform"),), at, 1.0)]
            batch += [Sample(n, (("server", "gw"),), at, 5.0) for n in SIGNALS if n != missing]
            batch += [Sample("sessions_active", (("faculty", "alpha"),), at, 0.0)]
            self.store.write_cycle(self.exercise, batch)
            self.engine.after_cycle(at, CycleResult(samples=batch))
            self.clock.advance(self.interval)

    def down_for(self, polls: float) -> None:
        self.clock.advance(polls * self.interval)

    def blind(self) -> list[tuple[str, str]]:
        transitions = self.store.alerts.transitions(self.exercise)
        return [(t.subject, t.state) for t in transitions if t.rule == "blind"]


def test_twenty_restarts_in_a_row_make_no_blind_transition_when_sources_are_fine(
    small_plan: Plan, sqlite_store: Store
) -> None:
    collector = Collector(small_plan, sqlite_store)
    for _ in range(20):
        collector.poll(3)
        collector.down_for(10)  # far longer than signals stay fresh
        collector.restart()
    collector.poll(3)
    assert collector.blind() == []


def test_a_signal_really_stale_is_still_raised_once_the_grace_is_over(
    small_plan: Plan, sqlite_store: Store
) -> None:
    collector = Collector(small_plan, sqlite_store)
    collector.poll()
    collector.down_for(10)
    collector.restart()
    collector.poll(RESTART_GRACE_POLLS + 1, missing="server_throttled")  # gone from the source
    assert collector.blind() == [("server_throttled", "firing")]


def test_a_restart_within_an_open_blind_alert_resumes_it_rather_than_re_raising_it(
    small_plan: Plan, sqlite_store: Store
) -> None:
    collector = Collector(small_plan, sqlite_store)
    collector.poll()
    collector.poll(5, missing="server_throttled")  # stale: raised once
    assert collector.blind() == [("server_throttled", "firing")]
    for _ in range(5):  # restarts while it is still stale
        collector.down_for(3)
        collector.restart()
        collector.poll(RESTART_GRACE_POLLS + 1, missing="server_throttled")
    assert collector.blind() == [("server_throttled", "firing")]
