"""Each rule as the pure function it is: series and plan in, verdicts with their numbers out."""

from __future__ import annotations

import pytest

from vigie.alerts.inputs import RuleInputs
from vigie.alerts.launches import planned_launches
from vigie.alerts.rules import blind, faculty_lag, throttling, time_to_limit, wave_gate
from vigie.alerts.rules.wave_gate import GateFacts, GateVerdict
from vigie.alerts.verdict import Severity
from vigie.alerts.window import SeriesWindow
from vigie.plan import Plan
from vigie.series import Sample
from vigie.store import Point

T0 = 1_700_000_000.0


def inputs_at(plan: Plan, elapsed: float, samples: list[Sample]) -> RuleInputs:
    window = SeriesWindow()
    window.observe(sorted(samples, key=lambda s: s.at))
    # The waves the plan intends by then are out, as the room would have launched them.
    launches = planned_launches(plan, elapsed)
    return RuleInputs(plan, T0 + elapsed, T0, window, 1.0, launches=launches)


def sessions(at: float, alpha: float, beta: float, gamma: float) -> list[Sample]:
    return [
        Sample("sessions_active", (("faculty", f),), T0 + at, v)
        for f, v in (("alpha", alpha), ("beta", beta), ("gamma", gamma))
    ]


def gw(at: float, value: float) -> Sample:
    return Sample("server_connections", (("server", "gw"),), T0 + at, value)


def test_least_squares_slope() -> None:
    points = [Point(t, 5 + 2 * t) for t in range(10)]
    assert time_to_limit.slope_per_second(points) == 2.0


def test_time_to_limit_speaks_in_minutes_at_the_current_ramp(small_plan: Plan) -> None:
    # Both waves are in (300 students x 2 could reach 440), climbing +0.5/s.
    samples = [gw(t, 100 + 0.5 * (t - 180)) for t in range(180, 301)]
    verdicts = time_to_limit.evaluate(inputs_at(small_plan, 300, samples), {})
    (verdict,) = [v for v in verdicts if v.subject == "gw"]
    assert verdict.severity is Severity.WARNING  # 280 left at 0.5/s: ~9 min
    assert verdict.message.startswith("gw reaches its limit in ~9 min at the current ramp")


def test_a_ramp_the_started_waves_cannot_carry_to_the_limit_is_no_alarm(small_plan: Plan) -> None:
    # Wave 1 (200 students) almost all in, climbing fast, but 200 x 2 = 400 < 440.
    samples = [gw(t, 2 * min(190, 2 * t)) for t in range(0, 100)]
    samples += sessions(99, 115, 75, 0)
    (verdict,) = [
        v
        for v in time_to_limit.evaluate(inputs_at(small_plan, 99, samples), {})
        if v.subject == "gw"
    ]
    assert verdict.severity is Severity.OK


def test_wave_gate_starts_from_the_plan_before_anyone_connects(small_plan: Plan) -> None:
    verdicts = {v.subject: v for v in wave_gate.evaluate(inputs_at(small_plan, 0, []), {})}
    # Wave 1 goes out with the exercise: wave 2 is the next, and the rest of wave 1
    # (200 x 2.1 = 420 of 440) fits.
    assert set(verdicts) == {"wave-1", "wave-2"}
    assert verdicts["wave-1"].severity is Severity.OK
    verdict = verdicts["wave-2"]
    # Wave 1's 200 students and wave 2's 100, at the plan's 2 per student (+5%): 630 > 440;
    # (440 - 200 x 2.1) / 2.1 = 9.5, so 9 fit strictly below the limit.
    assert verdict.subject == "wave-2" and verdict.severity is Severity.CRITICAL
    facts = verdict.facts
    assert isinstance(facts, GateFacts)
    assert facts.verdict is GateVerdict.HOLD and not facts.measured and facts.ratio == 2.0
    assert (facts.server, facts.kind, facts.fit) == ("gw", "total", 9)
    assert verdict.message == (
        "Wave 2 (100 students) would take gw to 630 of 440 connections (143%): "
        "HOLD. At most 9 students fit; split the wave."
    )


