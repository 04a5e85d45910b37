"""Wire and run the faculty agent process."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vigie.agent.agent import Agent, AgentIdentity, run_forever
from vigie.agent.sender import Sender
from vigie.agent.spool import Spool
from vigie.collectors.base import Collector
from vigie.collectors.host import HostCollector
from vigie.collectors.probe import HttpProbe
from vigie.run.stop_signals import stop_requested


@dataclass(frozen=True)
class AgentSettings:
    central: str
    faculty: str
    token: str
    probes: Sequence[str]
    interval_s: float
    spool: Path
    spool_max_bytes: int
    host: str | None = None


def build_agent(settings: AgentSettings) -> Agent:
    identity = AgentIdentity(settings.faculty, settings.host or os.uname().nodename)
    collectors: list[Collector] = [HostCollector("host", identity.host)]
    if settings.probes:
        collectors.append(HttpProbe("probe", settings.probes))
    spool = Spool(settings.spool, settings.spool_max_bytes)
    return Agent(identity, collectors, spool, Sender(settings.central, settings.token))


def run_agent(settings: AgentSettings, announce: Callable[[str], None] = print) -> None:
    agent = build_agent(settings)
    announce(
        f"Vigie agent for {settings.faculty} on {agent.identity.host}: every "
        f"{settings.interval_s:g} s to {settings.central} (spool {settings.spool})"
    )
    with stop_requested() as stop:
        run_forever(agent, settings.interval_s, stop)
    announce("Agent stopped.")
