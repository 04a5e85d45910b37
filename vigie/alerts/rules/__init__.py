"""The alert rules: pure functions of (inputs, previous severities) -> verdicts.

`REGISTERED` is the whole list; the engine finds rules here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from vigie.alerts.facts import (
    BlindFacts,
    FacultyLagFacts,
    GateFacts,
    HeadroomFacts,
    RuleFacts,
    ThrottlingFacts,
    TimeToLimitFacts,
)
from vigie.alerts.inputs import RuleInputs
from vigie.alerts.rules import blind, faculty_lag, headroom, throttling, time_to_limit, wave_gate
from vigie.alerts.verdict import Severity, Verdict
from vigie.plan.model import Plan

Rule = Callable[[RuleInputs, Mapping[str, Severity]], list[Verdict]]


@dataclass(frozen=True)
class RuleSpec:
    """A rule as the engine and the screens know it: its name (its module's RULE),
    its function, the typed facts it keeps beside its transitions, and how long a
    verdict must hold before it fires (none: at once)."""

    name: str
    evaluate: Rule
    facts: type[RuleFacts]
    hold_s: Callable[[Plan], float] | None = None


REGISTERED = (
    RuleSpec(headroom.RULE, headroom.evaluate, HeadroomFacts, lambda p: p.alerts.headroom.hold_s),
    RuleSpec(
        time_to_limit.RULE,
        time_to_limit.evaluate,
        TimeToLimitFacts,
        lambda p: p.alerts.time_to_limit.hold_s,
    ),
    RuleSpec(wave_gate.RULE, wave_gate.evaluate, GateFacts),
    RuleSpec(blind.RULE, blind.evaluate, BlindFacts),
    RuleSpec(throttling.RULE, throttling.evaluate, ThrottlingFacts),
    RuleSpec(faculty_lag.RULE, faculty_lag.evaluate, FacultyLagFacts),
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