def test_wave_gate_uses_the_ratio_measured_once_students_are_in(small_plan: Plan) -> None:
    app = Sample("server_connections", (("server", "app"),), T0 + 150, 310)
    samples = [*sessions(150, 120, 80, 0), gw(150, 300), app]  # 1.5 per student measured
    verdicts = {v.subject: v for v in wave_gate.evaluate(inputs_at(small_plan, 150, samples), {})}
    assert verdicts["wave-1"].severity is Severity.OK  # 200 x 1.575 = 315 of 440
    verdict = verdicts["wave-2"]
    facts = verdict.facts
    assert isinstance(facts, GateFacts)
    assert facts.measured and facts.ratio == 1.5
    # The margin applies to every student counted: (200 + 100) x 1.5 x 1.05 = 472.5 > 440,
    # and (440 - 315) / 1.575 = 79.4, so 79 of wave 2 fit.
    assert verdict.severity is Severity.CRITICAL
    assert facts.projected == pytest.approx(472.5) and facts.fit == 79
    assert "At most 79 students fit" in verdict.message


def test_wave_gate_forecasts_a_later_wave_that_will_not_fit_from_t0(seed_plan: Plan) -> None:
    verdicts = {v.subject: v for v in wave_gate.evaluate(inputs_at(seed_plan, 0, []), {})}
    assert set(verdicts) == {"wave-1", "wave-2", "wave-3", "wave-4"}  # wave 1 out at T+0
    assert verdicts["wave-1"].severity is Severity.OK  # the rest of it: 2,460 x 2.1 = 5,166
    assert verdicts["wave-2"].severity is Severity.OK
    # Wave 3 fits (7,150 x 2.1 = 15,015 of 16,000) but it is not the next wave: no warning.
    assert verdicts["wave-3"].severity is Severity.OK
    forecast = verdicts["wave-4"]
    facts = forecast.facts
    assert isinstance(facts, GateFacts) and facts.verdict is GateVerdict.FORECAST
    assert forecast.severity is Severity.WARNING
    # Everything before it counted in: 9,800 x 2.1 = 20,580; (16,000 - 15,015) / 2.1 = 469.05.
    assert forecast.message == (
        "Wave 4 (2,650 students) will not fit when its turn comes: it would take waf-1 to "
        "20,580 of 16,000 connections (129%). At most 469 students fit; split the wave."
    )


def counters(
    at: float, rejected: float, reset: float, connections: float, throttled: float
) -> list[Sample]:
    server = (("server", "gw"),)
    return [
        Sample("server_rejected_total", server, T0 + at, rejected),
        Sample("server_reset_total", server, T0 + at, reset),
        Sample("server_connections", server, T0 + at, connections),
        Sample("server_throttled", server, T0 + at, throttled),
    ]


def test_throttling_tells_the_security_layer_from_saturation(small_plan: Plan) -> None:
    flagged = counters(0, 0, 0, 430, 0) + counters(20, 300, 80, 410, 1)
    (verdict,) = throttling.evaluate(inputs_at(small_plan, 20, flagged), {})
    assert verdict.severity is Severity.CRITICAL
    assert verdict.message == (
        "gw is refusing connections: 300 refused and 80 reset in the last 30 s; "
        "its security layer is throttling"
    )
    low = counters(0, 0, 0, 100, 0) + counters(20, 300, 0, 110, 0)
    (quiet,) = throttling.evaluate(inputs_at(small_plan, 20, low), {})
    assert quiet.severity is Severity.WARNING and "not a capacity problem" in quiet.message


