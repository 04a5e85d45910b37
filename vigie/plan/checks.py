"""Cross-checks over a structurally valid plan; each error names its field path."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from vigie.plan.model import Entity, Plan, SourceKind


@dataclass(frozen=True)
class PlanError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def cross_check(plan: Plan) -> list[PlanError]:
    checks = (
        _duplicate_ids,
        _waves,
        _faculty_waves,
        _total_students,
        _servers,
        _faculty_ratios,
        _signals,
        _exporters,
        _simulation,
    )
    return [error for check in checks for error in check(plan)]


def _duplicates(items: Sequence[object], key: str, path: str) -> Iterator[PlanError]:
    seen: set[object] = set()
    for index, item in enumerate(items):
        value = getattr(item, key)
        if value in seen:
            yield PlanError(f"{path}[{index}].{key}", f"duplicate {key} {value!r}")
        seen.add(value)


def _duplicate_ids(plan: Plan) -> Iterator[PlanError]:
    yield from _duplicates(plan.waves, "number", "waves")
    yield from _duplicates(plan.faculties, "id", "faculties")
    yield from _duplicates(plan.servers, "id", "servers")
    yield from _duplicates(plan.sources, "id", "sources")
    yield from _duplicates(plan.signals, "name", "signals")


def _waves(plan: Plan) -> Iterator[PlanError]:
    numbers = sorted(w.number for w in plan.waves)
    if numbers != list(range(1, len(numbers) + 1)):
        yield PlanError("waves", f"wave numbers must run 1..{len(numbers)}, got {numbers}")
    previous_start = -1.0
    for index, wave in sorted(enumerate(plan.waves), key=lambda pair: pair[1].number):
        if wave.start_min <= previous_start:
            yield PlanError(
                f"waves[{index}].start_min",
                f"wave {wave.number} starts at {wave.start_min:g} min, "
                "not after the wave before it",
            )
        if wave.start_min >= plan.exercise.duration_min:
            yield PlanError(
                f"waves[{index}].start_min",
                f"wave {wave.number} starts after the exercise ends "
                f"({plan.exercise.duration_min:g} min)",
            )
        previous_start = wave.start_min


def _faculty_waves(plan: Plan) -> Iterator[PlanError]:
    defined = {w.number for w in plan.waves}
    for index, faculty in enumerate(plan.faculties):
        if faculty.wave not in defined:
            yield PlanError(f"faculties[{index}].wave", f"wave {faculty.wave} is not defined")
    for index, wave in enumerate(plan.waves):
        if not plan.faculties_in_wave(wave.number):
            yield PlanError(f"waves[{index}]", f"wave {wave.number} has no faculty")


def _total_students(plan: Plan) -> Iterator[PlanError]:
    total = plan.exercise.total_students
    if total is not None and total != plan.total_expected:
        yield PlanError(
            "exercise.total_students",
            f"is {total} but the faculties' expected students sum to {plan.total_expected}",
        )


def _faculty_ratios(plan: Plan) -> Iterator[PlanError]:
    """A faculty's own connections per student scale the servers' estimates, which are
    per typical student: that typical student must be declared to compare with."""
    if plan.exercise.connections_per_student is not None:
        return
    for index, faculty in enumerate(plan.faculties):
        if faculty.connections_per_student is not None:
            yield PlanError(
                f"faculties[{index}].connections_per_student",
                "needs exercise.connections_per_student (the typical student's) to compare with",
            )


def _servers(plan: Plan) -> Iterator[PlanError]:
    for index, server in enumerate(plan.servers):
        if server.connection_limit <= 0:
            yield PlanError(
                f"servers[{index}].connection_limit",
                f"must be positive, got {server.connection_limit}",
            )
        t = server.thresholds
        if not t.careful < t.warning < t.critical:
            yield PlanError(
                f"servers[{index}].thresholds",
                f"must be ordered careful < warning < critical, "
                f"got {t.careful} / {t.warning} / {t.critical}",
            )


def _signals(plan: Plan) -> Iterator[PlanError]:
    sources = {s.id: s for s in plan.sources}
    for index, signal in enumerate(plan.signals):
        source = sources.get(signal.source)
        if source is None:
            yield PlanError(f"signals[{index}].source", f"source {signal.source!r} is not defined")
        elif source.kind is SourceKind.PROMETHEUS and signal.query is None:
            yield PlanError(
                f"signals[{index}].query",
                f"source {source.id!r} is Prometheus: give a PromQL query",
            )
        elif source.kind is SourceKind.SCRAPE and signal.metric is None:
            yield PlanError(
                f"signals[{index}].metric",
                f"source {source.id!r} is a /metrics page: give a metric name",
            )
    for index, source in enumerate(plan.sources):
        if source.kind is not SourceKind.AGENT and not source.url:
            yield PlanError(f"sources[{index}].url", f"a {source.kind.value} source needs a url")


def _exporters(plan: Plan) -> Iterator[PlanError]:
    from vigie.exporters.registry import PRESETS  # presets read the plan model

    sources = {s.id: s for s in plan.sources}
    described = [("servers", i, s.exporter, Entity.SERVER) for i, s in enumerate(plan.servers)]
    described += [
        ("faculties", i, f.exporter, Entity.FACULTY) for i, f in enumerate(plan.faculties)
    ]
    for kind, index, exporter, entity in described:
        if exporter is None:
            continue
        path = f"{kind}[{index}].exporter"
        preset = PRESETS.get(exporter.preset)
        if preset is None:
            yield PlanError(
                f"{path}.preset",
                f"no preset {exporter.preset!r}; known: {', '.join(PRESETS.names)}",
            )
        elif not preset.series_for(entity):
            yield PlanError(f"{path}.preset", f"{preset.name!r} does not describe a {entity.value}")
        else:
            for label in preset.needs:
                if label not in exporter.match:
                    yield PlanError(
                        f"{path}.match",
                        f"the {preset.name} preset needs `{label}` (which one of the "
                        f"{preset.software} series is this {entity.value}'s)",
                    )
        source = sources.get(exporter.source)
        if source is None:
            yield PlanError(f"{path}.source", f"source {exporter.source!r} is not defined")
        elif source.kind is SourceKind.AGENT:
            yield PlanError(
                f"{path}.source",
                f"source {source.id!r} is pushed by agents: an exporter is read through "
                "a prometheus or scrape source",
            )


def _simulation(plan: Plan) -> Iterator[PlanError]:
    sim = plan.simulation
    if sim is None:
        return
    waves = {w.number for w in plan.waves}
    for index, launch in enumerate(sim.launches):
        if launch.wave not in waves:
            yield PlanError(
                f"simulation.launches[{index}].wave", f"wave {launch.wave} is not defined"
            )
        if launch.at_min >= plan.exercise.duration_min:
            yield PlanError(
                f"simulation.launches[{index}].at_min",
                f"{launch.at_min:g} min is after the exercise ends "
                f"({plan.exercise.duration_min:g} min)",
            )
    yield from _duplicates(sim.launches, "wave", "simulation.launches")
    if sim.retry_min_s > sim.retry_max_s:
        yield PlanError("simulation.retry_min_s", "must not exceed retry_max_s")
    servers = {s.id for s in plan.servers}
    faculties = {f.id for f in plan.faculties}
    if sim.throttle is not None and sim.throttle.server not in servers:
        yield PlanError(
            "simulation.throttle.server", f"server {sim.throttle.server!r} is not defined"
        )
    for index, load in enumerate(sim.server_load):
        if load.server not in servers:
            yield PlanError(
                f"simulation.server_load[{index}].server", f"server {load.server!r} is not defined"
            )
    yield from _duplicates(sim.server_load, "server", "simulation.server_load")
    for index, entry in enumerate(sim.faculty_connections):
        if entry.faculty not in faculties:
            yield PlanError(
                f"simulation.faculty_connections[{index}].faculty",
                f"faculty {entry.faculty!r} is not defined",
            )
    for index, network in enumerate(sim.faculty_networks):
        if network.faculty not in faculties:
            yield PlanError(
                f"simulation.faculty_networks[{index}].faculty",
                f"faculty {network.faculty!r} is not defined",
            )
    if sim.stop_at_min is not None and sim.stop_at_min > plan.exercise.duration_min:
        yield PlanError(
            "simulation.stop_at_min",
            f"{sim.stop_at_min:g} min is after the exercise ends "
            f"({plan.exercise.duration_min:g} min)",
        )
