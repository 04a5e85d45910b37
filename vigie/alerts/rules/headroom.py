"""Headroom: a server's connections against its limit, at the plan's thresholds.

A level clears only once the ratio falls `hysteresis` below its threshold, so a
series hovering at 80% makes one alert, not a storm.
"""

from __future__ import annotations

from collections.abc import Mapping

from vigie.alerts.facts import HeadroomFacts
from vigie.alerts.inputs import RuleInputs
from vigie.alerts.verdict import Severity, Verdict
from vigie.i18n.formats import count

RULE = "headroom"


def evaluate(inputs: RuleInputs, previous: Mapping[str, Severity]) -> list[Verdict]:
    verdicts = []
    hysteresis = inputs.plan.alerts.headroom.hysteresis
    for server in inputs.plan.servers:
        point = inputs.connections(server.id)
        if not inputs.fresh(point):
            verdicts.append(
                Verdict.unknown_for(RULE, server.id, f"no fresh connections of {server.id}")
            )
            continue
        assert point is not None
        ratio = point.value / server.connection_limit
        t = server.thresholds
        levels = (
            (Severity.CRITICAL, t.critical),
            (Severity.WARNING, t.warning),
            (Severity.CAREFUL, t.careful),
        )
        was = previous.get(server.id, Severity.OK)
        severity, threshold = Severity.OK, 0.0
        for level, at in levels:
            if ratio >= at or (was >= level and ratio >= at - hysteresis):
                severity, threshold = level, at
                break
        message = (
            f"{server.id} at {count(point.value, 'en')} of {count(server.connection_limit, 'en')} "
            f"connections ({ratio:.0%})"
            + (
                ""
                if severity is Severity.OK
                else f": above its {threshold:.0%} {severity.label} level"
            )
        )
        verdicts.append(
            Verdict(
                RULE,
                server.id,
                severity,
                message,
                server=server.id,
                facts=HeadroomFacts(
                    connections=point.value,
                    limit=server.connection_limit,
                    ratio=ratio,
                    threshold=None if severity is Severity.OK else threshold,
                    level=severity.label,
                ),
            )
        )
    return verdicts
