"""Which limits a plan's platform has: each server's, of every kind in `kinds.KINDS`.

Whose students each limit counts is its kind's to say (`vigie/capacity/kinds/`).
"""

from __future__ import annotations

from dataclasses import dataclass

from vigie.capacity import kinds
from vigie.capacity.limit import Limit
from vigie.plan.model import Plan


@dataclass(frozen=True)
class CapacityModel:
    limits: tuple[Limit, ...]
    # Each faculty's connections per student relative to the typical student.
    factors: dict[str, float]

    def of_server(self, server: str) -> tuple[Limit, ...]:
        return tuple(limit for limit in self.limits if limit.server == server)


_MODELS: dict[int, tuple[Plan, CapacityModel]] = {}


def capacity_model(plan: Plan) -> CapacityModel:
    """The plan's model, built once per plan object (rules ask for it every poll)."""
    cached = _MODELS.get(id(plan))
    if cached is not None and cached[0] is plan:
        return cached[1]
    if len(_MODELS) > 32:  # a long-lived process loads few plans; never grow unbounded
        _MODELS.clear()
    model = CapacityModel(_limits(plan), _factors(plan))
    _MODELS[id(plan)] = (plan, model)
    return model


def _factors(plan: Plan) -> dict[str, float]:
    typical = plan.exercise.connections_per_student
    return {
        f.id: f.connections_per_student / typical
        if f.connections_per_student is not None and typical
        else 1.0
        for f in plan.faculties
    }


def _limits(plan: Plan) -> tuple[Limit, ...]:
    return tuple(
        limit
        for server in plan.servers
        for kind in kinds.KINDS
        for limit in kind.limits_of(server, plan.faculties)
    )
