"""`vigie demo`: the seed exercise, sped up, collected and shown in one process.

The simulator serves its /metrics on a loopback port, the scrape collector reads
it over HTTP on a background schedule, and the Dash app shows the store: the
same path as a real platform's exporters, with nothing else to install.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from vigie.clock import SpedUpClock
from vigie.collectors.cycle import CycleResult
from vigie.collectors.kinds import build_collectors, poll_intervals
from vigie.collectors.scheduler import PollJob, start_polling
from vigie.dashboard.app import create_app
from vigie.plan import Plan, SourceKind
from vigie.plan.starts_at import StartNotWritable, with_starts_at
from vigie.run.exam_date import exercise_zone
from vigie.run.monitoring import NO_NOTIFIERS, Monitoring, NotifierSettings, chain
from vigie.run.simulated import stop_seconds
from vigie.run.webserver import BoundServer
from vigie.simulator.serve import start_exporter
from vigie.store import Store

log = logging.getLogger(__name__)

MIN_REAL_INTERVAL_S = 0.25


@dataclass(frozen=True)
class DemoSettings:
    host: str = "127.0.0.1"
    port: int = 8050
    speed: float = 9.0  # the seed's 37 minutes play in about 4
    notifiers: NotifierSettings = NO_NOTIFIERS


def pointed_at(plan: Plan, metrics_url: str) -> Plan:
    """The plan with every platform source read from the simulator's /metrics page."""
    sources = tuple(
        s
        if s.kind is SourceKind.AGENT
        else s.model_copy(update={"kind": SourceKind.SCRAPE, "url": metrics_url})
        for s in plan.sources
    )
    return plan.model_copy(update={"sources": sources})


def starting_at(plan: Plan, plan_toml: str, origin: float) -> tuple[Plan, str]:
    """The plan and its text starting at `origin`, in the plan's own offset: the demo
    starts now, and the plan it stores must say so, as `serve --starts-at now` does."""
    when = datetime.fromtimestamp(origin, exercise_zone(plan.exercise.starts_at))
    try:
        return with_starts_at(plan, plan_toml, when)
    except StartNotWritable as exc:
        log.warning("the demo keeps the plan's own start in its stored text: %s", exc)
        return plan, plan_toml


def _poll_jobs(plan: Plan, speed: float) -> list[PollJob]:
    """Poll at each source's interval in exercise time, but never more often than
    MIN_REAL_INTERVAL_S of real time: a fast replay is not worth a busy loop."""
    # A sped-up replay polls faster than a poll may take on a busy laptop: the
    # scheduler then coalesces polls, as intended, and need not say so each time.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    intervals = poll_intervals(plan)
    return [
        PollJob(c, max(intervals[c.source] / speed, MIN_REAL_INTERVAL_S))
        for c in build_collectors(plan)
    ]


def run_demo(
    plan: Plan,
    plan_toml: str,
    store: Store,
    settings: DemoSettings,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve until SIGINT or SIGTERM. raises OSError when a port cannot be bound."""
    origin = time.time()
    plan, plan_toml = starting_at(plan, plan_toml, origin)
    clock = SpedUpClock(origin, settings.speed)
    exporter = start_exporter(plan, clock, origin)
    demo_plan = pointed_at(plan, exporter.url)
    exercise_id = store.create_exercise(
        plan_id=plan.exercise.id,
        name=plan.exercise.name,
        mode="demo",
        plan_toml=plan_toml,
        t0=origin,
    )
    stop_s = stop_seconds(plan)
    ended = False

    def end_at_stop(now: float, _result: CycleResult) -> None:
        nonlocal ended
        if not ended and stop_s is not None and now - origin >= stop_s:
            monitoring.ticks.stop(origin + stop_s)  # the alerts resolve, the states freeze
            store.end_exercise(exercise_id, origin + stop_s)
            ended = True

    jobs = _poll_jobs(demo_plan, settings.speed)
    slowest_poll_s = max((j.every_real_s for j in jobs), default=1.0) * settings.speed
    app = create_app(store, clock, exercise_id, poll_interval_s=slowest_poll_s)
    try:
        server = BoundServer(app.server, settings.host, settings.port)
    except OSError:
        exporter.stop()
        raise
    monitoring = Monitoring(plan, store, exercise_id, origin, slowest_poll_s, settings.notifiers)
    monitoring.start(clock.now())
    scheduler = start_polling(
        store, exercise_id, jobs, clock, chain(monitoring.after_cycle, end_at_stop)
    )
    monitoring.schedule(scheduler, clock)
    announce(f"Vigie demo: {plan.exercise.name}, {settings.speed:g}x speed")
    announce(f"Simulated platform metrics: {exporter.url}")
    announce(f"Open {server.url}/  (the operator console; Ctrl-C to stop)")
    announce(f"Wall screen: {server.url}/wall")
    try:
        server.run_until_stopped()
    finally:
        announce("Stopping the demo.")
        scheduler.shutdown(wait=True)
        server.close()
        exporter.stop()
        store.close()
