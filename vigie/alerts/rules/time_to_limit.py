"""Time to limit: the recent ramp, extended in a straight line (like `predict_linear`).

A least-squares slope over the window; the alert fires when the limit is less
than the horizon away. The ramp of a wave stops once its students are in, so the
projection is capped by what the launched waves can still bring (the capacity
model's peak for the server's total, background load counted once, never
multiplied as if students brought it): a steep but short ramp that cannot reach
the limit is no alarm. A level clears only well past its boundary (hysteresis),
so a ramp hovering at a boundary, or a server hovering at its limit, is one alert.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from vigie.alerts.facts import RuleFacts
from vigie.alerts.inputs import RuleInputs
from vigie.alerts.rule import Instant, RuleSpec, in_english
from vigie.alerts.verdict import Severity, Verdict
from vigie.capacity import Demand, capacity_model, project
from vigie.i18n import Texts
from vigie.plan.model import Plan, Server
from vigie.store import Point

RULE = "time_to_limit"


class RampState(StrEnum):
    AT_LIMIT = "at_limit"
    RAMP = "ramp"
    FLAT = "flat"
    TOO_FEW = "too_few"


class TimeToLimitFacts(RuleFacts):
    state: RampState
    connections: float
    limit: int
    slope_per_s: float | None = None
    eta_s: float | None = None


def slope_per_second(points: Sequence[Point]) -> float:
    """Least-squares slope of value over time."""
    n = len(points)
    mean_t = sum(p.at for p in points) / n
    mean_v = sum(p.value for p in points) / n
    spread = sum((p.at - mean_t) ** 2 for p in points)
    if spread == 0:
        return 0.0
    return sum((p.at - mean_t) * (p.value - mean_v) for p in points) / spread


def ceilings(inputs: RuleInputs) -> dict[str, float]:
    """The most connections the launched waves can bring to each server's whole-server
    limit (what its connection signal measures), in one projection; a server missing
    has no estimate and nothing measured yet."""
    model = capacity_model(inputs.plan)
    totals = [limit for limit in model.limits if limit.kind.whole_server]
    margin = inputs.plan.alerts.wave_gate.margin
    demand = Demand(inputs.launched, {})
    return {p.limit.server: p.peak for p in project(model, demand, inputs.rates, margin, totals)}


def level(eta_s: float, horizon_s: float, was: Severity, hysteresis: float) -> Severity:
    """CRITICAL under half the horizon, WARNING under it; a level held clears only
    `hysteresis` (a fraction of its boundary) past it."""
    for severity, boundary in ((Severity.CRITICAL, horizon_s / 2), (Severity.WARNING, horizon_s)):
        stretch = 1 + hysteresis if was >= severity else 1.0
        if eta_s <= boundary * stretch:
            return severity
    return Severity.OK


def evaluate(inputs: RuleInputs, previous: Mapping[str, Severity]) -> list[Verdict]:
    caps = ceilings(inputs)
    return [
        _judge(inputs, server, previous.get(server.id, Severity.OK), caps.get(server.id))
        for server in inputs.plan.servers
    ]


def _judge(inputs: RuleInputs, server: Server, was: Severity, cap: float | None) -> Verdict:
    settings = inputs.plan.alerts.time_to_limit
    points = inputs.window.since(
        "server_connections", "server", server.id, inputs.now - settings.window_s
    )
    if not points or not inputs.fresh(points[-1]):
        return Verdict.unknown_for(RULE, server.id, f"no fresh connections of {server.id}")
    current, limit = points[-1].value, server.connection_limit
    near = (
        limit * (1 - inputs.plan.alerts.headroom.hysteresis) if was is Severity.CRITICAL else limit
    )
    if current >= near:
        facts = TimeToLimitFacts(state=RampState.AT_LIMIT, connections=current, limit=limit)
        return _verdict(inputs, server, Severity.CRITICAL, facts)
    if len(points) < settings.min_points:
        facts = TimeToLimitFacts(state=RampState.TOO_FEW, connections=current, limit=limit)
        return _verdict(inputs, server, Severity.OK, facts)
    slope = 0.0 if cap is not None and cap < limit else slope_per_second(points)
    if slope <= 0:
        facts = TimeToLimitFacts(
            state=RampState.FLAT, connections=current, limit=limit, slope_per_s=slope
        )
        return _verdict(inputs, server, Severity.OK, facts)
    eta = (limit - current) / slope
    facts = TimeToLimitFacts(
        state=RampState.RAMP, connections=current, limit=limit, slope_per_s=slope, eta_s=eta
    )
    return _verdict(inputs, server, level(eta, settings.horizon_s, was, settings.hysteresis), facts)


def _verdict(
    inputs: RuleInputs, server: Server, severity: Severity, facts: TimeToLimitFacts
) -> Verdict:
    message = in_english(words, server.id, facts, inputs.plan)
    return Verdict(RULE, server.id, severity, message, server=server.id, facts=facts)


def words(t: Texts, subject: str, f: TimeToLimitFacts, plan: Plan, when: Instant) -> str:
    values = {"server": subject, "connections": t.count(f.connections), "limit": t.count(f.limit)}
    if f.state is RampState.AT_LIMIT:
        return t("{server} is at its limit ({connections} of {limit})", **values)
    if f.state is RampState.TOO_FEW:
        return t("{server}: not enough points yet", server=subject)
    if f.eta_s is None or f.slope_per_s is None:
        return t("{server} is not heading for its limit", server=subject)
    return t(
        "{server} reaches its limit in ~{minutes} min at the current ramp "
        "(+{slope} connections/s, {connections} of {limit})",
        minutes=max(1, round(f.eta_s / 60)),
        slope=t.decimal(f.slope_per_s),
        **values,
    )


SPEC = RuleSpec(
    name=RULE,
    evaluate=evaluate,
    facts=TimeToLimitFacts,
    words=words,
    hold_s=lambda p: p.alerts.time_to_limit.hold_s,
)
