"""Which limits a plan's platform has, and whose students each one counts.

A server's total counts every student. A per-source limit counts, address by
address, the students behind that address: a faculty's students are spread
evenly over its declared egress addresses (a NAT pool), the faculties sharing
an address are counted together, and a faculty that declares none is one
address of its own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from vigie.plan.model import Faculty, Plan, Server, Thresholds


class LimitKind(StrEnum):
    TOTAL = "total"
    PER_SOURCE = "per_source"


@dataclass(frozen=True)
class Limit:
    server: str
    kind: LimitKind
    level: int  # the connections at which it refuses or throttles
    thresholds: Thresholds
    # (faculty id, share of its students this limit counts): every faculty at 1.0
    # for a total; for a per-source limit, the faculties behind its address.
    counts: tuple[tuple[str, float], ...]
    address: str | None = None  # per-source: the address; None for a faculty's own
    background: bool = True  # a total carries the server's background load; an address not

    @property
    def key(self) -> str:
        """A stable name for this limit: `waf-1`, `waf-1@192.0.2.10`, `waf-1@nantes`."""
        if self.kind is LimitKind.TOTAL:
            return self.server
        return f"{self.server}@{self.address or self.counts[0][0]}"

    @property
    def faculties(self) -> tuple[str, ...]:
        return tuple(faculty for faculty, _ in self.counts)


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
    limits: list[Limit] = []
    everyone = tuple((f.id, 1.0) for f in plan.faculties)
    for server in plan.servers:
        limits.append(
            Limit(server.id, LimitKind.TOTAL, server.connection_limit, server.thresholds, everyone)
        )
        if server.per_source_limit is not None:
            limits += _per_source(server, plan.faculties)
    return tuple(limits)


def _per_source(server: Server, faculties: tuple[Faculty, ...]) -> list[Limit]:
    assert server.per_source_limit is not None
    behind: dict[str, list[tuple[str, float]]] = defaultdict(list)
    limits = []
    for faculty in faculties:
        if not faculty.egress_ips:
            limits.append(_address_limit(server, None, ((faculty.id, 1.0),)))
            continue
        share = 1 / len(faculty.egress_ips)
        for address in faculty.egress_ips:
            behind[str(address)].append((faculty.id, share))
    limits += [_address_limit(server, a, tuple(counts)) for a, counts in behind.items()]
    return limits


def _address_limit(
    server: Server, address: str | None, counts: tuple[tuple[str, float], ...]
) -> Limit:
    assert server.per_source_limit is not None
    return Limit(
        server.id,
        LimitKind.PER_SOURCE,
        server.per_source_limit,
        server.thresholds,
        counts,
        address,
        background=False,
    )
