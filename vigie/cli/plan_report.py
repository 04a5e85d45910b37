"""The text `vigie check` prints for a valid plan, with its pre-flight capacity table."""

from __future__ import annotations

from datetime import datetime

from vigie.capacity import Limit
from vigie.capacity.preflight import PreflightRow, preflight, shown
from vigie.i18n.formats import count, exercise_clock
from vigie.plan import Plan


def _plural(number: int, word: str, plural: str | None = None) -> str:
    """'1 wave', '3,000 faculties': counts read as the table's do."""
    return f"1 {word}" if number == 1 else f"{count(number, 'en')} {plural or word + 's'}"


def _start(starts_at: datetime | None) -> str:
    if starts_at is None:
        return "the start of `vigie serve` (no starts_at)"
    return starts_at.isoformat(timespec="minutes").replace("T", " ")


def describe(plan: Plan) -> str:
    ex = plan.exercise
    sites = _plural(len(plan.faculties), "faculty", "faculties")
    lines = [
        f"{ex.id}: valid plan",
        f"  {ex.name}",
        f"  T+0 at {_start(ex.starts_at)}",
        f"  {sites}, {count(plan.total_expected, 'en')} students "
        f"in {_plural(len(plan.waves), 'wave')}; {_plural(len(plan.servers), 'server')}, "
        f"{_plural(len(plan.sources), 'source')}, {_plural(len(plan.signals), 'signal')}",
    ]
    for wave in plan.waves_in_order:
        members = plan.faculties_in_wave(wave.number)
        lines.append(
            f"  wave {wave.number} at T+{exercise_clock(wave.start_min * 60)}: "
            f"{_plural(len(members), 'faculty', 'faculties')}, "
            f"{count(plan.expected_in_wave(wave.number), 'en')} students"
        )
    return "\n".join([*lines, "", *preflight_lines(plan)])


def preflight_lines(plan: Plan) -> list[str]:
    """Wave by wave, every limit's load from the plan's own estimates, and where it cannot hold."""
    rows = preflight(plan)
    if not rows:
        return ["Pre-flight: no server has a connections_per_student estimate; nothing to check."]
    table = [_cells(plan, row) for row in shown(rows)]
    header = ("after wave", "students", "limit", "connections", "level", "load")
    widths = [max(len(header[i]), *(len(r[i]) for r in table)) for i in range(len(header))]
    lines = [
        "Pre-flight capacity (the plan's estimates of connections per student and background "
        "load):",
        ("  " + "  ".join(_align(i, h, widths[i]) for i, h in enumerate(header))).rstrip(),
    ]
    lines += [
        "  " + "  ".join(_align(i, c, widths[i]) for i, c in enumerate(r)).rstrip() for r in table
    ]
    broken = [r for r in rows if not r.holds]
    lines += [_warning(plan, r) for r in _first_per_limit(broken)]
    lines += [_tight(plan, r) for r in rows if r.tight]
    if not broken:
        lines.append("Every limit holds the whole roster.")
    return lines


def _first_per_limit(rows: list[PreflightRow]) -> list[PreflightRow]:
    """Each limit that cannot hold once, at the first wave it cannot."""
    first: dict[str, PreflightRow] = {}
    for row in rows:
        first.setdefault(row.projection.limit.key, row)
    return list(first.values())


def _align(column: int, text: str, width: int) -> str:
    return text.ljust(width) if column in (0, 2, 5) else text.rjust(width)


def _cells(plan: Plan, row: PreflightRow) -> tuple[str, ...]:
    p = row.projection
    mark = "  <- cannot hold" if not row.holds else ("  <- above critical" if row.tight else "")
    return (
        str(row.wave),
        count(row.students, "en"),
        _short(plan, p.limit),
        count(p.peak, "en"),
        count(p.limit.level, "en"),
        f"{p.share:4.0%}{mark}",
    )


def _short(plan: Plan, limit: Limit) -> str:
    return limit.kind.table_name(plan, limit)


def _warning(plan: Plan, row: PreflightRow) -> str:
    p = row.projection
    return p.limit.kind.warning(plan, row.wave, p, row.per_student, row.at_most)


def _tight(plan: Plan, row: PreflightRow) -> str:
    p = row.projection
    return (
        f"note: after wave {row.wave}, {_short(plan, p.limit)} is at {p.share:.0%} of its level, "
        f"above its {p.limit.thresholds.critical:.0%} critical threshold"
    )
