"""Benchmark: how long a change at the source takes to reach the wall, in a real browser.

The simulated platform (small drill, 1x speed) changes its numbers once a second
while wave 1 connects; Vigie polls it every second, keeps each tick's state, and
the wall refreshes every second in headless Chromium. The browser notes the
instant each new "active sessions" figure appears; the store says which poll
read it, and the simulator's fixed ticks say when the platform reached it.
Target: under 2 s from the source to the screen.

Run: python -m benchmarks.bench_freshness [--seconds 40]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from selenium import webdriver

from tests.support.chromium import CHROMIUM, OFFLINE_FLAGS
from vigie.clock import SpedUpClock
from vigie.collectors.kinds import build_collectors
from vigie.collectors.scheduler import PollJob, start_polling
from vigie.dashboard.app import create_app
from vigie.plan import Plan, load_plan
from vigie.resources import scenarios_folder
from vigie.run.demo import pointed_at
from vigie.run.monitoring import NO_NOTIFIERS, Monitoring
from vigie.run.webserver import BoundServer
from vigie.simulator.serve import start_exporter
from vigie.store import Store, sqlite_url
from vigie.tick import TickState

TARGET_S = 2.0
SMALL = scenarios_folder() / "small-drill.toml"
RAMP_S = 60  # the small drill's wave 1 connects fastest around its first minute or two
WATCH_WALL = """
window.vigieSeen = [];
setInterval(() => {
  const shown = document.getElementById("wall-active");
  const text = shown ? shown.textContent : null;
  const seen = window.vigieSeen;
  if (text && (seen.length === 0 || seen[seen.length - 1][1] !== text)) {
    seen.push([Date.now() / 1000, text]);
  }
}, 10);
"""


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*OFFLINE_FLAGS, "--window-size=1920,1080"]:
        options.add_argument(flag)  # type: ignore[no-untyped-call]
    return webdriver.Chrome(options=options)


def polled_values(store: Store, exercise_id: int) -> list[tuple[float, float | None]]:
    """(poll instant, active sessions) of every tick, oldest first."""
    values = []
    for instant in store.ticks.instants(exercise_id):
        found = store.ticks.at(exercise_id, instant)
        assert found is not None
        values.append((instant, TickState.decode(found[1]).active))
    return values


def latencies(
    seen: list[tuple[float, str]],
    polled: list[tuple[float, float | None]],
    origin: float,
    tick_s: float,
) -> tuple[list[float], list[float]]:
    """Source-to-screen and poll-to-screen delays of each figure the wall showed."""
    from_source, from_poll = [], []
    for shown_at, text in seen[1:]:  # the first figure was on screen before watching began
        value = float(text.replace("\u202f", "").replace(",", ""))
        polled_at = next((at for at, active in polled if active == value), None)
        if polled_at is None:
            continue
        reached = origin + (polled_at - origin) // tick_s * tick_s  # the platform's tick
        from_source.append(shown_at - reached)
        from_poll.append(shown_at - polled_at)
    return from_source, from_poll


def measure(
    plan: Plan, seconds: float, phase_s: float, scratch: Path
) -> tuple[list[float], list[float]]:
    """`phase_s`: how long before each poll the platform's numbers change (0 to 1 s)."""
    origin = time.time()
    clock = SpedUpClock(origin, 1.0)
    platform_t0 = origin - RAMP_S - phase_s  # join wave 1 while its students pour in
    exporter = start_exporter(plan, clock, platform_t0)
    live_plan = pointed_at(plan, exporter.url)
    store = Store.open(sqlite_url(scratch / f"fresh-{phase_s}.db"))
    exercise = store.create_exercise(
        plan_id=plan.exercise.id,
        name=plan.exercise.name,
        mode="live",
        plan_toml=SMALL.read_text(encoding="utf-8"),
        t0=platform_t0,
    )
    monitoring = Monitoring(live_plan, store, exercise, platform_t0, 1.0, NO_NOTIFIERS)
    monitoring.start(clock.now())
    jobs = [PollJob(c, 1.0) for c in build_collectors(live_plan)]
    scheduler = start_polling(store, exercise, jobs, clock, monitoring.after_cycle)
    server = BoundServer(create_app(store, clock, exercise).server, "127.0.0.1", 0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    driver = browser()
    try:
        driver.get(f"{server.url}/wall")
        driver.execute_script(WATCH_WALL)  # type: ignore[no-untyped-call]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:  # the browser watches; we only wait for it
            time.sleep(0.5)
        seen: list[Any] = driver.execute_script("return window.vigieSeen;")  # type: ignore[no-untyped-call]
    finally:
        driver.quit()
        scheduler.shutdown(wait=True)
        server.close()
        exporter.stop()
    tick_s = plan.simulation.tick_s if plan.simulation else 1.0
    result = latencies(
        [(float(a), str(b)) for a, b in seen], polled_values(store, exercise), platform_t0, tick_s
    )
    store.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="per phase")
    parser.add_argument("--phases", default="0.1,0.5,0.9", help="source change before poll, s")
    args = parser.parse_args()
    plan = load_plan(SMALL)
    from_source: list[float] = []
    from_poll: list[float] = []
    with tempfile.TemporaryDirectory(prefix="vigie-fresh-") as scratch:
        for phase in (float(p) for p in args.phases.split(",")):
            source, poll = measure(plan, args.seconds, phase, Path(scratch))
            from_source += source
            from_poll += poll
    if not from_source:
        raise SystemExit("the wall showed no new figure: nothing to measure")
    ordered = sorted(from_source)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"source -> wall, small drill at 1x, 1 s poll, 1 s refresh, phases {args.phases} s, "
        f"{len(ordered)} changes seen"
    )
    print(f"  median {statistics.median(ordered):.2f} s, p95 {p95:.2f} s, max {ordered[-1]:.2f} s")
    print(f"  median {statistics.median(ordered) / TARGET_S:.2f} x the {TARGET_S:g} s target")
    print(f"  of which poll -> wall: median {statistics.median(from_poll):.2f} s")


if __name__ == "__main__":
    main()
