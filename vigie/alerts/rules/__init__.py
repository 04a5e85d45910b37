"""The alert rules: pure functions of (inputs, previous severities) -> verdicts.

Each rule is a module of this package with its `SPEC` (`vigie.alerts.rule`).
`REGISTERED` is the whole list; the engine and the screens find rules here and
nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from vigie.alerts.facts import RuleFacts
from vigie.alerts.rule import Rule, RuleSpec
from vigie.alerts.rules import blind, faculty_lag, headroom, throttling, time_to_limit, wave_gate
from vigie.plan.model import Plan

# Every rule Vigie has.
REGISTERED: tuple[RuleSpec[Any], ...] = (
    headroom.SPEC,
    time_to_limit.SPEC,
    wave_gate.SPEC,
    blind.SPEC,
    throttling.SPEC,
    faculty_lag.SPEC,
)
RULES: dict[str, Rule] = {spec.name: spec.evaluate for spec in REGISTERED}
FACTS: dict[str, type[RuleFacts]] = {spec.name: spec.facts for spec in REGISTERED}
_HOLDS = {spec.name: spec.hold_s for spec in REGISTERED if spec.hold_s is not None}


def hold_seconds(plan: Plan, rule: str) -> float:
    """How long `rule`'s verdict must hold before it fires, in this plan."""
    hold = _HOLDS.get(rule)
    return 0.0 if hold is None else hold(plan)


def facts_of(rule: str, stored: Mapping[str, Any]) -> RuleFacts | None:
    """A transition's stored facts, typed; None for facts that do not validate
    (written by an older Vigie): then the rule's own words are shown."""
    model = FACTS.get(rule)
    if model is None or not stored:
        return None
    try:
        return model.model_validate(stored)
    except ValidationError:
        return None
