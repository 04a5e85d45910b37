"""What every page of one app reads from: the store, the clock, and which exercise.

One instance per app, handed to each page's `register`; it holds no per-viewer
state. Its caches are per worker and keyed by what the store says, so workers
never need to agree with each other.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar, cast

from vigie.bounded import number_problem
from vigie.capacity.live_limits import recorded_in_force
from vigie.clock import Clock
from vigie.dashboard.history_grid import HistoryGrids
from vigie.plan import Plan, parse_plan
from vigie.store import ExerciseRecord, Store
from vigie.tick import FacultyRoster, FacultyView, TickState

T = TypeVar("T")
LIMITS_EVERY_S = 10.0  # a limit changes when someone reconfigures a server: rarely
KEPT = 256  # live viewers share the newest entries; replays scrubbing around reuse recent ones


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
    open_demo: bool = True  # no accounts: actions are signed with the name typed in
    history: HistoryGrids = field(default_factory=HistoryGrids)  # the charts' closed buckets
    _plans: dict[int, tuple[str, Plan]] = field(default_factory=dict)  # text, parsed
    _cache: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def shared(self, key: Hashable, compute: Callable[[], T]) -> T:
        """What `compute` gives for `key`, computed once per worker and shared by every
        viewer asking for the same key, whatever their number."""
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return cast(T, self._cache[key])
        value = compute()
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > KEPT:
                self._cache.popitem(last=False)
        return value

    def _in_force(self, record: ExerciseRecord, plan: Plan) -> Plan:
        """The plan with the limits its servers' software said (capacity/live_limits.py);
        read again every `LIMITS_EVERY_S` while the exercise runs, once after it ended."""
        now = self.clock.now()
        ended = record.ended is not None
        when: Hashable = "ended" if ended else math.floor(now / LIMITS_EVERY_S)
        return self.shared(
            ("in-force", record.id, when),
            lambda: recorded_in_force(self.store, record.id, plan, now),
        )

    def per_tick(self, exercise: Exercise, at: float, name: str, compute: Callable[[], T]) -> T:
        """Shared for the poll interval holding `at` (charts: recomputed once a tick)."""
        bucket = math.floor(at / exercise.poll_interval_s)
        return self.shared((name, exercise.record.id, bucket), compute)

    def tick(self, exercise: Exercise, at: float) -> TickState | None:
        """The per-tick state at or before `at`: one index seek, decoded once per worker."""
        found = self.store.ticks.at(exercise.record.id, at)
        if found is None:
            return None
        instant, body = found
        key = ("tick", exercise.record.id, instant)
        return self.shared(key, lambda: TickState.decode(body))

    def roster(self, exercise: Exercise, at: float) -> dict[str, FacultyView]:
        """Every site's view at or before `at`, by id: decoded once per worker and tick.

        A store written before rosters were kept apart has them in its ticks."""
        found = self.store.ticks.roster_at(exercise.record.id, at)
        if found is None:
            tick = self.tick(exercise, at)
            return {} if tick is None else {f.id: f for f in tick.faculties}
        instant, body = found
        key = ("roster", exercise.record.id, instant)
        return self.shared(key, lambda: {f.id: f for f in FacultyRoster.decode(body).faculties})

    def exercise(self, exercise_id: int | None = None) -> Exercise | None:
        """`exercise_id` (the review page's choice), else the app's, else the newest."""
        chosen = exercise_id if exercise_id is not None else self.exercise_id
        if chosen is not None and number_problem(chosen) is not None:
            return None  # an id past 64 bits (a URL's <int:...>) names no stored exercise
        # Without its plan: an exercise's plan never changes once stored, so it is
        # read and parsed once per worker, not at every request.
        record = self.store.exercise_without_plan(chosen)
        if record is None:
            return None
        if record.id not in self._plans:
            full = self.store.exercise(record.id)
            if full is None:
                return None  # deleted between the two reads
            text = full.plan_toml
            self._plans[record.id] = (text, parse_plan(text, f"exercise {record.id}"))
        text, stored = self._plans[record.id]
        record = replace(record, plan_toml=text)
        plan = self._in_force(record, stored)
        interval = self.poll_interval_s or plan.poll_interval_s
        return Exercise(record, plan, interval)
