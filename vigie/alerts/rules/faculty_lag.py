"""Lagging faculty: minutes after its wave started, a faculty has too few students in.

A local problem for that faculty's IT team. When most faculties lag at once the
problem is national, not local, and this rule stays quiet (the platform's own
alerts speak).
"""

from __future__ import annotations

from collections.abc import Mapping

from vigie.alerts.inputs import RuleInputs
from vigie.alerts.rules import throttling
from vigie.alerts.verdict import Severity, Verdict
from vigie.i18n.formats import count

RULE = "faculty_lag"


def _platform_refusing(inputs: RuleInputs) -> bool:
    """Students dropped by the platform itself are not a faculty's local problem."""
    return any(v.severity > Severity.OK for v in throttling.evaluate(inputs, {}))


def evaluate(inputs: RuleInputs, previous: Mapping[str, Severity]) -> list[Verdict]:
    settings = inputs.plan.alerts.faculty_lag
    sessions = inputs.sessions_by_faculty
    due = [
        f
        for f in inputs.plan.faculties
        if f.expected_students
        and inputs.elapsed_s - inputs.plan.wave(f.wave).start_min * 60 >= settings.after_min * 60
    ]
    verdicts, lagging = [], []
    for faculty in due:
        point = sessions.get(faculty.id)
        if not inputs.fresh(point):
            verdicts.append(
                Verdict.unknown_for(RULE, faculty.id, f"no fresh sessions of {faculty.id}")
            )
            continue
        assert point is not None
        share = point.value / faculty.expected_students
        if share < settings.below:
            lagging.append((faculty, point.value, share))
        else:
            verdicts.append(Verdict(RULE, faculty.id, Severity.OK, f"{faculty.id} is connected"))
    national = bool(lagging) and (
        len(lagging) > settings.national_share * len(due) or _platform_refusing(inputs)
    )
    for faculty, connected, share in lagging:
        if national:
            verdicts.append(
                Verdict(RULE, faculty.id, Severity.OK, "most faculties lag: a national problem")
            )
            continue
        minutes = (inputs.elapsed_s - inputs.plan.wave(faculty.wave).start_min * 60) / 60
        expected = faculty.expected_students
        message = (
            f"{faculty.name}: {count(connected, 'en')} of {count(expected, 'en')} students "
            f"connected ({share:.0%}) {minutes:.0f} min after wave {faculty.wave} started"
        )
        facts: dict[str, float | str] = {"connected": connected, "expected": expected}
        verdicts.append(Verdict(RULE, faculty.id, Severity.WARNING, message, facts=facts))
    return verdicts
