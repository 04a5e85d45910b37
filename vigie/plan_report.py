"""The text `vigie check` prints for a valid plan."""

from __future__ import annotations

from vigie.dashboard.text import count, exercise_clock
from vigie.plan import Plan


def describe(plan: Plan) -> str:
    ex = plan.exercise
    lines = [
        f"{ex.id}: valid plan",
        f"  {ex.name}",
        f"  {len(plan.faculties)} faculties, {count(plan.total_expected, 'en')} students "
        f"in {len(plan.waves)} waves; {len(plan.servers)} servers, "
        f"{len(plan.sources)} sources, {len(plan.signals)} signals",
    ]
    for wave in plan.waves_in_order:
        members = plan.faculties_in_wave(wave.number)
        lines.append(
            f"  wave {wave.number} at T+{exercise_clock(wave.start_min * 60)}: "
            f"{len(members)} faculties, {count(plan.expected_in_wave(wave.number), 'en')} students"
        )
    for server in plan.servers:
        lines.append(
            f"  server {server.id} ({server.role.value}): limit "
            f"{count(server.connection_limit, 'en')} connections"
        )
    return "\n".join(lines)
