"""The alert rules: pure functions of (inputs, previous severities) -> verdicts.

This table is the whole list; the engine finds rules here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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

Rule = Callable[[RuleInputs, Mapping[str, Severity]], list[Verdict]]

RULES: dict[str, Rule] = {
    headroom.RULE: headroom.evaluate,
    time_to_limit.RULE: time_to_limit.evaluate,
    wave_gate.RULE: wave_gate.evaluate,
    blind.RULE: blind.evaluate,
    throttling.RULE: throttling.evaluate,
    faculty_lag.RULE: faculty_lag.evaluate,
}

# The typed facts each rule keeps beside its transitions.
FACTS: dict[str, type[RuleFacts]] = {
    headroom.RULE: HeadroomFacts,
    time_to_limit.RULE: TimeToLimitFacts,
    wave_gate.RULE: GateFacts,
    blind.RULE: BlindFacts,
    throttling.RULE: ThrottlingFacts,
    faculty_lag.RULE: FacultyLagFacts,
}


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
