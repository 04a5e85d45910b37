"""Time to limit: the recent ramp, extended in a straight line (like `predict_linear`).

A least-squares slope over the window; the alert fires when the limit is less
than the horizon away. The ramp of a wave stops once its students are in, so the
projection is capped by what the started waves can still bring: a steep but
short ramp that cannot reach the limit is no alarm.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from vigie.alerts.inputs import RuleInputs
from vigie.alerts.verdict import Severity, Verdict
from vigie.i18n.formats import count
from vigie.plan.model import Server
from vigie.store import Point

RULE = "time_to_limit"


def slope_per_second(points: Sequence[Point]) -> float:
    """Least-squares slope of value over time."""
    n = len(points)
    mean_t = sum(p.at for p in points) / n
    mean_v = sum(p.value for p in points) / n
    spread = sum((p.at - mean_t) ** 2 for p in points)
    if spread == 0:
        return 0.0
    return sum((p.at - mean_t) * (p.value - mean_v) for p in points) / spread


def ceiling(inputs: RuleInputs, server: Server, current: float, margin: float) -> float | None:
    """The most connections the started waves can bring, or None when it cannot be told.

    Scaled from what the connected students hold once enough are in; before
    that, from the plan's estimate of connections per student.
    """
    sessions = inputs.total_sessions
    expected = inputs.expected_started
    if sessions and sessions >= inputs.plan.alerts.wave_gate.min_sessions:
        return current * max(1.0, expected / sessions) * (1 + margin)
    if server.connections_per_student is None:
        return None
    baseline = inputs.baselines.get(server.id, 0.0)
    return max(current, baseline + expected * server.connections_per_student * (1 + margin))


def evaluate(inputs: RuleInputs, previous: Mapping[str, Severity]) -> list[Verdict]:
    settings = inputs.plan.alerts.time_to_limit
    margin = inputs.plan.alerts.wave_gate.margin
    verdicts = []
    for server in inputs.plan.servers:
        points = inputs.window.since(
            "server_connections", "server", server.id, inputs.now - settings.window_s
        )
        if not points or not inputs.fresh(points[-1]):
            verdicts.append(
                Verdict.unknown_for(RULE, server.id, f"no fresh connections of {server.id}")
            )
            continue
        current, limit = points[-1].value, server.connection_limit
        facts: dict[str, float | str] = {"connections": current, "limit": limit}
        if current >= limit:
            verdicts.append(
                Verdict(
                    RULE,
                    server.id,
                    Severity.CRITICAL,
                    f"{server.id} is at its limit ({count(current, 'en')} of {count(limit, 'en')})",
                    server=server.id,
                    facts=facts,
                )
            )
            continue
        if len(points) < settings.min_points:
            verdicts.append(
                Verdict(RULE, server.id, Severity.OK, "not enough points yet", server=server.id)
            )
            continue
        cap = ceiling(inputs, server, current, margin)
        slope = 0.0 if cap is not None and cap < limit else slope_per_second(points)
        if slope <= 0:
            verdicts.append(
                Verdict(
                    RULE,
                    server.id,
                    Severity.OK,
                    f"{server.id} is not heading for its limit",
                    server=server.id,
                    facts=facts | {"slope_per_s": slope},
                )
            )
            continue
        eta = (limit - current) / slope
        severity = Severity.OK
        if eta <= settings.horizon_s / 2:
            severity = Severity.CRITICAL
        elif eta <= settings.horizon_s:
            severity = Severity.WARNING
        message = (
            f"{server.id} reaches its limit in ~{max(1, round(eta / 60))} min at the current ramp "
            f"(+{slope:.1f} connections/s, {count(current, 'en')} of {count(limit, 'en')})"
        )
        verdicts.append(
            Verdict(
                RULE,
                server.id,
                severity,
                message,
                server=server.id,
                facts=facts | {"slope_per_s": slope, "eta_s": eta},
            )
        )
    return verdicts