def test_one_faculty_behind_is_a_local_lag(small_plan: Plan) -> None:
    samples = sessions(400, 118, 30, 95)  # beta: 30 of 80, 6 min after wave 1
    verdicts = {v.subject: v for v in faculty_lag.evaluate(inputs_at(small_plan, 400, samples), {})}
    assert verdicts["beta"].severity is Severity.WARNING
    assert verdicts["beta"].message == (
        "Faculté Beta: 30 of 80 students connected (38%) 7 min after wave 1 was launched"
    )
    assert verdicts["alpha"].severity is Severity.OK
    assert "gamma" not in verdicts  # wave 2 went out at T+3 min: not due yet


def test_when_most_faculties_lag_it_is_national_not_local(small_plan: Plan) -> None:
    samples = sessions(400, 20, 10, 95)
    verdicts = faculty_lag.evaluate(inputs_at(small_plan, 400, samples), {})
    assert {v.subject for v in verdicts} == {"alpha", "beta"}  # both due, both lagging
    assert all(v.severity is Severity.OK for v in verdicts)
    assert all("national" in v.message for v in verdicts)


def test_time_to_limit_keeps_its_level_until_the_ramp_is_well_past_the_boundary() -> None:
    horizon = 600.0
    # 320 s to the limit: over the critical boundary (300 s) by a little.
    assert time_to_limit.level(320, horizon, Severity.OK, 0.5) is Severity.WARNING
    assert time_to_limit.level(320, horizon, Severity.CRITICAL, 0.5) is Severity.CRITICAL
    # Cleared only past 1.5x the boundary: 460 s for critical, 910 s for warning.
    assert time_to_limit.level(460, horizon, Severity.CRITICAL, 0.5) is Severity.WARNING
    assert time_to_limit.level(880, horizon, Severity.WARNING, 0.5) is Severity.WARNING
    assert time_to_limit.level(910, horizon, Severity.WARNING, 0.5) is Severity.OK


def test_a_server_hovering_at_its_limit_stays_one_alert(small_plan: Plan) -> None:
    # gw's limit is 440: at it, then 430 (2% under), then 400 (9% under).
    at_limit = [gw(t, 440) for t in range(280, 301)]
    (first,) = [
        v
        for v in time_to_limit.evaluate(inputs_at(small_plan, 300, at_limit), {})
        if v.subject == "gw"
    ]
    assert first.severity is Severity.CRITICAL and "is at its limit" in first.message
    firing = {"gw": Severity.CRITICAL}
    dipped = [*at_limit, gw(301, 430)]
    (held,) = [
        v
        for v in time_to_limit.evaluate(inputs_at(small_plan, 301, dipped), firing)
        if v.subject == "gw"
    ]
    assert held.severity is Severity.CRITICAL
    fallen = [*dipped, gw(302, 400)]
    (after,) = [
        v
        for v in time_to_limit.evaluate(inputs_at(small_plan, 302, fallen), firing)
        if v.subject == "gw"
    ]
    assert "is at its limit" not in after.message


def source_up(until: float) -> list[Sample]:
    return [
        Sample("source_up", (("source", "platform"),), T0 + at, 1.0) for at in range(int(until) + 1)
    ]


@pytest.mark.parametrize(
    ("elapsed", "said"),
    [(5, "unknown"), (59, "unknown"), (61, "never")],
)
def test_faculties_sessions_missing_before_their_first_students_is_not_a_wrong_metric(
    small_plan: Plan, elapsed: float, said: str
) -> None:
    """Wave 1 is out at T+0; a per-faculty gauge appears with the first sessions."""
    samples = source_up(elapsed) + [gw(at, 10) for at in range(int(elapsed) + 1)]
    verdicts = blind.evaluate(inputs_at(small_plan, elapsed, samples), {})
    (about,) = [v for v in verdicts if v.subject == "sessions_active"]
    if said == "unknown":
        assert about.unknown
    else:
        assert about.severity is Severity.WARNING and "never had a value" in about.message
    (connections,) = [v for v in verdicts if v.subject == "server_connections"]
    assert connections.severity is Severity.OK  # a server's series are there from the start
