"""Run poll cycles on a schedule with APScheduler, in the background.

One job per deployment's collectors: `max_instances=1` so a slow source never
stacks cycles up, `coalesce=True` so missed runs collapse into one, and a
misfire grace of one interval so a late cycle still runs rather than vanishing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler

from vigie.clock import Clock
from vigie.collectors.base import CollectorRegistry
from vigie.collectors.cycle import run_cycle
from vigie.store import Store

log = logging.getLogger(__name__)


def start_polling(
    store: Store,
    exercise_id: int,
    collectors: CollectorRegistry,
    clock: Clock,
    every_real_s: float,
    after_cycle: Callable[[float], None] | None = None,
) -> BackgroundScheduler:
    """Poll every `every_real_s` seconds of real time, stamping samples with `clock`."""

    def cycle() -> None:
        now = clock.now()
        try:
            run_cycle(store, exercise_id, collectors, now)
            if after_cycle is not None:
                after_cycle(now)
        except Exception:  # the store may be briefly unavailable: log, poll again next time
            log.exception("poll cycle at %.3f failed; its batch is lost", now)

    scheduler = BackgroundScheduler(daemon=True)
    scheduler.add_job(
        cycle,
        "interval",
        seconds=every_real_s,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=max(1, int(every_real_s) + 1),
        id="poll",
    )
    scheduler.start()
    return scheduler
