"""A `vigie collect` that collects while it holds its exercise's lease, stands by otherwise.

The standby keeps its plan and collectors built; taking over starts the polls and
the alert engine, which resumes every alert from the store. Losing the lease (a
newer epoch in the store) stops the polls at once: the collector is fenced off
and stands by again. Runs in one loop thread (`step`); polls run in the scheduler's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.base import BaseScheduler

from vigie.collectors.lease import Change, CollectorLease
from vigie.collectors.scheduler import MayWrite

log = logging.getLogger(__name__)

StartActive = Callable[[MayWrite], BaseScheduler]  # polls, engine and notifiers, fenced


class LeasedCollection:
    def __init__(
        self,
        lease: CollectorLease,
        start_active: StartActive,
        announce_active: Callable[[], None],
        say: Callable[[str], None],
    ) -> None:
        self._lease = lease
        self._start_active = start_active
        self._announce_active = announce_active
        self._say = say
        self._running: BaseScheduler | None = None
        self._standing_by_said = False

    @property
    def active(self) -> bool:
        return self._running is not None

    def step(self, now: float) -> None:
        """Renew or try the lease, and start or stop collecting when the role changed.
        A store that fails is logged: the role stays until the lease runs out."""
        try:
            change = self._lease.step(now)
        except Exception:
            log.exception("lease of exercise could not be renewed or tried at %.3f", now)
            return
        if change is Change.TOOK_OVER:
            self._take_over()
        elif change is Change.LOST:
            self._stand_by(lost=True)
        elif not self._lease.active and not self._standing_by_said:
            self._stand_by(lost=False)

    def _take_over(self) -> None:
        lease = self._lease.lease
        assert lease is not None
        self._say(f"Took the lease of exercise {lease.exercise_id} (epoch {lease.epoch})")
        self._standing_by_said = False
        self._running = self._start_active(self._lease.may_write)
        self._announce_active()

    def _stand_by(self, lost: bool) -> None:
        self._shutdown()
        held = self._lease.held_by()
        by = f"{held.holder} (epoch {held.epoch})" if held is not None else "another collector"
        what = "Lost the lease" if lost else "Standing by"
        self._say(f"{what}: the exercise is collected by {by}; standing by to take over")
        self._standing_by_said = True

    def _shutdown(self) -> None:
        if self._running is not None:
            running, self._running = self._running, None
            running.shutdown(wait=True)

    def stop(self, now: float) -> None:
        """A clean stop: stop collecting, and free the lease for a standby at once."""
        self._shutdown()
        try:
            self._lease.release(now)
        except Exception:
            log.exception("the lease could not be released; it expires by itself")
