"""Read a prometheus_client registry in the same process (drills and the demo)."""

from __future__ import annotations

import logging

from prometheus_client.registry import CollectorRegistry as MetricRegistry

from vigie.collectors.mapping import SignalMapper
from vigie.plan.model import Plan
from vigie.series import Sample

log = logging.getLogger(__name__)


class InProcessCollector:
    def __init__(self, plan: Plan, source: str, registry: MetricRegistry) -> None:
        self._source = source
        self._registry = registry
        self._mapper = SignalMapper(plan, source)
        self._warned: set[tuple[str, str]] = set()

    @property
    def name(self) -> str:
        return f"in-process:{self._source}"

    @property
    def source(self) -> str:
        return self._source

    def collect(self, now: float) -> list[Sample]:
        mapped = self._mapper.map(self._registry.collect(), now)
        for signal, ids in mapped.unknown_ids.items():
            for entity_id in ids:
                if (signal, entity_id) not in self._warned:
                    self._warned.add((signal, entity_id))
                    log.warning("source %s: %s has unknown id %r", self._source, signal, entity_id)
        return mapped.samples
