"""The plan a rehearsal plays: the real plan's faculties at a fraction of their students.

Limits stay as the plan says (the live ones come from the exporters). Starting now,
and on loopback each faculty leaves from its own 127.0.x.y, grouped as its real
egress addresses group it, so a per-source limit counts what it will count on the day.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import tomli_w

from vigie.plan.model import AlertRules, Faculty, Plan
from vigie.rehearse.schedule import scaled_counts


def rehearsal_plan(
    plan: Plan, scale: float, addresses: dict[str, tuple[str, ...]] | None, now: datetime
) -> Plan:
    """`addresses`: each faculty's loopback egress (None: keep the plan's, for a real host)."""
    counts = scaled_counts(plan, scale)
    faculties = tuple(_scaled(f, counts[f.id], addresses) for f in plan.faculties)
    exercise = plan.exercise.model_copy(
        update={
            "starts_at": now.astimezone(UTC),
            "total_students": sum(f.expected_students for f in faculties) or None,
            "name": f"{plan.exercise.name} (rehearsal at {scale:g})",
        }
    )
    return plan.model_copy(
        update={"exercise": exercise, "faculties": faculties, "alerts": _alerts(plan, scale)}
    )


def _alerts(plan: Plan, scale: float) -> AlertRules:
    """Counts of students' connections scale with the students: 20 refusals in 30 s
    at full size are 1 at 5 %, or the throttling rule would never see a rehearsal's.
    Fractions and durations stay; so does the gate's `min_sessions`, a sample size."""
    throttling = plan.alerts.throttling
    refused = max(1.0, throttling.min_refused * scale) if throttling.min_refused else 0.0
    scaled = throttling.model_copy(update={"min_refused": refused})
    return plan.alerts.model_copy(update={"throttling": scaled})


def _scaled(
    faculty: Faculty, students: int, addresses: dict[str, tuple[str, ...]] | None
) -> Faculty:
    update: dict[str, Any] = {"expected_students": students}
    if addresses is not None:
        update["egress_ips"] = addresses[faculty.id]
    # Validated again, so addresses are addresses (model_copy would keep strings).
    return Faculty.model_validate({**faculty.model_dump(), **update})


def plan_text(plan: Plan) -> str:
    """The plan as TOML, stored with the exercise: the review reads what was rehearsed."""
    data = plan.model_dump(mode="json", exclude_none=True)
    return "# Written by `vigie rehearse`: the plan as rehearsed.\n" + tomli_w.dumps(data)
