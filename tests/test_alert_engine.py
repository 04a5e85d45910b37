"""The engine over synthetic series on a virtual clock: transitions only, hysteresis, restarts."""

from __future__ import annotations

import math
from collections.abc import Mapping

from vigie.alerts.engine import AlertEngine
from vigie.alerts.inputs import RuleInputs
from vigie.alerts.verdict import Severity, Verdict
from vigie.plan import Plan
from vigie.series import Sample
from vigie.store import Store

T0 = 1_700_000_000.0
GW = (("server", "gw"),)


def feed(
    engine: AlertEngine, at: float, gw: float, sessions: float = 150.0, up: float = 1.0
) -> None:
    samples = [
        Sample("server_connections", GW, at, gw),
        Sample("server_connections", (("server", "app"),), at, 10.0),
        Sample("source_up", (("source", "platform"),), at, up),
    ]
    samples += [
        Sample("sessions_active", (("faculty", f),), at, sessions / 3)
        for f in ("alpha", "beta", "gamma")
    ]
    engine.observe(samples)
    engine.evaluate(at)


def engine_for(
    plan: Plan, store: Store, rules: Mapping[str, object] | None = None
) -> tuple[AlertEngine, int]:
    exercise = store.create_exercise(
        plan_id="small-drill", name="Small", mode="live", plan_toml="", t0=T0
    )
    if rules is None:
        return AlertEngine(plan, store, exercise, T0, 1.0), exercise
    return AlertEngine(plan, store, exercise, T0, 1.0, rules=rules), exercise  # type: ignore[arg-type]


def states(store: Store, exercise: int, rule: str) -> list[tuple[str, str, str]]:
    return [
        (t.state, t.subject, t.severity)
        for t in store.alerts.transitions(exercise)
        if t.rule == rule
    ]


def test_a_series_hovering_at_a_threshold_makes_one_alert_not_a_storm(
    small_plan: Plan, sqlite_store: Store
) -> None:
    engine, exercise = engine_for(small_plan, sqlite_store)
    # 10 minutes oscillating around 80% of the gateway's 440 (352), +-2%, every 20 s.
    for second in range(1, 601):
        feed(engine, T0 + second, 352 + 9 * math.sin(second * 2 * math.pi / 20))
    warnings = [s for s in states(sqlite_store, exercise, "headroom") if s[0] == "firing"]
    assert warnings == [("firing", "gw", "warning")]


def test_each_real_excursion_is_its_own_alert(small_plan: Plan, sqlite_store: Store) -> None:
    engine, exercise = engine_for(small_plan, sqlite_store)
    second = 0
    for level in (200, 360, 200, 360, 200):  # two real excursions above 80%
        for _ in range(60):
            second += 1
            feed(engine, T0 + second, level)
    kinds = [s[0] for s in states(sqlite_store, exercise, "headroom")]
    assert kinds == ["pending", "firing", "resolved", "pending", "firing", "resolved"]


def test_a_short_spike_under_the_hold_time_never_fires(
    small_plan: Plan, sqlite_store: Store
) -> None:
    engine, exercise = engine_for(small_plan, sqlite_store)
    for second, level in enumerate([200] * 10 + [360] * 3 + [200] * 10, start=1):
        feed(engine, T0 + second, level)
    assert [s[0] for s in states(sqlite_store, exercise, "headroom")] == ["pending", "resolved"]


def test_stale_data_is_unknown_and_neither_fires_nor_resolves(
    small_plan: Plan, sqlite_store: Store
) -> None:
    engine, exercise = engine_for(small_plan, sqlite_store)
    for second in range(1, 20):
        feed(engine, T0 + second, 420)  # 95%: critical
    before = states(sqlite_store, exercise, "headroom")
    for second in range(20, 80):  # no data at all for a minute
        engine.evaluate(T0 + second)
    assert states(sqlite_store, exercise, "headroom") == before
    assert engine.firing()[("headroom", "gw")] is Severity.CRITICAL


def test_a_source_down_is_an_alert_of_its_own(small_plan: Plan, sqlite_store: Store) -> None:
    engine, exercise = engine_for(small_plan, sqlite_store)
    feed(engine, T0 + 1, 100)
    engine.observe([Sample("source_up", (("source", "platform"),), T0 + 2, 0.0)])
    engine.evaluate(T0 + 2)
    (blind,) = [t for t in sqlite_store.alerts.transitions(exercise) if t.rule == "blind"]
    assert (blind.state, blind.subject, blind.severity) == ("firing", "platform", "critical")
    assert blind.message.startswith("MONITORING BLIND: platform unreachable since ")


