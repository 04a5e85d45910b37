"""The alert rules: pure functions of (inputs, previous severities) -> verdicts.

This table is the whole list; the engine finds rules here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

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
