"""Live exercises: `vigie collect` (collectors alone) and `vigie serve` (the central).

A deployment has exactly one collecting process: either `serve` with its
collectors in-process, or `serve --no-collect` beside one `collect`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler

from vigie.clock import SystemClock
from vigie.collectors.registry import build_collectors, poll_intervals
from vigie.collectors.scheduler import PollJob, start_polling
from vigie.dashboard.auth import AuthSettings
from vigie.exam_date import exercise_zone, start_warning
from vigie.monitoring import NO_NOTIFIERS, Monitoring, NotifierSettings
from vigie.plan import Plan
from vigie.production import DashboardServer, start_collector, stop_process
from vigie.signals import stop_requested
from vigie.store import Store

log = logging.getLogger(__name__)


def open_exercise(plan: Plan, plan_toml: str, store: Store, exercise_id: int | None) -> int:
    """The exercise to collect into: the one given (after a restart), or a new live one."""
    if exercise_id is not None:
        if store.exercise(exercise_id) is None:
            raise SystemExit(f"vigie: exercise {exercise_id} is not in the store")
        return exercise_id
    starts_at = plan.exercise.starts_at
    t0 = starts_at.timestamp() if starts_at is not None else time.time()
    return store.create_exercise(plan.exercise.id, plan.exercise.name, "live", plan_toml, t0)


def warn_about_start(
    plan: Plan, store: Store, exercise: int, warn: Callable[[str], None], now: datetime
) -> None:
    """Warn when the exercise's T+0 is far from `now`, and say when a restart goes on
    with a running exercise whose T+0 is not the plan's (nor --starts-at's)."""
    record = store.exercise(exercise)
    assert record is not None
    zone = exercise_zone(plan.exercise.starts_at)
    t0 = datetime.fromtimestamp(record.t0, zone)
    planned = plan.exercise.starts_at
    if planned is not None and abs(planned.timestamp() - record.t0) > 1:
        warn(
            f"vigie: going on with exercise {exercise}, running since "
            f"{t0.isoformat(timespec='seconds')}: a new start applies only to a new exercise"
        )
    message = start_warning(t0, now, timedelta(minutes=plan.exercise.duration_min))
    if message is not None:
        warn(message)


def _running_exercise_of(plan: Plan, store: Store) -> int | None:
    """After a restart, `serve` and `collect` go on with the plan's live exercise."""
    return store.live_exercise(plan.exercise.id, mode="live")


def _jobs(plan: Plan) -> list[PollJob]:
    intervals = poll_intervals(plan)
    return [PollJob(c, intervals[c.source]) for c in build_collectors(plan)]


@dataclass(frozen=True)
class Collection:
    """A running collection: its poll jobs, their scheduler, and the judging after each poll."""

    jobs: list[PollJob]
    scheduler: BackgroundScheduler
    monitoring: Monitoring


def start_collection(
    plan: Plan, store: Store, exercise: int, notifiers: NotifierSettings
) -> Collection:
    """Collectors, the alert engine after each poll, and the notifiers' schedule."""
    clock = SystemClock()
    jobs = _jobs(plan)
    record = store.exercise(exercise)
    assert record is not None
    interval = min((j.every_real_s for j in jobs), default=1.0)
    monitoring = Monitoring(plan, store, exercise, record.t0, interval, notifiers)
    monitoring.start(clock.now())
    scheduler = start_polling(store, exercise, jobs, clock, monitoring.after_cycle)
    monitoring.schedule(scheduler, clock)
    return Collection(jobs, scheduler, monitoring)


def run_collection(
    plan: Plan,
    plan_toml: str,
    store: Store,
    exercise_id: int | None,
    notifiers: NotifierSettings = NO_NOTIFIERS,
    announce: Callable[[str], None] = print,
    warn: Callable[[str], None] = print,
) -> None:
    """Poll, alert and notify until SIGINT or SIGTERM."""
    # Beside `serve --no-collect`, both processes must work on the same exercise.
    exercise = open_exercise(
        plan, plan_toml, store, exercise_id or _running_exercise_of(plan, store)
    )
    if exercise_id is None:  # serve's own collector is given its exercise: serve warned
        warn_about_start(plan, store, exercise, warn, datetime.now(UTC))
    collection = start_collection(plan, store, exercise, notifiers)
    jobs, scheduler = collection.jobs, collection.scheduler
    try:
        with stop_requested() as stop:
            # Said once SIGTERM stops it cleanly: whoever waits for this line may stop it.
            announce(
                f"Collecting {len(jobs)} sources of {plan.exercise.id} into exercise {exercise}"
            )
            stop.wait()
    finally:
        scheduler.shutdown(wait=True)
        store.close()
        announce("Collection stopped.")


def run_server(
    plan: Plan,
    plan_toml: str,
    store: Store,
    plan_path: Path,
    db_url: str,
    bind: str,
    workers: int,
    collector_flags: list[str] | None,
    auth: AuthSettings,
    debug: bool = False,
    announce: Callable[[str], None] = print,
    warn: Callable[[str], None] = print,
) -> None:
    """gunicorn workers for the screens and pushes, and (unless `collector_flags` is
    None) the collector in its own process, until SIGINT or SIGTERM."""
    exercise = open_exercise(plan, plan_toml, store, _running_exercise_of(plan, store))
    warn_about_start(plan, store, exercise, warn, datetime.now(UTC))
    store.close()  # each worker opens its own after the fork
    collector = (
        start_collector(plan_path, db_url, exercise, collector_flags)
        if collector_flags is not None
        else None
    )
    announce(f"Vigie serving exercise {exercise} of {plan.exercise.id} with {workers} workers")
    master = os.getpid()
    try:
        DashboardServer(db_url, exercise, bind, workers, announce, debug, auth=auth).run()
    finally:
        # Workers are forks of this process and leave through here too: only the
        # master stops the collector.
        if os.getpid() == master:
            if collector is not None:
                stop_process(collector)
            announce("Stopped.")
