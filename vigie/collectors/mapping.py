"""Map exporter series onto the plan's signals, faculties and servers.

A signal names the metric to read, the labels it must match, and the label that
carries a plan id. Values of series that map to the same id are summed (like
PromQL's `sum by`), and series whose id the plan does not know are counted, not
stored, so a typo in an exporter's labels shows up instead of polluting the store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from prometheus_client.metrics_core import Metric

from vigie.plan.model import Entity, Plan, Signal
from vigie.series import Labels, Sample


@dataclass
class Mapped:
    samples: list[Sample]
    unknown_ids: dict[str, set[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Route:
    """One signal, prepared for the per-sample hot path."""

    signal: str
    entity: str
    id_label: str | None  # None: the signal is about the whole exercise
    match: tuple[tuple[str, str], ...]
    known_ids: frozenset[str]

    @classmethod
    def of(cls, signal: Signal, plan: Plan) -> _Route:
        known = {
            Entity.FACULTY: frozenset(f.id for f in plan.faculties),
            Entity.SERVER: frozenset(s.id for s in plan.servers),
            Entity.EXERCISE: frozenset(),
        }[signal.entity]
        id_label = None if signal.entity is Entity.EXERCISE else signal.id_label
        match = tuple(signal.match.items())
        return cls(signal.name, signal.entity.value, id_label, match, known)


class SignalMapper:
    def __init__(self, plan: Plan, source_id: str) -> None:
        self._routes: dict[str, list[_Route]] = defaultdict(list)
        for signal in plan.signals:
            if signal.source == source_id and signal.metric is not None:
                self._routes[signal.metric].append(_Route.of(signal, plan))

    def map(self, families: Iterable[Metric], at: float) -> Mapped:
        sums: dict[tuple[str, Labels], float] = defaultdict(float)
        unknown: dict[str, set[str]] = defaultdict(set)
        for family in families:
            for sample in family.samples:
                for route in self._routes.get(sample.name, ()):
                    labels = sample.labels
                    if route.match and any(labels.get(k) != v for k, v in route.match):
                        continue
                    if route.id_label is None:
                        sums[(route.signal, ())] += sample.value
                        continue
                    entity_id = labels.get(route.id_label)
                    if entity_id in route.known_ids:
                        sums[(route.signal, ((route.entity, entity_id),))] += sample.value
                    else:
                        unknown[route.signal].add(str(entity_id))
        samples = [Sample(name, labels, at, value) for (name, labels), value in sums.items()]
        return Mapped(samples, dict(unknown))
