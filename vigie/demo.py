"""`vigie demo`: the seed exercise, sped up, collected and shown in one process.

Simulator, background poll scheduler and Dash app share one process and one
SQLite file; nothing else needs to be installed or started.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

from vigie.clock import SpedUpClock
from vigie.collectors.scheduler import start_polling
from vigie.dashboard.app import create_app
from vigie.plan import Plan
from vigie.simulated import simulate_exercise
from vigie.store import Store
from vigie.webserver import BoundServer

log = logging.getLogger(__name__)

MIN_REAL_INTERVAL_S = 0.1


@dataclass(frozen=True)
class DemoSettings:
    host: str = "127.0.0.1"
    port: int = 8050
    speed: float = 9.0  # the seed's 37 minutes play in about 4


def run_demo(
    plan: Plan,
    plan_toml: str,
    store: Store,
    settings: DemoSettings,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve until SIGINT or SIGTERM. raises OSError when the port cannot be bound."""
    origin = time.time()
    clock = SpedUpClock(origin, settings.speed)
    exercise = simulate_exercise(plan, clock, origin)
    exercise_id = store.create_exercise(
        plan.exercise.id, plan.exercise.name, "demo", plan_toml, origin
    )
    interval = min((s.interval_s for s in plan.sources), default=1.0)
    ended = False

    def after_cycle(now: float) -> None:
        nonlocal ended
        if not ended and exercise.stop_s is not None and now - origin >= exercise.stop_s:
            store.end_exercise(exercise_id, origin + exercise.stop_s)
            ended = True

    # Poll at the plan's interval in exercise time, but never more often than
    # MIN_REAL_INTERVAL_S of real time: a fast replay is not worth a busy loop.
    every_real_s = max(interval / settings.speed, MIN_REAL_INTERVAL_S)
    app = create_app(store, clock, exercise_id, poll_interval_s=every_real_s * settings.speed)
    server = BoundServer(app.server, settings.host, settings.port)
    scheduler = start_polling(
        store, exercise_id, exercise.collectors, clock, every_real_s, after_cycle
    )
    announce(f"Vigie demo: {plan.exercise.name}, {settings.speed:g}x speed")
    announce(f"Open {server.url}/  (Ctrl-C to stop)")
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.run()  # returns on Ctrl-C or SIGTERM: waitress handles the interrupt
    except KeyboardInterrupt:
        pass
    finally:
        announce("Stopping the demo.")
        signal.signal(signal.SIGTERM, previous)
        scheduler.shutdown(wait=True)
        server.close()
        store.close()


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt
