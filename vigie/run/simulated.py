"""Wire a simulated platform to its in-process collector: shared by drill and demo."""

from __future__ import annotations

from dataclasses import dataclass

from vigie.clock import Clock
from vigie.collectors.inprocess import InProcessCollector
from vigie.collectors.registry import CollectorRegistry
from vigie.plan.model import Plan, SourceKind
from vigie.simulator import ExamPlatform, PlatformMetrics, platform_registry


@dataclass
class SimulatedExercise:
    plan: Plan
    t0: float
    metrics: PlatformMetrics
    collectors: CollectorRegistry

    @property
    def stop_s(self) -> float | None:
        return stop_seconds(self.plan)

    @property
    def end_s(self) -> float:
        """Exercise seconds at which the run is over: the stop, or the planned end."""
        stop = self.stop_s
        return self.plan.exercise.duration_min * 60 if stop is None else stop


def stop_seconds(plan: Plan) -> float | None:
    """Exercise seconds at which the simulated exercise is stopped, if it is."""
    sim = plan.simulation
    return None if sim is None or sim.stop_at_min is None else sim.stop_at_min * 60


def simulate_exercise(
    plan: Plan, clock: Clock, t0: float, seed: int | None = None
) -> SimulatedExercise:
    """The simulator stands in for every platform source of the plan (scrape or Prometheus)."""
    metrics = PlatformMetrics(ExamPlatform(plan, seed), clock, t0)
    registry = platform_registry(metrics)
    platform_sources = [s.id for s in plan.sources if s.kind is not SourceKind.AGENT]
    collectors = CollectorRegistry(
        InProcessCollector(plan, source, registry) for source in platform_sources
    )
    return SimulatedExercise(plan, t0, metrics, collectors)
