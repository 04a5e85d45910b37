"""For the wall load benchmark: a live exercise of the seed plan with its past already
collected, so the dashboard is measured with minutes of history behind it.

The history is played like `vigie drill` (in-process simulator, collection,
alert engine and per-tick state on a virtual clock) but into a "live" exercise
whose T+0 is in the past, up to the present: a `vigie collect` started next
goes on from there.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from vigie.alerts.engine import AlertEngine
from vigie.clock import VirtualClock
from vigie.collectors.cycle import run_cycle
from vigie.plan import Plan, parse_plan
from vigie.plan.scaled import scaled_plan
from vigie.resources import seed_plan
from vigie.run.simulated import simulate_exercise
from vigie.store import Store
from vigie.tick.recorder import TickRecorder

SEED_URL = "http://127.0.0.1:9108/metrics"
SEED_STOP = "stop_at_min = 37\n"
SEED_DURATION = "duration_min = 120\n"


@dataclass(frozen=True)
class Backfill:
    exercise_id: int
    cycles: int
    samples: int
    wall_seconds: float


def _replace_once(text: str, old: str, new: str) -> str:
    """The seed plan's text with one line changed; raises ValueError if the seed moved on."""
    if text.count(old) != 1:
        raise ValueError(f"the seed plan no longer has exactly one {old.strip()!r}")
    return text.replace(old, new)


def endless_seed_plan(metrics_port: int, duration_min: int, sites: int | None = None) -> str:
    """The seed plan, never stopped by its simulation, read from `metrics_port`;
    with `sites`, a seed-shaped plan of that many sites (vigie.plan.scaled)."""
    text = seed_plan().read_text(encoding="utf-8")
    text = _replace_once(text, SEED_STOP, "")
    text = _replace_once(text, SEED_DURATION, f"duration_min = {duration_min}\n")
    text = _replace_once(text, SEED_URL, f"http://127.0.0.1:{metrics_port}/metrics")
    plan = parse_plan(text, "wall load plan")  # raises PlanInvalid if the edit broke it
    assert plan.simulation is not None and plan.simulation.stop_at_min is None
    if sites is None or sites == len(plan.faculties):
        return text
    return tomli_w.dumps(scaled_plan(plan, sites).model_dump(mode="json", exclude_none=True))


def write_plan(path: Path, plan_toml: str) -> Path:
    path.write_text(plan_toml, encoding="utf-8")
    return path


def backfill_live_exercise(
    store: Store, plan: Plan, plan_toml: str, history_min: float
) -> Backfill:
    """A live exercise started `history_min` ago, collected at every poll up to the present.

    The loop runs until the virtual clock catches up with the real one, so the
    history ends when the backfill ends (it is a few seconds longer than asked).
    """
    started = time.perf_counter()
    t0 = time.time() - history_min * 60
    clock = VirtualClock(t0)
    exercise = simulate_exercise(plan, clock, t0)
    exercise_id = store.create_exercise(
        plan_id=plan.exercise.id, name=plan.exercise.name, mode="live", plan_toml=plan_toml, t0=t0
    )
    interval = plan.poll_interval_s
    recorder = TickRecorder(store, exercise_id, AlertEngine(plan, store, exercise_id, t0, interval))
    recorder.evaluate(t0)
    cycles = samples = 0
    while clock.now() + interval <= time.time():
        clock.advance(interval)
        result = run_cycle(store, exercise_id, exercise.collectors, clock.now())
        recorder.after_cycle(clock.now(), result)
        samples += len(result.samples)
        cycles += 1
    return Backfill(exercise_id, cycles, samples, time.perf_counter() - started)
