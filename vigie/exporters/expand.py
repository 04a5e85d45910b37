"""A plan's signals: those it writes out, and those its exporters' presets bring.

A server or faculty with an `exporter` gets one signal per series of its preset,
about that one id (`entity_id`), as PromQL for a Prometheus source or as metric
names for a scraped /metrics page.
"""

from __future__ import annotations

from vigie.exporters.preset import Preset, Series
from vigie.exporters.registry import PRESETS
from vigie.plan.model import Entity, Exporter, Plan, Server, Signal, Source, SourceKind

_SIGNALS: dict[int, tuple[Plan, tuple[Signal, ...], tuple[Signal, ...]]] = {}


def signals_of(plan: Plan) -> tuple[Signal, ...]:
    """Every signal the plan's sources are read for, built once per plan object."""
    return _expanded(plan)[0]


def watched_signals(plan: Plan) -> tuple[Signal, ...]:
    """The signals whose absence means something is wrong: the plan's own, and each
    preset's required ones (an exporter may lack conntrack; it cannot lack sessions)."""
    return _expanded(plan)[1]


def exporters_of(plan: Plan) -> list[tuple[Entity, str, Exporter]]:
    """(entity, id, exporter) for every server and faculty that names one."""
    found = [(Entity.SERVER, s.id, s.exporter) for s in plan.servers if s.exporter]
    found += [(Entity.FACULTY, f.id, f.exporter) for f in plan.faculties if f.exporter]
    return [(entity, entity_id, exporter) for entity, entity_id, exporter in found if exporter]


def _expanded(plan: Plan) -> tuple[tuple[Signal, ...], tuple[Signal, ...]]:
    cached = _SIGNALS.get(id(plan))
    if cached is not None and cached[0] is plan:
        return cached[1], cached[2]
    if len(_SIGNALS) > 32:  # a long-lived process loads few plans; never grow unbounded
        _SIGNALS.clear()
    sources = {s.id: s for s in plan.sources}
    every, watched = list(plan.signals), list(plan.signals)
    for entity, entity_id, exporter in exporters_of(plan):
        preset, source = PRESETS.get(exporter.preset), sources.get(exporter.source)
        if preset is None or source is None:
            continue  # the plan's checks name it; an unchecked plan reads nothing for it
        for series in preset.series_for(entity):
            signals = _signals(series, entity, entity_id, exporter, source)
            every += signals
            watched += signals if series.required else []
    _SIGNALS[id(plan)] = (plan, tuple(every), tuple(watched))
    return tuple(every), tuple(watched)


def _signals(
    series: Series, entity: Entity, entity_id: str, exporter: Exporter, source: Source
) -> list[Signal]:
    """One PromQL signal; or on a page, one per metric (their values add up, as the
    PromQL sum does); none where only PromQL computes it."""
    labels = dict(series.labels)
    if entity is Entity.FACULTY:
        labels["host"] = host_of(exporter, entity_id)
    about = Signal(
        name=series.signal,
        source=source.id,
        entity=entity,
        query="-",
        entity_id=entity_id,
        labels=labels,
    )
    if source.kind is SourceKind.PROMETHEUS:
        return [about.model_copy(update={"query": series.promql(exporter.match)})]
    if source.kind is SourceKind.SCRAPE and series.on_pages:
        match = {**exporter.match, **series.match}
        return [
            about.model_copy(update={"query": None, "metric": metric, "match": match})
            for metric in series.metrics
        ]
    return []


def host_of(exporter: Exporter, entity_id: str) -> str:
    """The machine's name on the screens: given, or the host part of its `instance`."""
    if exporter.host:
        return exporter.host
    instance = exporter.match.get("instance", "")
    return instance.rsplit(":", 1)[0] or entity_id


def preset_of(server: Server) -> Preset | None:
    """The preset a server's exporter names (read every poll: no lookup by id)."""
    return PRESETS.get(server.exporter.preset) if server.exporter else None
