"""One poll cycle: read every collector, write what they gave in one transaction.

A collector that raises marks its source down with the reason and is skipped;
the others are still read and written. Each source's health is also stored as
series (`source_up`, `source_poll_seconds`), so "was the monitoring blind at
14:31?" is answered from the store like any other question about the past.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from vigie.collectors.base import Collector, SourceFailure
from vigie.series import Sample
from vigie.store import HealthUpdate, Store

log = logging.getLogger(__name__)


@dataclass
class CycleResult:
    samples: list[Sample] = field(default_factory=list)
    health: list[HealthUpdate] = field(default_factory=list)

    @property
    def failures(self) -> dict[str, str]:
        return {h.source: h.error or "" for h in self.health if not h.ok}


def read_collectors(
    collectors: Iterable[Collector],
    now: float,
    timer: Callable[[], float] = time.perf_counter,
) -> CycleResult:
    result = CycleResult()
    for collector in collectors:
        started = timer()
        try:
            got = collector.collect(now)
        except SourceFailure as failure:  # partly read: keep what was read
            log.warning("source %s is down: %s", collector.source, failure.reason)
            result.samples.extend(failure.samples)
            update = HealthUpdate(collector.source, now, False, timer() - started, failure.reason)
        except Exception as exc:  # one failing source never stops the others
            log.warning("source %s is down: %s", collector.source, exc)
            update = HealthUpdate(collector.source, now, False, timer() - started, _reason(exc))
        else:
            result.samples.extend(got)
            update = HealthUpdate(collector.source, now, True, timer() - started)
        result.health.append(update)
        result.samples.extend(_health_samples(update))
    return result


def run_cycle(
    store: Store, exercise_id: int, collectors: Iterable[Collector], now: float
) -> CycleResult:
    result = read_collectors(collectors, now)
    store.write_cycle(exercise_id, result.samples, result.health)
    return result


def _health_samples(update: HealthUpdate) -> list[Sample]:
    labels = (("source", update.source),)
    return [
        Sample("source_up", labels, update.at, 1.0 if update.ok else 0.0),
        Sample("source_poll_seconds", labels, update.at, update.latency_s),
    ]


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
