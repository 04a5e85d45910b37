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
from vigie.tick.build import build_tick
from vigie.tick.hosts import HostReader

log = logging.getLogger(__name__)


class TickRecorder:
    def __init__(self, store: Store, exercise_id: int, engine: AlertEngine) -> None:
        self._store = store
        self._exercise = exercise_id
        self.engine = engine
        self._board = Board(store, exercise_id)
        self._hosts = HostReader(store, exercise_id)
        self._lock = threading.Lock()  # poll jobs of several sources call in from their threads

    def after_cycle(self, now: float, result: CycleResult) -> None:
        with self._lock:
            self.engine.after_cycle(now, result)
            self._record()

    def evaluate(self, now: float) -> None:
        """A judgement with no new samples (the pre-flight at T+0, a restart)."""
        with self._lock:
            self.engine.evaluate(now)
            self._record()

    def _record(self) -> None:
        evaluation = self.engine.last
        if evaluation is None:
            return
        try:
            self._board.catch_up()
            hosts = self._hosts.at(evaluation.inputs.now)
            tick = build_tick(self._store, self._board, evaluation, hosts)
            self._store.ticks.write(self._exercise, tick.at, tick.encode())
        except Exception:
            # The screens go stale and say so; the alerts and notifications go on.
            log.exception("could not keep the screens' state at %.3f", evaluation.inputs.now)
