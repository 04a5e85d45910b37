"""Read a prometheus_client registry in the same process (drills and the demo)."""

from __future__ import annotations

from prometheus_client.registry import CollectorRegistry as MetricRegistry

from vigie.collectors.mapping import SignalMapper, UnknownIdLog
from vigie.plan.model import Plan
from vigie.series import Sample


class InProcessCollector:
    def __init__(self, plan: Plan, source: str, registry: MetricRegistry) -> None:
        self._source = source
        self._registry = registry
        self._mapper = SignalMapper(plan, source)
        self._unknown = UnknownIdLog(source)

    @property
    def name(self) -> str:
        return f"in-process:{self._source}"

    @property
    def source(self) -> str:
        return self._source

    def collect(self, now: float) -> list[Sample]:
        mapped = self._mapper.map(self._registry.collect(), now)
        self._unknown.report(mapped.unknown_ids)
        return mapped.samples
