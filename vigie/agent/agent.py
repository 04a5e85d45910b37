"""`vigie agent`: measure the faculty's hosts and the platform, push to the central.

Every measurement goes to the disk spool first and is sent from there, so an
outage of the link to the central loses nothing: the backlog is sent, in order
and with its original timestamps, once the central answers again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vigie.agent.sender import FlushReport, Sender
from vigie.agent.spool import Spool
from vigie.collectors.base import Collector
from vigie.collectors.cycle import read_collectors
from vigie.collectors.push_payload import encode_batch
from vigie.series import Sample

log = logging.getLogger(__name__)

PUSHABLE_PREFIXES = ("host_", "probe_", "agent_")


@dataclass(frozen=True)
class AgentIdentity:
    faculty: str
    host: str


class Agent:
    def __init__(
        self,
        identity: AgentIdentity,
        collectors: Sequence[Collector],
        spool: Spool,
        sender: Sender,
    ) -> None:
        self.identity = identity
        self._collectors = list(collectors)
        self._spool = spool
        self._sender = sender

    def tick(self, now: float, flush_budget_s: float = 5.0) -> FlushReport:
        """Measure once, spool the batch, then push as much of the backlog as goes."""
        cycle = read_collectors(self._collectors, now)
        samples = cycle.samples + self._own_health(now)
        self._spool.append(now, encode_batch(self._payload(samples)))
        return self._sender.flush(self._spool, flush_budget_s)

    def _own_health(self, now: float) -> list[Sample]:
        return [
            Sample("agent_backlog_batches", (), now, float(self._spool.count())),
            Sample("agent_dropped_batches_total", (), now, float(self._spool.dropped)),
        ]

    def _payload(self, samples: list[Sample]) -> dict[str, object]:
        return {
            "faculty": self.identity.faculty,
            "host": self.identity.host,
            "samples": [
                {
                    "name": _pushable_name(s.name),
                    "labels": {k: v for k, v in s.labels if k not in ("host", "faculty")},
                    "at": s.at,
                    "value": s.value,
                }
                for s in samples
            ],
        }


def _pushable_name(name: str) -> str:
    """The central takes host_, probe_ and agent_ series; the agent's own health is agent_."""
    return name if name.startswith(PUSHABLE_PREFIXES) else f"agent_{name}"


def run_forever(
    agent: Agent,
    interval_s: float,
    stop: threading.Event,
    clock: Callable[[], float] = time.time,
) -> None:
    """Tick every `interval_s` until `stop` is set; a failing tick is logged, not fatal."""
    while not stop.is_set():
        started = time.monotonic()
        try:
            agent.tick(clock(), flush_budget_s=interval_s * 0.8)
        except Exception:
            log.exception("agent tick failed; trying again next interval")
        stop.wait(max(0.0, interval_s - (time.monotonic() - started)))
