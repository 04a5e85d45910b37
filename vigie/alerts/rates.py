"""Connections per typical student on each server, and each server's background load.

Before enough students are connected, the plan's estimate; then measured, as
what students add above the background load, divided by the connected students
weighted by their faculty's factor (a kiosk faculty's students count for more).
A ratio once measured is remembered, so a collapse or a restart does not fall
back to the plan's guess.
"""

from __future__ import annotations

from vigie.alerts.inputs import RuleInputs
from vigie.capacity import Rates, capacity_model


def weighted_sessions(inputs: RuleInputs) -> float | None:
    if inputs.total_sessions is None:
        return None
    factors = capacity_model(inputs.plan).factors
    return sum(factors.get(f, 1.0) * p.value for f, p in inputs.sessions_by_faculty.items())


def background(inputs: RuleInputs, server_id: str) -> float:
    """Measured while nobody was connected, else the plan's declared load."""
    measured = inputs.baselines.get(server_id)
    return inputs.plan.server(server_id).base_connections if measured is None else measured


def capacity_rates(inputs: RuleInputs) -> Rates:
    weighted = weighted_sessions(inputs) or 0.0
    enough = (inputs.total_sessions or 0.0) >= inputs.plan.alerts.wave_gate.min_sessions
    per_student: dict[str, float] = {}
    measured: dict[str, bool] = {}
    base: dict[str, float] = {}
    for server in inputs.plan.servers:
        base[server.id] = background(inputs, server.id)
        point = inputs.connections(server.id)
        if enough and weighted > 0 and inputs.fresh(point) and point is not None:
            per_student[server.id] = max(0.0, point.value - base[server.id]) / weighted
            measured[server.id] = True
        elif server.id in inputs.ratios:
            per_student[server.id], measured[server.id] = inputs.ratios[server.id], True
        elif server.connections_per_student is not None:
            per_student[server.id], measured[server.id] = server.connections_per_student, False
    return Rates(per_student, measured, base)


def launched_demand(inputs: RuleInputs) -> dict[str, float]:
    """Students of launched waves, by faculty: connected now, or still to come."""
    started = set(inputs.started_waves)
    now = inputs.sessions_by_faculty if inputs.elapsed_s > 0 else {}
    return {
        f.id: max(now[f.id].value if f.id in now else 0.0, float(f.expected_students))
        for f in inputs.plan.faculties
        if f.wave in started
    }
