"""The pre-flight: wave by wave, every limit's load from the plan's own estimates.

No margin here: the plan's arithmetic as it stands, background load included
(never multiplied by students). Reaching a limit's level means it cannot hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vigie.capacity.limits import capacity_model
from vigie.capacity.projection import Demand, LimitProjection, Rates, project
from vigie.plan.model import Plan


@dataclass(frozen=True)
class PreflightRow:
    wave: int
    students: int  # cumulative, once the wave is in
    projection: LimitProjection

    @property
    def holds(self) -> bool:
        return self.projection.holds

    @property
    def tight(self) -> bool:
        """Holds, but at or above the server's critical level."""
        p = self.projection
        return p.holds and p.share >= p.limit.thresholds.critical

    @property
    def per_student(self) -> float:
        """Connections each counted student brings to this limit (background apart)."""
        p = self.projection
        return (p.peak - p.base) / p.counted if p.counted else 0.0

    @property
    def at_most(self) -> int:
        """Students this limit counts that it can hold at once (strictly below its level)."""
        p, per_student = self.projection, self.per_student
        if per_student <= 0:
            return math.floor(p.counted)
        return max(0, math.ceil((p.limit.level - p.base) / per_student - 1e-9) - 1)


def planned_rates(plan: Plan) -> Rates:
    estimates = {
        s.id: s.connections_per_student
        for s in plan.servers
        if s.connections_per_student is not None
    }
    return Rates(estimates, {}, {s.id: float(s.base_connections) for s in plan.servers})


def preflight(plan: Plan) -> list[PreflightRow]:
    model, rates = capacity_model(plan), planned_rates(plan)
    rows: list[PreflightRow] = []
    before: dict[str, float] = {}
    cumulative = 0
    for wave in plan.waves_in_order:
        demand = {f.id: float(f.expected_students) for f in plan.faculties_in_wave(wave.number)}
        cumulative += plan.expected_in_wave(wave.number)
        for projection in project(model, Demand(dict(before), demand), rates, 0.0):
            rows.append(PreflightRow(wave.number, cumulative, projection))
        before |= demand
    return rows


def shown(rows: list[PreflightRow]) -> list[PreflightRow]:
    """What the table prints: every whole-server limit, and of the others (an address
    each) the fullest of each kind, server and wave plus every one that cannot hold."""
    kept = []
    fullest: dict[tuple[int, str, str], PreflightRow] = {}
    for row in rows:
        limit = row.projection.limit
        if limit.kind.whole_server or not row.holds:
            kept.append(row)
            continue
        key = (row.wave, limit.server, limit.kind.name)
        if key not in fullest or row.projection.share > fullest[key].projection.share:
            fullest[key] = row
    kept += [r for r in fullest.values() if r not in kept]
    order = {id(r): i for i, r in enumerate(rows)}
    return sorted(kept, key=lambda r: order[id(r)])
