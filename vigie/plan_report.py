"""The text `vigie check` prints for a valid plan, with its pre-flight capacity table."""

from __future__ import annotations

from vigie.alerts.capacity import preflight
from vigie.i18n.formats import count, exercise_clock
from vigie.plan import Plan


def _plural(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def describe(plan: Plan) -> str:
    ex = plan.exercise
    lines = [
        f"{ex.id}: valid plan",
        f"  {ex.name}",
        f"  {len(plan.faculties)} faculties, {count(plan.total_expected, 'en')} students "
        f"in {_plural(len(plan.waves), 'wave')}; {_plural(len(plan.servers), 'server')}, "
        f"{_plural(len(plan.sources), 'source')}, {_plural(len(plan.signals), 'signal')}",
    ]
    for wave in plan.waves_in_order:
        members = plan.faculties_in_wave(wave.number)
        lines.append(
            f"  wave {wave.number} at T+{exercise_clock(wave.start_min * 60)}: "
            f"{len(members)} faculties, {count(plan.expected_in_wave(wave.number), 'en')} students"
        )
    return "\n".join([*lines, "", *preflight_lines(plan)])


def preflight_lines(plan: Plan) -> list[str]:
    """Wave by wave, each server's load from the plan's own estimates, and where it cannot hold."""
    rows = preflight(plan)
    if not rows:
        return ["Pre-flight: no server has a connections_per_student estimate; nothing to check."]
    lines = [
        "Pre-flight capacity (the plan's estimate of connections per student):",
        f"  {'after wave':<11}{'students':>9}  {'server':<10}{'connections':>12}{'limit':>9}  load",
    ]
    for row in rows:
        mark = "" if row.holds else "  <- cannot hold"
        lines.append(
            f"  {row.wave:<11}{count(row.students, 'en'):>9}  {row.server:<10}"
            f"{count(row.connections, 'en'):>12}{count(row.limit, 'en'):>9}  "
            f"{row.connections / row.limit:4.0%}{mark}"
        )
    warnings = [r for r in rows if not r.holds]
    for row in warnings:
        ratio = row.connections / row.students
        lines.append(
            f"WARNING: after wave {row.wave}, {count(row.students, 'en')} students x {ratio:g} = "
            f"{count(row.connections, 'en')} connections on {row.server}, limit "
            f"{count(row.limit, 'en')}: at most {count(row.at_most, 'en')} students at once"
        )
    if not warnings:
        lines.append("Every server holds the whole roster.")
    return lines
