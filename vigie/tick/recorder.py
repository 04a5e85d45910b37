"""After each poll cycle: the alert engine judges, then the screens' state is kept.

Runs in the one collecting process of a deployment. Screens in any number of
workers read what it wrote; none of them repeats the work.
"""

from __future__ import annotations

import logging
import threading

from vigie.alerts.engine import AlertEngine
from vigie.collectors.cycle import CycleResult
from vigie.store import Store
from vigie.tick.board import Board
from vigie.tick.build import build, final_tick
from vigie.tick.hosts import HostReader
from vigie.tick.losses import RecentPeaks
from vigie.tick.state import TickState

log = logging.getLogger(__name__)


class TickRecorder:
    def __init__(self, store: Store, exercise_id: int, engine: AlertEngine) -> None:
        self._store = store
        self._exercise = exercise_id
        self.engine = engine
        self._board = Board(store, exercise_id)
        self._hosts = HostReader(store, exercise_id)
        self._peaks = RecentPeaks()
        self._lock = threading.Lock()  # poll jobs of several sources call in from their threads
        self._previous = self._last_written()  # a restarted collector goes on from it

    def after_cycle(self, now: float, result: CycleResult) -> None:
        with self._lock:
            self.engine.after_cycle(now, result)
            self._record()

    def evaluate(self, now: float) -> None:
        """A judgement with no new samples (the pre-flight at T+0, a restart)."""
        with self._lock:
            self.engine.evaluate(now)
            self._record()

    def stop(self, at: float) -> None:
        """The exercise is stopped at `at`: alerts resolve, and the final state is kept."""
        with self._lock:
            self.engine.stop(at)
            if self._previous is None:
                self._record()
            self._record(final=at)

    def _last_written(self) -> TickState | None:
        found = self._store.ticks.latest(self._exercise)
        if found is None:
            return None
        try:
            return TickState.decode(found[1])
        except ValueError:  # written by an older Vigie: start afresh
            return None

    def _record(self, final: float | None = None) -> None:
        evaluation = self.engine.last
        if evaluation is None or (self.engine.stopped_at is not None and final is None):
            return
        try:
            self._board.catch_up()
            hosts = self._hosts.at(evaluation.inputs.now)
            tick, roster = build(
                self._store, self._board, evaluation, hosts, self._previous, self._peaks
            )
            if final is not None:
                tick = final_tick(tick, final)
            self._store.ticks.write(self._exercise, tick.at, tick.encode(), roster.encode())
            self._previous = tick
        except Exception:
            # The screens go stale and say so; the alerts and notifications go on.
            log.exception("could not keep the screens' state at %.3f", evaluation.inputs.now)