def test_a_failing_rule_is_skipped_and_the_others_go_on(
    small_plan: Plan, sqlite_store: Store
) -> None:
    def broken(inputs: RuleInputs, previous: Mapping[str, Severity]) -> list[Verdict]:
        raise RuntimeError("bug in a rule")

    def always(inputs: RuleInputs, previous: Mapping[str, Severity]) -> list[Verdict]:
        return [Verdict("always", "gw", Severity.WARNING, "always on")]

    engine, exercise = engine_for(small_plan, sqlite_store, {"broken": broken, "always": always})
    feed(engine, T0 + 1, 100)
    assert states(sqlite_store, exercise, "always") == [("firing", "gw", "warning")]


def test_a_restarted_engine_resumes_without_duplicate_or_lost_transitions(
    small_plan: Plan, sqlite_store: Store
) -> None:
    engine, exercise = engine_for(small_plan, sqlite_store)
    for second in range(1, 30):
        feed(engine, T0 + second, 420)
    before = sqlite_store.alerts.transitions(exercise)
    restarted = AlertEngine(small_plan, sqlite_store, exercise, T0, 1.0)
    restarted.prime(T0 + 29)
    for second in range(30, 40):
        feed(restarted, T0 + second, 420)  # still critical: nothing new to say
    assert sqlite_store.alerts.transitions(exercise) == before
    for second in range(40, 50):
        feed(restarted, T0 + second, 100)  # back to normal: resolved exactly once
    after = [t for t in sqlite_store.alerts.transitions(exercise) if t not in before]
    assert [(t.rule, t.subject, t.state) for t in after if t.rule == "headroom"] == [
        ("headroom", "gw", "resolved")
    ]


def test_escalation_while_firing_is_a_transition(small_plan: Plan, sqlite_store: Store) -> None:
    engine, exercise = engine_for(small_plan, sqlite_store)
    for second, level in enumerate([320] * 10 + [420] * 10, start=1):  # 73% then 95%
        feed(engine, T0 + second, level)
    firing = [s for s in states(sqlite_store, exercise, "headroom") if s[0] == "firing"]
    assert firing == [("firing", "gw", "careful"), ("firing", "gw", "critical")]


def test_an_acknowledgement_says_who_and_when_and_changes_no_state(
    small_plan: Plan, sqlite_store: Store
) -> None:
    engine, exercise = engine_for(small_plan, sqlite_store)
    for second in range(1, 10):
        feed(engine, T0 + second, 420)
    ack = sqlite_store.alerts.acknowledge(exercise, "headroom", "gw", "operator-3", T0 + 10)
    assert ack is not None and (ack.state, ack.actor, ack.at) == (
        "acknowledged",
        "operator-3",
        T0 + 10,
    )
    assert (
        sqlite_store.alerts.acknowledge(exercise, "headroom", "app", "operator-3", T0 + 10) is None
    )
    restarted = AlertEngine(small_plan, sqlite_store, exercise, T0, 1.0)
    assert (
        restarted.firing()[("headroom", "gw")] is Severity.CRITICAL
    )  # still firing after a restart


def test_throttling_stays_firing_while_the_monitoring_is_blind(
    small_plan: Plan, sqlite_store: Store
) -> None:
    engine, exercise = engine_for(small_plan, sqlite_store)
    gw = (("server", "gw"),)
    for second in range(1, 20):
        at = T0 + second
        engine.observe(
            [
                Sample("server_connections", gw, at, 430),
                Sample("server_rejected_total", gw, at, 40.0 * second),
                Sample("server_reset_total", gw, at, 10.0 * second),
                Sample("server_throttled", gw, at, 1.0),
            ]
        )
        engine.evaluate(at)
    assert engine.firing()[("throttling", "gw")] is Severity.CRITICAL
    for second in range(20, 200):  # no data at all: three minutes blind
        engine.evaluate(T0 + second)
    assert ("throttling", "gw") in engine.firing()
    assert not [
        t
        for t in sqlite_store.alerts.transitions(exercise)
        if t.rule == "throttling" and t.state == "resolved"
    ]
