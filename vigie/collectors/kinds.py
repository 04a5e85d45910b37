"""Build a deployment's collectors from its plan: one per polled source, by kind.

The table below is the whole list of kinds; agent sources have no collector
here, because faculty agents push to the central instead of being polled.
"""

from __future__ import annotations

from collections.abc import Callable

import requests

from vigie.collectors.base import Collector
from vigie.collectors.prometheus import PrometheusCollector
from vigie.collectors.registry import CollectorRegistry
from vigie.collectors.scrape import ScrapeCollector
from vigie.plan.model import Plan, Source, SourceKind

Factory = Callable[[Plan, Source, requests.Session | None], Collector]

FACTORIES: dict[SourceKind, Factory | None] = {
    SourceKind.PROMETHEUS: PrometheusCollector,
    SourceKind.SCRAPE: ScrapeCollector,
    SourceKind.AGENT: None,
}


def build_collectors(plan: Plan, session: requests.Session | None = None) -> CollectorRegistry:
    registry = CollectorRegistry()
    for source in plan.sources:
        factory = FACTORIES[source.kind]
        if factory is not None:
            registry.register(factory(plan, source, session))
    return registry


def poll_intervals(plan: Plan) -> dict[str, float]:
    """Each polled source's interval in seconds, by source id."""
    return {s.id: s.interval_s for s in plan.sources if FACTORIES[s.kind] is not None}
