"""`vigie drill`: a whole exercise through simulator -> collection -> store, on a virtual clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from vigie.alerts.engine import AlertEngine
from vigie.clock import VirtualClock
from vigie.collectors.cycle import run_cycle
from vigie.plan.model import Plan
from vigie.run.simulated import simulate_exercise
from vigie.store import Store
from vigie.store.records import Choice, Decision
from vigie.tick.recorder import TickRecorder

DEFAULT_T0 = 1_700_000_000.0  # any fixed instant: drills of a plan without a date repeat exactly


@dataclass(frozen=True)
class DrillRun:
    exercise_id: int
    cycles: int
    samples: int
    wall_seconds: float
    simulated_s: float  # exercise seconds covered


def exercise_t0(plan: Plan) -> float:
    starts_at = plan.exercise.starts_at
    return DEFAULT_T0 if starts_at is None else starts_at.timestamp()


ROOM = "simulated room"  # the author of the GOs the simulation's room records
ROOM_WORDS = "launched as the simulation's room decided"


def _recorded_launches(plan: Plan) -> list[tuple[float, int]]:
    """(exercise second, wave) of the launches the simulated room records as a GO."""
    sim = plan.simulation
    launches = () if sim is None else sim.launches
    return sorted((launch.at_min * 60, launch.wave) for launch in launches if launch.recorded)


def run_drill(
    plan: Plan,
    plan_toml: str,
    store: Store,
    seed: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> DrillRun:
    """Poll the simulated platform at every interval until the exercise stops.

    `progress` is told the exercise seconds covered after each cycle.
    """
    started = time.perf_counter()
    t0 = exercise_t0(plan)
    clock = VirtualClock(t0)
    exercise = simulate_exercise(plan, clock, t0, seed)
    exercise_id = store.create_exercise(
        plan_id=plan.exercise.id, name=plan.exercise.name, mode="drill", plan_toml=plan_toml, t0=t0
    )
    interval = plan.poll_interval_s
    recorder = TickRecorder(store, exercise_id, AlertEngine(plan, store, exercise_id, t0, interval))
    recorder.evaluate(t0)  # the pre-flight: the wave gate speaks from the plan at T+0
    cycles = samples = 0
    room = _recorded_launches(plan)
    while clock.now() - t0 + interval <= exercise.end_s + 1e-9:
        clock.advance(interval)
        while room and room[0][0] <= clock.now() - t0:
            at_s, wave = room.pop(0)
            store.add_decision(exercise_id, t0 + at_s, ROOM, Decision(Choice.GO, ROOM_WORDS), wave)
        result = run_cycle(store, exercise_id, exercise.collectors, clock.now())
        recorder.after_cycle(clock.now(), result)
        samples += len(result.samples)
        cycles += 1
        if progress is not None:
            progress(clock.now() - t0)
    if exercise.stop_s is not None:
        recorder.stop(t0 + exercise.stop_s)  # the alerts resolve, the states freeze
        store.end_exercise(exercise_id, t0 + exercise.stop_s)
    elapsed = time.perf_counter() - started
    return DrillRun(exercise_id, cycles, samples, elapsed, clock.now() - t0)
