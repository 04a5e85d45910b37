"""`vigie check --live`: read every exporter's limit now, and say where the plan differs.

The plan's own sources are read once, through the same collectors as on exam day,
so what is checked is what will be collected. A source that fails is named with
its reason; its servers keep the plan's limit, and the check says it could not read it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests

from vigie.capacity.live_limits import LIMIT_SIGNAL, LiveLimit, in_force, live_limits
from vigie.collectors.base import SourceFailure
from vigie.collectors.kinds import build_collectors
from vigie.exporters.expand import preset_of, signals_of
from vigie.plan.model import Plan
from vigie.store import Point


@dataclass(frozen=True)
class LiveCheck:
    limits: tuple[LiveLimit, ...]
    failures: dict[str, str]  # source id -> why it could not be read
    unread: tuple[str, ...]  # servers with a limit-publishing exporter that said none
    plan_in_force: Plan

    @property
    def differs(self) -> tuple[LiveLimit, ...]:
        return tuple(limit for limit in self.limits if limit.differs)


def check_live(plan: Plan, session: requests.Session | None = None) -> LiveCheck:
    wanted = {s.source for s in signals_of(plan) if s.name == LIMIT_SIGNAL}
    latest: dict[str, Point] = {}
    failures: dict[str, str] = {}
    now = time.time()
    for collector in build_collectors(plan, session):
        if collector.source not in wanted:
            continue
        try:
            samples = list(collector.collect(now))
        except SourceFailure as exc:
            failures[collector.source], samples = exc.reason, exc.samples
        except Exception as exc:  # any collector error is this source's failure, said
            failures[collector.source], samples = f"{type(exc).__name__}: {exc}", []
        for sample in samples:
            if sample.name == LIMIT_SIGNAL:
                latest[dict(sample.labels)["server"]] = Point(sample.at, sample.value)
    limits = live_limits(plan, latest)
    read = {limit.server for limit in limits}
    unread = tuple(
        s.id
        for s in plan.servers
        if s.exporter is not None
        and s.exporter.source in wanted
        and s.id not in read
        and _publishes_limit(plan, s.id)
    )
    return LiveCheck(limits, failures, unread, in_force(plan, limits))


def _publishes_limit(plan: Plan, server_id: str) -> bool:
    preset = preset_of(plan.server(server_id))
    return preset is not None and any(series.is_limit for series in preset.server)


def live_lines(plan: Plan, check: LiveCheck) -> list[str]:
    """The report's section, one line per server with an exporter."""
    lines = ["Live limits, read now from the plan's sources:"]
    by_server = {limit.server: limit for limit in check.limits}
    for server in plan.servers:
        preset = preset_of(server)
        if preset is None:
            continue
        limit = by_server.get(server.id)
        if limit is not None and limit.differs:
            lines.append(
                f"  DIFFERS  {server.id}: plan says {limit.planned:,}, "
                f"{limit.software} says {limit.live:,} ({limit.called}); "
                f"the pre-flight below uses {limit.live:,}"
            )
        elif limit is not None:
            lines.append(
                f"  ok       {server.id}: {limit.software} says {limit.live:,}, as the plan"
            )
        elif server.id in check.unread:
            lines.append(
                f"  UNREAD   {server.id}: {preset.software} gave no limit; "
                f"the plan's {server.connection_limit:,} stands"
            )
        else:
            lines.append(
                f"  plan     {server.id}: {preset.software} does not publish its limit; "
                f"the plan's {server.connection_limit:,} stands"
            )
    lines += [f"  FAILED   source {source}: {reason}" for source, reason in check.failures.items()]
    return lines
