"""Live exercises: `vigie collect` (collectors alone) and `vigie serve` (the central).

A deployment has exactly one active collecting process per exercise, decided by
a lease in the store: `serve`'s collector child (restarted by serve when it dies),
or `serve --no-collect` beside `collect`s. Further `collect`s on the same exercise
stand by and take over when the active one dies.
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

from vigie.clock import Clock, SystemClock
from vigie.collectors.kinds import build_collectors, poll_intervals
from vigie.collectors.lease import CollectorLease, LeaseTiming, this_process
from vigie.collectors.scheduler import MayWrite, PollJob, start_polling
from vigie.dashboard.auth import AuthSettings
from vigie.plan import Plan
from vigie.run.exam_date import exercise_zone, start_warning
from vigie.run.failover import LeasedCollection
from vigie.run.monitoring import NO_NOTIFIERS, Monitoring, NotifierSettings
from vigie.run.production import DashboardServer
from vigie.run.stop_signals import stop_requested
from vigie.run.supervision import CollectorSupervisor
from vigie.store import Store

log = logging.getLogger(__name__)


class UnknownExercise(LookupError):
    """The exercise asked for is not in the store."""


def open_exercise(plan: Plan, plan_toml: str, store: Store, exercise_id: int | None) -> int:
    """The exercise to collect into: the one given (after a restart), or a new live one.
    raises UnknownExercise when the one given is not in the store."""
    if exercise_id is not None:
        if store.exercise(exercise_id) is None:
            raise UnknownExercise(f"exercise {exercise_id} is not in the store")
        return exercise_id
    starts_at = plan.exercise.starts_at
    t0 = starts_at.timestamp() if starts_at is not None else time.time()
    return store.create_exercise(
        plan_id=plan.exercise.id, name=plan.exercise.name, mode="live", plan_toml=plan_toml, t0=t0
    )


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


def _poll_interval(jobs: list[PollJob]) -> float:
    return min((j.every_real_s for j in jobs), default=1.0)


def start_collection(
    plan: Plan,
    store: Store,
    exercise: int,
    notifiers: NotifierSettings,
    jobs: list[PollJob] | None = None,
    may_write: MayWrite | None = None,
    clock: Clock | None = None,
    poll_at_once: bool = False,
) -> Collection:
    """Collectors (built now unless given), the alert engine after each poll, and the
    notifiers' schedule; polls write only while `may_write` says so. `poll_at_once`:
    the first polls now (a collector taking over), not an interval from now."""
    clock = clock or SystemClock()
    jobs = _jobs(plan) if jobs is None else jobs
    record = store.exercise(exercise)
    assert record is not None
    monitoring = Monitoring(plan, store, exercise, record.t0, _poll_interval(jobs), notifiers)
    monitoring.start(clock.now())
    scheduler = start_polling(
        store, exercise, jobs, clock, monitoring.after_cycle, may_write, poll_at_once
    )
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
    exit_with_parent: bool = False,
) -> None:
    """Poll, alert and notify while this process holds the exercise's lease, stand by
    while another does, until SIGINT or SIGTERM (or, with `exit_with_parent`, until
    the process that started it is gone: serve's collector must not outlive a serve
    killed with kill -9 and hold the lease against the next one's)."""
    parent = os.getppid() if exit_with_parent else None
    # Beside `serve --no-collect`, both processes must work on the same exercise.
    exercise = open_exercise(
        plan, plan_toml, store, exercise_id or _running_exercise_of(plan, store)
    )
    if exercise_id is None:  # serve's own collector is given its exercise: serve warned
        warn_about_start(plan, store, exercise, warn, datetime.now(UTC))
    clock = SystemClock()
    jobs = _jobs(plan)  # ready before the lease: a standby takes over without building them
    timing = LeaseTiming.for_poll(_poll_interval(jobs))
    lease = CollectorLease(store.leases, exercise, timing, this_process())

    def start_active(may_write: MayWrite) -> BackgroundScheduler:
        collection = start_collection(
            plan, store, exercise, notifiers, jobs, may_write, clock, poll_at_once=True
        )
        return collection.scheduler

    def announce_active() -> None:
        # Whoever waits for this line may stop the process: SIGTERM stops it cleanly.
        announce(f"Collecting {len(jobs)} sources of {plan.exercise.id} into exercise {exercise}")

    leased = LeasedCollection(lease, start_active, announce_active, announce)
    try:
        with stop_requested() as stop:
            leased.step(clock.now())
            while not stop.wait(timing.check_s):
                if parent is not None and os.getppid() != parent:
                    warn(f"vigie: the process that started this collector ({parent}) is gone")
                    break
                leased.step(clock.now())
    finally:
        leased.stop(clock.now())
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
        CollectorSupervisor.start(plan_path, db_url, exercise, collector_flags, warn)
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
                collector.stop()
            announce("Stopped.")
