"""The wave gate: would the next wave fit? GO or HOLD, with the numbers.

Each server's peak = its connections now + (students of started waves still to
connect + the next wave's students) x connections per student x (1 + margin).
The ratio is the plan's estimate until enough students are connected, then the
ratio measured on the server. After the last wave has started, the gate watches
whether the rest of that wave fits.
"""

from __future__ import annotations

from collections.abc import Mapping

from vigie.alerts.capacity import Projection, project
from vigie.alerts.inputs import RuleInputs
from vigie.alerts.verdict import Severity, Verdict
from vigie.i18n.formats import count

RULE = "wave_gate"


def gated_wave(inputs: RuleInputs) -> tuple[int, int] | None:
    """(wave number, its students still to come) for the wave the gate decides on."""
    started = inputs.started_waves
    upcoming = [w.number for w in inputs.plan.waves_in_order if w.number not in started]
    if upcoming:
        return upcoming[0], inputs.plan.expected_in_wave(upcoming[0])
    if started:
        return started[-1], 0  # the last wave is in: does the rest of it fit?
    return None


def evaluate(inputs: RuleInputs, previous: Mapping[str, Severity]) -> list[Verdict]:
    gate = gated_wave(inputs)
    if gate is None:
        return []
    wave, wave_students = gate
    subject = f"wave-{wave}"
    sessions = inputs.total_sessions if inputs.elapsed_s > 0 else 0.0
    if sessions is None:
        return [Verdict.unknown_for(RULE, subject, "active sessions are stale")]
    still_coming = max(0.0, inputs.expected_started - sessions)
    margin = inputs.plan.alerts.wave_gate.margin
    projections = []
    for server in inputs.plan.servers:
        point = inputs.connections(server.id)
        current = point.value if inputs.fresh(point) and point is not None else None
        if current is None and inputs.elapsed_s > 0 and inputs.started_waves:
            return [Verdict.unknown_for(RULE, subject, f"connections of {server.id} are stale")]
        current = current or 0.0
        measured = sessions >= inputs.plan.alerts.wave_gate.min_sessions
        baseline = inputs.baselines.get(server.id, 0.0)
        ratio = (
            max(0.0, current - baseline) / sessions if measured else server.connections_per_student
        )
        if ratio is None:
            continue
        projections.append(
            project(server, current, ratio, measured, still_coming, wave_students, margin)
        )
    if not projections:
        return []
    worst = max(projections, key=lambda p: p.share)
    return [_verdict(inputs, subject, wave, wave_students, worst, projections)]


def _verdict(
    inputs: RuleInputs,
    subject: str,
    wave: int,
    students: int,
    worst: Projection,
    all_: list[Projection],
) -> Verdict:
    server = inputs.plan.server(worst.server)
    facts: dict[str, float | str] = {
        "wave": wave,
        "students": students,
        "server": worst.server,
        "projected": worst.projected,
        "limit": worst.limit,
        "ratio": worst.ratio,
        "fit": worst.fit,
        "ratio_source": "measured" if worst.measured else "plan estimate",
    }
    what = (
        f"Wave {wave} ({count(students, 'en')} students)"
        if students
        else f"The rest of wave {wave}"
    )
    numbers = (
        f"would take {worst.server} to {count(worst.projected, 'en')} of "
        f"{count(worst.limit, 'en')} connections ({worst.share:.0%})"
    )
    if worst.projected >= worst.limit:
        advice = (
            f"HOLD. At most {count(worst.fit, 'en')} students fit; split the wave."
            if students
            else "HOLD new connections."
        )
        return Verdict(
            RULE,
            subject,
            Severity.CRITICAL,
            f"{what} {numbers}: {advice}",
            server=worst.server,
            facts=facts | {"verdict": "HOLD"},
        )
    tight = worst.share >= server.thresholds.critical
    severity = Severity.WARNING if tight else Severity.OK
    advice = (
        f"GO, but above the {server.thresholds.critical:.0%} critical level." if tight else "GO."
    )
    return Verdict(
        RULE,
        subject,
        severity,
        f"{what} {numbers}: {advice}",
        server=worst.server,
        facts=facts | {"verdict": "GO"},
    )
