"""The text `vigie drill` prints: what a planner reads after a rehearsal."""

from __future__ import annotations

from vigie.capacity import kind_named, partial
from vigie.i18n import ENGLISH
from vigie.i18n.formats import count, exercise_clock
from vigie.plan import Plan
from vigie.review.summary import Breach, ExerciseSummary, WaveOutcome
from vigie.run.drill import DrillRun


def describe_drill(plan: Plan, run: DrillRun, summary: ExerciseSummary, kept_in: str | None) -> str:
    where = (
        f"exercise {run.exercise_id} in {kept_in}"
        if kept_in
        else "a temporary store (--db keeps it)"
    )
    lines = [
        f"Drill of {plan.exercise.id}: T+{exercise_clock(run.simulated_s)} of exercise in "
        f"{run.wall_seconds:.1f} s ({count(run.cycles, 'en')} poll cycles, "
        f"{count(run.samples, 'en')} samples), stored in {where}",
        f"Peak active sessions: {count(summary.peak_active_sessions, 'en')} of "
        f"{count(summary.expected_students, 'en')} expected"
        + ("" if summary.peak_at_s is None else f", at T+{exercise_clock(summary.peak_at_s)}"),
    ]
    lines += [_wave_line(wave) for wave in summary.waves]
    lines += [_breach_line(breach) for breach in summary.breaches]
    if not summary.breaches:
        lines.append("No server went past its connection limit.")
    if summary.stopped_at_s is not None:
        lines.append(f"Exercise stopped at T+{exercise_clock(summary.stopped_at_s)}")
    lines += _alert_lines(summary)
    return "\n".join(lines)


def _wave_line(wave: WaveOutcome) -> str:
    started = (
        "nobody connected"
        if wave.started_at_s is None
        else (f"first connection T+{exercise_clock(wave.started_at_s)}")
    )
    launched = (
        "" if wave.launched_at_s is None else f", launched T+{exercise_clock(wave.launched_at_s)}"
    )
    return (
        f"  wave {wave.wave} (planned T+{exercise_clock(wave.planned_start_s)}{launched}): "
        f"{started}, "
        f"peak {count(wave.connected_peak, 'en')} of {count(wave.expected, 'en')} expected"
    )


def _breach_line(breach: Breach) -> str:
    if partial(breach.kind):
        level = kind_named(breach.kind).refusing(ENGLISH, breach.limit)
        return (
            f"BREACH {breach.server} at T+{exercise_clock(breach.at_s)}: refusing connections "
            f"at {level}, with {count(breach.active_sessions, 'en')} active sessions"
        )
    return (
        f"BREACH {breach.server} at T+{exercise_clock(breach.at_s)}: "
        f"{count(breach.connections, 'en')} connections over its limit of "
        f"{count(breach.limit, 'en')}, "
        f"with {count(breach.active_sessions, 'en')} active sessions"
    )


def _alert_lines(summary: ExerciseSummary) -> list[str]:
    if not summary.alerts:
        return ["No alert fired."]
    lines = ["Alerts (fired, resolved, lead time before the breach they warned of):"]
    for alert in summary.alerts:
        resolved = (
            "still firing"
            if alert.resolved_at_s is None
            else f"resolved at the stop, T+{exercise_clock(alert.resolved_at_s)}"
            if alert.stopped
            else f"resolved T+{exercise_clock(alert.resolved_at_s)}"
        )
        lead = "" if alert.lead_time_s is None else f", {exercise_clock(alert.lead_time_s)} ahead"
        lines.append(
            f"  T+{exercise_clock(alert.fired_at_s)} {alert.severity.upper():<8} "
            f"{alert.rule}/{alert.subject} ({resolved}{lead}): {alert.message}"
        )
    return lines
