"""Run poll cycles on a schedule with APScheduler, in the background.

One job per source at its own interval: `max_instances=1` so a slow source never
stacks cycles up, `coalesce=True` so missed runs collapse into one, and a
misfire grace of one interval so a late cycle still runs rather than vanishing.
Each job's cycle writes its source's samples in one transaction, unless the
collector has been fenced off (`may_write`: it no longer holds the exercise's lease).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from vigie.clock import Clock
from vigie.collectors.base import Collector
from vigie.collectors.cycle import CycleResult, run_cycle
from vigie.store import Store

log = logging.getLogger(__name__)

AfterCycle = Callable[[float, CycleResult], None]
MayWrite = Callable[[float], bool]


@dataclass(frozen=True)
class PollJob:
    collector: Collector
    every_real_s: float


def start_polling(
    store: Store,
    exercise_id: int,
    jobs: Iterable[PollJob],
    clock: Clock,
    after_cycle: AfterCycle | None = None,
    may_write: MayWrite | None = None,
    poll_at_once: bool = False,
) -> BackgroundScheduler:
    """Poll each collector on its own schedule, stamping samples with `clock`; a cycle
    at an instant `may_write` refuses reads and writes nothing. `poll_at_once`: the
    first polls now, not one interval from now (a collector taking over)."""
    scheduler = BackgroundScheduler(daemon=True)
    first = {"next_run_time": datetime.now(UTC)} if poll_at_once else {}
    for job in jobs:
        scheduler.add_job(
            _cycle_of(store, exercise_id, job.collector, clock, after_cycle, may_write),
            "interval",
            seconds=job.every_real_s,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, round(job.every_real_s) + 1),
            id=f"poll:{job.collector.source}",
            name=job.collector.name,
            **first,
        )
    scheduler.start()
    return scheduler


def _cycle_of(
    store: Store,
    exercise_id: int,
    collector: Collector,
    clock: Clock,
    after_cycle: AfterCycle | None,
    may_write: MayWrite | None = None,
) -> Callable[[], None]:
    def cycle() -> None:
        now = clock.now()
        if may_write is not None and not may_write(now):
            log.warning(
                "poll of %s at %.3f skipped: this collector is fenced off", collector.source, now
            )
            return
        try:
            result = run_cycle(store, exercise_id, [collector], now)
            if after_cycle is not None:
                after_cycle(now, result)
        except Exception:  # e.g. the store briefly unavailable: poll again next time
            log.exception("poll of %s at %.3f failed; its batch is lost", collector.source, now)

    return cycle
