"""Headroom: a server's connections against its limit, at the plan's thresholds.

A level clears only once the ratio falls `hysteresis` below its threshold, so a
series hovering at 80% makes one alert, not a storm.
"""

from __future__ import annotations

from collections.abc import Mapping

from vigie.alerts.facts import RuleFacts
from vigie.alerts.inputs import RuleInputs
from vigie.alerts.rule import Instant, RuleSpec, in_english
from vigie.alerts.verdict import Severity, Verdict
from vigie.i18n import Texts
from vigie.plan.model import Plan

RULE = "headroom"


class HeadroomFacts(RuleFacts):
    connections: float
    limit: int
    ratio: float
    level: str  # ok, careful, warning, critical
    threshold: float | None = None  # the level's threshold, when above one


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
        facts = HeadroomFacts(
            connections=point.value,
            limit=server.connection_limit,
            ratio=ratio,
            threshold=None if severity is Severity.OK else threshold,
            level=severity.label,
        )
        message = in_english(words, server.id, facts, inputs.plan)
        verdicts.append(Verdict(RULE, server.id, severity, message, server=server.id, facts=facts))
    return verdicts


def words(t: Texts, subject: str, f: HeadroomFacts, plan: Plan, when: Instant) -> str:
    values = {
        "server": subject,
        "connections": t.count(f.connections),
        "limit": t.count(f.limit),
        "share": t.percent(f.ratio),
    }
    if f.threshold is None:
        return t("{server} at {connections} of {limit} connections ({share})", **values)
    levels = {"careful": t("careful"), "warning": t("warning"), "critical": t("critical")}
    return t(
        "{server} at {connections} of {limit} connections ({share}): "
        "above its {threshold} {level} level",
        threshold=t.percent(f.threshold),
        level=levels.get(f.level, f.level),
        **values,
    )


SPEC = RuleSpec(
    name=RULE,
    evaluate=evaluate,
    facts=HeadroomFacts,
    words=words,
    hold_s=lambda p: p.alerts.headroom.hold_s,
)
