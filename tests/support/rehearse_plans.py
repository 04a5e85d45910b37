"""Small plans for rehearsal tests, built from a line per faculty (outcome known on paper)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w

from vigie.plan import Plan, plan_from_dict

# (faculty id, expected students, wave, egress addresses)
FacultyLine = tuple[str, int, int, tuple[str, ...]]


def plan_data(
    faculties: list[FacultyLine],
    simulation: dict[str, Any] | None = None,
    exercise: dict[str, Any] | None = None,
) -> dict[str, Any]:
    waves = sorted({wave for _, _, wave, _ in faculties})
    data: dict[str, Any] = {
        "exercise": {"id": "rehearsal", "name": "Rehearsal", **(exercise or {})},
        "waves": [{"number": w, "start_min": 5 * (w - 1)} for w in waves],
        "faculties": [
            {
                "id": fid,
                "name": fid.title(),
                "expected_students": expected,
                "wave": wave,
                "egress_ips": list(egress),
            }
            for fid, expected, wave, egress in faculties
        ],
        "servers": [{"id": "gw", "role": "gateway", "connection_limit": 100_000}],
    }
    if simulation is not None:
        data["simulation"] = simulation
    return data


def make_plan(
    faculties: list[FacultyLine],
    simulation: dict[str, Any] | None = None,
    exercise: dict[str, Any] | None = None,
) -> Plan:
    return plan_from_dict(plan_data(faculties, simulation, exercise))


def write_plan(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path
