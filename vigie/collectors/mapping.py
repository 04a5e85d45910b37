"""Map source series onto the plan's signals, faculties and servers.

A signal names what to read (a metric and labels to match, or a PromQL query)
and the label that carries a plan id. Its `Route` is built once per plan: every id
it may store gets a slot and its stored labels then, so mapping a series costs a
look-up of its id label and of that id's slot, and builds nothing but its Sample,
at any roster size. Series of a scraped page that map to one id are summed here
(like PromQL's `sum by`); a Prometheus answer is taken as the engine gave it (see
prometheus.py). Series whose id the plan does not know are counted, not stored, so
a typo in an exporter's labels shows up instead of polluting the store.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from math import isfinite

from prometheus_client.metrics_core import Metric

from vigie.exporters.expand import signals_of
from vigie.plan.model import Entity, Plan, Signal
from vigie.series import Labels, Sample

log = logging.getLogger(__name__)

# signal -> the ids the plan does not know, seen in this poll
Unknown = defaultdict[str, set[str]]


@dataclass
class Mapped:
    samples: list[Sample]
    unknown_ids: dict[str, set[str]] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity, a per-poll dict key
class Route:
    """One signal, prepared for the per-series hot path."""

    signal: str
    entity: str
    # The label naming the plan id; None when every series is the one stored
    # series (a signal about the whole exercise, or an exporter's about one id).
    id_label: str | None
    match: tuple[tuple[str, str], ...]
    slots: Mapping[str, int]  # plan id -> its slot (empty without an id label)
    stored: tuple[Labels, ...]  # slot -> the labels of the series stored for it

    @property
    def direct(self) -> str | None:
        """The id label when a series' slot is just `slots[labels[direct]]` (no labels
        to match): the hot loops' shortcut, whose misses go through `slot`."""
        return None if self.match else self.id_label

    @classmethod
    def of(cls, signal: Signal, plan: Plan) -> Route:
        match = tuple(signal.match.items())
        if signal.entity is Entity.EXERCISE:
            return cls(signal.name, signal.entity.value, None, match, {}, ((),))
        if signal.entity_id is not None:  # an exporter's page has no label naming it
            pairs = {**signal.labels, signal.entity.value: signal.entity_id}
            fixed = tuple(sorted(pairs.items()))
            return cls(signal.name, signal.entity.value, None, match, {}, (fixed,))
        about = plan.faculties if signal.entity is Entity.FACULTY else plan.servers
        ids = [entity.id for entity in about]
        stored = tuple(((signal.entity.value, entity_id),) for entity_id in ids)
        slots = {entity_id: slot for slot, entity_id in enumerate(ids)}
        return cls(signal.name, signal.entity.value, signal.id_label, match, slots, stored)

    def slot(self, labels: Mapping[str, str], unknown: Unknown) -> int | None:
        """The slot of the stored series a source series is, or None when it is not
        for us (its labels do not match, or its id is not the plan's: then noted)."""
        for name, value in self.match:
            if labels.get(name) != value:
                return None
        if self.id_label is None:
            return 0
        entity_id = labels.get(self.id_label)
        if entity_id is None:
            unknown[self.signal].add(f"(no {self.id_label} label)")
            return None
        slot = self.slots.get(entity_id)
        if slot is None:
            unknown[self.signal].add(entity_id)
        return slot

    def entity_id(self, slot: int) -> str:
        return dict(self.stored[slot]).get(self.entity, "")


class Totals:
    """One route's sums in one poll, in arrays sized by the plan: no per-series dict.
    NaN and infinities are dropped, never stored."""

    __slots__ = ("direct", "order", "route", "seen", "slots", "values")

    def __init__(self, route: Route) -> None:
        self.route = route
        self.direct, self.slots = route.direct, route.slots
        self.values = [0.0] * len(route.stored)
        self.seen = bytearray(len(route.stored))
        self.order: list[int] = []  # the slots given a value, in the order they came

    def add(self, labels: Mapping[str, str], value: float, unknown: Unknown) -> None:
        if not isfinite(value):
            return
        direct = self.direct
        slot = self.slots.get(labels.get(direct, "")) if direct else None
        if slot is None:
            slot = self.route.slot(labels, unknown)  # the general case; notes an unknown id
            if slot is None:
                return
        if not self.seen[slot]:
            self.seen[slot] = 1
            self.order.append(slot)
        self.values[slot] += value

    def samples(self, at: float) -> list[Sample]:
        name, stored, values = self.route.signal, self.route.stored, self.values
        return [Sample(name, stored[slot], at, values[slot]) for slot in self.order]


class Accumulator:
    """Sums values per stored series, for any routes (an import's, instant by instant)."""

    def __init__(self) -> None:
        self._totals: dict[Route, Totals] = {}
        self.unknown: Unknown = defaultdict(set)

    def add(self, route: Route, labels: Mapping[str, str], value: float) -> None:
        totals = self._totals.get(route)
        if totals is None:
            totals = self._totals[route] = Totals(route)
        totals.add(labels, value, self.unknown)

    def result(self, at: float) -> Mapped:
        samples = [s for totals in self._totals.values() for s in totals.samples(at)]
        shared = shared_names(self._totals)
        return Mapped(summed_across_routes(samples, shared), dict(self.unknown))


def shared_names(routes: Iterable[Route]) -> frozenset[str]:
    """The signals read by more than one route (a preset's metrics on a page)."""
    routed = Counter(route.signal for route in routes)
    return frozenset(name for name, count in routed.items() if count > 1)


def summed_across_routes(samples: list[Sample], shared: frozenset[str]) -> list[Sample]:
    """`samples` with those of the signals in `shared`, read by several routes, summed
    per stored series (a preset's metrics on a page add up to one signal)."""
    if not shared:
        return samples
    kept: list[Sample] = []
    sums: dict[tuple[str, Labels], Sample] = {}
    for sample in samples:
        if sample.name not in shared:
            kept.append(sample)
            continue
        key = (sample.name, sample.labels)
        prior = sums.get(key)
        sums[key] = sample if prior is None else replace(sample, value=prior.value + sample.value)
    return kept + list(sums.values())


class UnknownIdLog:
    """Log each unknown faculty or server id once per signal: a typo shows, without a flood."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._seen: dict[str, set[str]] = defaultdict(set)

    def report(self, unknown: Mapping[str, set[str]]) -> None:
        for signal, ids in unknown.items():
            seen = self._seen[signal]
            for entity_id in sorted(ids - seen):
                seen.add(entity_id)
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
        self._shared = shared_names(r for routes in self._routes.values() for r in routes)

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset(self._routes)

    def map(self, families: Iterable[Metric], at: float) -> Mapped:
        unknown: Unknown = defaultdict(set)
        sinks = {metric: [Totals(r) for r in routes] for metric, routes in self._routes.items()}
        for family in families:
            for sample in family.samples:
                for totals in sinks.get(sample.name, ()):
                    totals.add(sample.labels, sample.value, unknown)
        samples = [s for group in sinks.values() for totals in group for s in totals.samples(at)]
        return Mapped(summed_across_routes(samples, self._shared), dict(unknown))
