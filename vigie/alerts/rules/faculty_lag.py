"""Lagging faculty: minutes after its wave was launched, a faculty has too few students in.

A local problem for that faculty's IT team. Time runs from the wave's actual
launch, not the plan's hope. When most faculties lag at once the problem is
national, not local, and this rule stays quiet (the platform's own alerts
speak); refusals by the platform silence only the faculties they explain (all of
them for a server-wide throttle, those behind the address for a per-source one).
"""

from __future__ import annotations

from collections.abc import Mapping

from vigie.alerts.facts import RuleFacts
from vigie.alerts.inputs import RuleInputs
from vigie.alerts.rule import Instant, RuleSpec, in_english
from vigie.alerts.rules import throttling
from vigie.alerts.verdict import Severity, Verdict
from vigie.i18n import Texts
from vigie.plan.model import Faculty, Plan

RULE = "faculty_lag"


class FacultyLagFacts(RuleFacts):
    connected: float
    expected: int
    wave: int
    minutes: float  # since the wave was launched


def _minutes_since_launch(inputs: RuleInputs, faculty: Faculty) -> float | None:
    launched = inputs.launched_s(faculty.wave)
    return None if launched is None else (inputs.elapsed_s - launched) / 60


def evaluate(inputs: RuleInputs, previous: Mapping[str, Severity]) -> list[Verdict]:
    settings = inputs.plan.alerts.faculty_lag
    sessions = inputs.sessions_by_faculty
    due = []
    for f in inputs.plan.faculties:
        minutes = _minutes_since_launch(inputs, f)
        if f.expected_students and minutes is not None and minutes >= settings.after_min:
            due.append((f, minutes))
    verdicts, lagging = [], []
    for faculty, minutes in due:
        point = sessions.get(faculty.id)
        if point is None or not inputs.fresh(point):
            verdicts.append(
                Verdict.unknown_for(RULE, faculty.id, f"no fresh sessions of {faculty.id}")
            )
            continue
        if point.value / faculty.expected_students < settings.below:
            lagging.append((faculty, point.value, minutes))
        else:
            verdicts.append(Verdict(RULE, faculty.id, Severity.OK, f"{faculty.id} is connected"))
    if not lagging:
        return verdicts
    national = len(lagging) > settings.national_share * len(due)
    explained = throttling.explained_faculties(inputs, throttling.evaluate(inputs, {}))
    for faculty, connected, minutes in lagging:
        if national or faculty.id in explained:
            why = (
                "most faculties lag: a national problem"
                if national
                else "the platform refuses its connections"
            )
            verdicts.append(Verdict(RULE, faculty.id, Severity.OK, why))
            continue
        verdicts.append(_lag(inputs.plan, faculty, connected, minutes))
    return verdicts


def _lag(plan: Plan, faculty: Faculty, connected: float, minutes: float) -> Verdict:
    facts = FacultyLagFacts(
        connected=connected, expected=faculty.expected_students, wave=faculty.wave, minutes=minutes
    )
    message = in_english(words, faculty.id, facts, plan)
    return Verdict(RULE, faculty.id, Severity.WARNING, message, facts=facts)


def words(t: Texts, subject: str, f: FacultyLagFacts, plan: Plan, when: Instant) -> str:
    return t(
        "{faculty}: {connected} of {expected} students connected ({share}) "
        "{minutes} min after wave {wave} was launched",
        faculty=plan.faculty_name(subject),
        connected=t.count(f.connected),
        expected=t.count(f.expected),
        share=t.percent(f.connected / max(1, f.expected)),
        minutes=t.count(round(f.minutes)),
        wave=f.wave,
    )


SPEC = RuleSpec(
    name=RULE,
    evaluate=evaluate,
    facts=FacultyLagFacts,
    words=words,
)
