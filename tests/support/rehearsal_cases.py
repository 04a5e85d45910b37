"""Rehearsal cases whose outcome is known on paper: a plan, scaled, and the staging
HAProxy's limit set from the plan's own numbers so that one wave, and no earlier
one, breaks it. Used by the real-stack test and the rehearsal benchmark.

- `total`: HAProxy's frontend `maxconn` sits between what waves 1..n-1 need (with
  the gate's margin, under its critical level) and what wave n brings.
- `per_source`: wave n's two largest faculties leave through one NAT address, and
  the stick table's per-source limit sits between the fullest earlier address and
  that one: the gate must name those two faculties.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from vigie.plan import Plan
from vigie.plan.model import ConnectDelay
from vigie.rehearse.schedule import scaled_counts
from vigie.staging import StagingSettings
from vigie.staging.plan import Timing

CONNECTIONS = 2  # each virtual student holds two (the seed's simulation says so)


@dataclass(frozen=True)
class Case:
    name: str
    settings: StagingSettings
    shared: tuple[str, ...]  # faculties behind one NAT address (per_source)
    breaking_wave: int
    limit: int  # the level that wave n crosses
    timing: Timing


def _connections_after(plan: Plan, scale: float) -> list[int]:
    counts = scaled_counts(plan, scale)
    total, after = 0, []
    for wave in plan.waves_in_order:
        total += sum(counts[f.id] for f in plan.faculties_in_wave(wave.number))
        after.append(total * CONNECTIONS)
    return after


def _between(held: float, breaking: float, plan: Plan) -> int:
    """A level that `held` connections stay under (margin and critical level apart)
    and `breaking` connections (margin apart) reach."""
    margin = 1 + plan.alerts.wave_gate.margin
    critical = min(s.thresholds.critical for s in plan.servers)
    low, high = held * margin / critical, breaking
    if not low < high:
        raise ValueError(f"no level between {low:.0f} and {high:.0f}: pick another scale")
    return math.floor((low + high) / 2)


def total_case(plan: Plan, scale: float, timing: Timing) -> Case:
    after = _connections_after(plan, scale)
    wave = len(after)
    limit = _between(after[-2], after[-1], plan)
    settings = StagingSettings(frontend_maxconn=limit, global_maxconn=limit * 4)
    return Case("total", settings, (), wave, limit, timing)


def per_source_case(plan: Plan, scale: float, timing: Timing) -> Case:
    counts = scaled_counts(plan, scale)
    last = plan.waves_in_order[-1].number
    shared = tuple(
        f.id for f in sorted(plan.faculties_in_wave(last), key=lambda f: -counts[f.id])[:2]
    )
    by_address: dict[str, int] = defaultdict(int)
    for faculty in plan.faculties:
        if faculty.wave != last:
            addresses = [str(a) for a in faculty.egress_ips] or [faculty.id]
            for address in addresses:
                by_address[address] += round(counts[faculty.id] / len(addresses))
    fullest = max(by_address.values()) * CONNECTIONS
    breaking = sum(counts[f] for f in shared) * CONNECTIONS
    limit = _between(fullest, breaking, plan)
    settings = StagingSettings(frontend_maxconn=4000, global_maxconn=8000, per_source_limit=limit)
    return Case("per_source", settings, shared, last, limit, timing)


TEST_TIMING = Timing(
    wave_gap_min=1 / 3, connect_delay=ConnectDelay(median_s=3, sigma=0.5, max_s=10)
)
