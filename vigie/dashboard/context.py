"""What every page of one app reads from: the store, the clock, and which exercise.

One instance per app, handed to each page's `register`; it holds no per-viewer
state, so any number of viewers and workers share it.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from vigie.clock import Clock
from vigie.plan import Plan, parse_plan
from vigie.store import ExerciseRecord, Store

T = TypeVar("T")
TICKS_KEPT = 64  # live viewers share the newest; replays scrubbing around reuse recent ones


@dataclass(frozen=True)
class Exercise:
    record: ExerciseRecord
    plan: Plan
    poll_interval_s: float  # in exercise seconds: what "two polls old" is measured against


@dataclass
class ViewContext:
    store: Store
    clock: Clock
    exercise_id: int | None = None  # None: the newest exercise in the store
    refresh_ms: int = 1000
    poll_interval_s: float | None = None  # None: the plan's fastest source interval
    _plans: dict[int, Plan] = field(default_factory=dict)
    _ticks: OrderedDict[tuple[int, int], Any] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def per_tick(self, exercise: Exercise, at: float, compute: Callable[[], T]) -> T:
        """What `compute` gives for the poll interval holding `at`, computed once per
        worker and shared by every viewer of that instant, whatever their number."""
        key = (exercise.record.id, math.floor(at / exercise.poll_interval_s))
        with self._lock:
            if key in self._ticks:
                self._ticks.move_to_end(key)
                return cast(T, self._ticks[key])
        value = compute()
        with self._lock:
            self._ticks[key] = value
            while len(self._ticks) > TICKS_KEPT:
                self._ticks.popitem(last=False)
        return value

    def exercise(self) -> Exercise | None:
        record = (
            self.store.exercise(self.exercise_id)
            if self.exercise_id is not None
            else next(iter(self.store.exercises()), None)
        )
        if record is None:
            return None
        # An exercise's plan never changes once stored, so parsing it once is safe.
        if record.id not in self._plans:
            self._plans[record.id] = parse_plan(record.plan_toml, f"exercise {record.id}")
        plan = self._plans[record.id]
        interval = self.poll_interval_s or plan.poll_interval_s
        return Exercise(record, plan, interval)
