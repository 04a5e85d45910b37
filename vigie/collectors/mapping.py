"""Map source series onto the plan's signals, faculties and servers.

A signal names what to read (a metric and labels to match, or a PromQL query)
and the label that carries a plan id. Values of series that map to the same id
are summed (like PromQL's `sum by`), and series whose id the plan does not know
are counted, not stored, so a typo in an exporter's labels shows up instead of
polluting the store.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from prometheus_client.metrics_core import Metric

from vigie.exporters.expand import signals_of
from vigie.plan.model import Entity, Plan, Signal
from vigie.series import Labels, Sample

log = logging.getLogger(__name__)

SeriesKey = tuple[str, Labels]


@dataclass
class Mapped:
    samples: list[Sample]
    unknown_ids: dict[str, set[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    """One signal, prepared for the per-sample hot path."""

    signal: str
    entity: str
    id_label: str | None  # None: the signal is about the whole exercise
    match: tuple[tuple[str, str], ...]
    known_ids: frozenset[str]
    # An exporter's signal: every series is this one id's, stored under this key.
    fixed: Labels | None = None

    @classmethod
    def of(cls, signal: Signal, plan: Plan) -> Route:
        known = {
            Entity.FACULTY: frozenset(f.id for f in plan.faculties),
            Entity.SERVER: frozenset(s.id for s in plan.servers),
            Entity.EXERCISE: frozenset(),
        }[signal.entity]
        id_label = None if signal.entity is Entity.EXERCISE else signal.id_label
        fixed = None
        if signal.entity_id is not None and signal.entity is not Entity.EXERCISE:
            pairs = {**signal.labels, signal.entity.value: signal.entity_id}
            fixed = tuple(sorted(pairs.items()))
        match = tuple(signal.match.items())
        return cls(signal.name, signal.entity.value, id_label, match, known, fixed)

    def key(self, labels: Mapping[str, str], unknown: dict[str, set[str]]) -> SeriesKey | None:
        """The stored series a source series adds to, or None when it is not for us."""
        if self.match and any(labels.get(k) != v for k, v in self.match):
            return None
        if self.fixed is not None:
            return self.signal, self.fixed
        if self.id_label is None:
            return self.signal, ()
        entity_id = labels.get(self.id_label)
        if entity_id in self.known_ids:
            return self.signal, ((self.entity, entity_id),)
        unknown[self.signal].add(str(entity_id))
        return None


class Accumulator:
    """Sums values per stored series; NaN and infinities are dropped, never stored."""

    def __init__(self) -> None:
        self.sums: dict[SeriesKey, float] = defaultdict(float)
        self.unknown: dict[str, set[str]] = defaultdict(set)

    def add(self, route: Route, labels: Mapping[str, str], value: float) -> None:
        if value != value or value in (float("inf"), float("-inf")):
            return
        key = route.key(labels, self.unknown)
        if key is not None:
            self.sums[key] += value

    def result(self, at: float) -> Mapped:
        samples = [Sample(name, labels, at, value) for (name, labels), value in self.sums.items()]
        return Mapped(samples, dict(self.unknown))


class UnknownIdLog:
    """Log each unknown faculty or server id once per signal: a typo shows, without a flood."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._seen: set[tuple[str, str]] = set()

    def report(self, unknown: dict[str, set[str]]) -> None:
        for signal, ids in unknown.items():
            for entity_id in sorted(ids - {i for s, i in self._seen if s == signal}):
                self._seen.add((signal, entity_id))
                log.warning(
                    "source %s: %s has an id the plan does not know: %r",
                    self._source,
                    signal,
                    entity_id,
                )


class SignalMapper:
    """Maps /metrics families (scraped or in-process) onto one source's signals."""

    def __init__(self, plan: Plan, source_id: str) -> None:
        self._routes: dict[str, list[Route]] = defaultdict(list)
        for signal in signals_of(plan):
            if signal.source == source_id and signal.metric is not None:
                self._routes[signal.metric].append(Route.of(signal, plan))

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset(self._routes)

    def map(self, families: Iterable[Metric], at: float) -> Mapped:
        acc = Accumulator()
        for family in families:
            for sample in family.samples:
                for route in self._routes.get(sample.name, ()):
                    acc.add(route, sample.labels, sample.value)
        return acc.result(at)
