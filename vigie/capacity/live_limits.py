"""The limits in force: what the platform's own software says, where it says it.

A plan's `connection_limit` is what the team wrote down; HAProxy's frontend
`maxconn` or PostgreSQL's `max_connections` is what refuses students. Where a
server's exporter publishes its limit, that value is the one every rule and screen
uses, and a plan that says otherwise is flagged, never silently trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vigie.exporters.expand import preset_of
from vigie.plan.model import Plan
from vigie.store import Point, Store

LIMIT_SIGNAL = "server_connection_limit"


@dataclass(frozen=True)
class LiveLimit:
    server: str
    planned: int
    live: int
    software: str  # "HAProxy"
    called: str  # what the software calls it: "frontend maxconn"
    measured_at: float

    @property
    def differs(self) -> bool:
        return self.live != self.planned


def live_limits(plan: Plan, latest: Mapping[str, Point]) -> tuple[LiveLimit, ...]:
    """The limits the servers' exporters said last, by server (`latest`: the newest
    point of `server_connection_limit` per server). A limit is not a rate: the last
    value said stays the truth while the rules' window holds it, even through an
    exporter's outage (the outage itself is the blind rule's to say)."""
    found = []
    for server in plan.servers:
        point, preset = latest.get(server.id), preset_of(server)
        if point is None or preset is None or not point.value > 0:
            continue
        found.append(
            LiveLimit(
                server.id,
                server.connection_limit,
                round(point.value),
                preset.software,
                preset.limit_called,
                point.at,
            )
        )
    return tuple(found)


_IN_FORCE: dict[tuple[int, tuple[tuple[str, int], ...]], tuple[Plan, Plan]] = {}


def in_force(plan: Plan, limits: tuple[LiveLimit, ...]) -> Plan:
    """The plan with each server's limit as its software says it; the same object
    while the limits stay the same (rules cache their capacity model per plan)."""
    changed = tuple((limit.server, limit.live) for limit in limits if limit.differs)
    if not changed:
        return plan
    key = (id(plan), changed)
    cached = _IN_FORCE.get(key)
    if cached is not None and cached[0] is plan:
        return cached[1]
    if len(_IN_FORCE) > 32:
        _IN_FORCE.clear()
    live = dict(changed)
    servers = tuple(
        s.model_copy(update={"connection_limit": live[s.id]}) if s.id in live else s
        for s in plan.servers
    )
    result = plan.model_copy(update={"servers": servers})
    _IN_FORCE[key] = (plan, result)
    return result


def mismatch_text(limit: LiveLimit) -> str:
    """The line an operator reads: "plan says 16,000, HAProxy says 12,000"."""
    return (
        f"{limit.server}: plan says {limit.planned:,}, {limit.software} says {limit.live:,}"
        f" ({limit.called})"
    )


def recorded_in_force(store: Store, exercise_id: int, plan: Plan, at: float) -> Plan:
    """The plan with the limits its servers' software last said by `at`, as collected:
    what an exercise's pages and review judge against (its stored plan is the intention)."""
    if not any(s.exporter is not None for s in plan.servers):
        return plan
    latest = store.latest_of(exercise_id, (LIMIT_SIGNAL,), at).get(LIMIT_SIGNAL, {})
    by_server = {dict(labels).get("server", ""): point for labels, point in latest.items()}
    return in_force(plan, live_limits(plan, by_server))
