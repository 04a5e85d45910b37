"""Benchmark: Vigie on seed-shaped plans of 35, 1,000 and 3,000 sites.

For each size (vigie.plan.scaled.scaled_plan of the seed plan, drilled to T+25:30,
just after the breach):
- collector: the drill's CPU per cycle, bytes written per cycle, and the store's size
  (`benchmarks.scale_collector`, which leaves the drilled store for the parts below);
- server: the wall's response (as Dash writes it, and gzipped), and the dashboard's
  CPU per additional viewer refresh, over real HTTP against the app on 127.0.0.1 at
  T+25:00, with the shared answers (response_cache.py) and without them ("before");
- browser: a real headless Chromium at 1920x1080 showing the wall live from T+24:00:
  the share of the 1 s refreshes applied (distinct seconds of the wall's clock put on
  screen) and the main thread's busy share (CDP Performance.getMetrics TaskDuration),
  over --browser-seconds.

Targets at 3,000 sites: wall response <= 64 KiB, <= 10 ms server CPU per additional
viewer, Chromium applies >= 95 % of refreshes with the main thread <= 30 % busy.

Figures are medians of --repeats runs (the drill: one run; it takes minutes at 3,000
sites, and --reuse keeps a drilled store). The dashboard runs in a process of its own
(one waitress thread) whose CPU is read from /proc; the machine is shared, so the
load average is printed with the figures.

Run: python -m benchmarks.bench_scale [--sites 35,1000,3000] [--only collector,server,browser]
     [--workdir DIR] [--reuse] [--repeats 5] [--browser-seconds 20] [--at-min 25]
Dash's version is printed: run it from another venv to compare Dash releases.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib.metadata import version
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import psutil
import requests

from benchmarks.scale_collector import CollectorFigures, measure
from tests.conftest import pytest_setup_options
from tests.support.chromium import chromium_binary
from tests.support.dash_client import wall_request
from tests.support.waiting import wait_until
from vigie.clock import Clock, SpedUpClock, VirtualClock
from vigie.dashboard.app import create_app
from vigie.run.webserver import BoundServer
from vigie.store import Store, sqlite_url

AT_MIN = 25.0  # T+25:00, five seconds after the breach
BROWSER_LEAD_S = 60  # the browser's wall runs live from a minute before (the drill stops at 25:30)
VIEWERS_PER_RUN = 20
CALLBACK = "/_dash-update-component"


@dataclass(frozen=True)
class ServerFigures:
    response_bytes: int
    gzip_bytes: int
    cpu_ms_per_viewer_shared: float
    cpu_ms_per_viewer_before: float


@dataclass(frozen=True)
class BrowserFigures:
    dash: str
    window_s: float
    refreshes_applied: float  # share of the window's seconds put on screen
    main_thread_busy: float  # share of the window the main thread ran tasks
    first_render_s: float


# -- the dashboard, in a process of its own ----------------------------------------


def _serve(db: str, at: float, live: bool, share: bool, ready: Connection) -> None:
    """In a spawned child: the app over the drilled store, at `at` (frozen, or live from it)."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # one thread: a queue, by design
    store = Store.open(sqlite_url(Path(db)))
    exercise = store.exercises()[0]
    clock: Clock = SpedUpClock(exercise.t0 + at, 1.0) if live else VirtualClock(exercise.t0 + at)
    app = create_app(store, clock, exercise.id, share_answers=share)
    server = BoundServer(app.server, "127.0.0.1", 0, threads=1)
    ready.send(server.url)
    server.run()


@contextmanager
def dashboard(db: Path, at: float, live: bool, share: bool = True) -> Iterator[tuple[int, str]]:
    """The dashboard process's PID and URL; stopped by that PID."""
    context = multiprocessing.get_context("spawn")
    mine, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(str(db), at, live, share, theirs))
    process.start()
    try:
        if not mine.poll(120):
            raise SystemExit("the dashboard did not start in 120 s")
        url: str = mine.recv()
        assert process.pid is not None
        yield process.pid, url
    finally:
        process.terminate()
        process.join(timeout=10)


def _cpu_s(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def server_figures(db: Path, at_s: float, repeats: int) -> ServerFigures:
    raw = zipped = 0
    per_viewer: dict[bool, float] = {}
    for share in (True, False):
        with dashboard(db, at_s, live=False, share=share) as (pid, url):
            viewer = requests.Session()
            first = viewer.post(url + CALLBACK, json=wall_request(), timeout=120)
            assert first.status_code == 200, first.text[:300]
            raw = len(first.content)
            zipped = len(gzip.compress(first.content, 5))
            runs = []
            for _ in range(repeats):
                before = _cpu_s(pid)
                for _ in range(VIEWERS_PER_RUN):
                    answer = viewer.post(
                        url + CALLBACK,
                        json=wall_request(),
                        headers={"Accept-Encoding": "gzip"},
                        timeout=120,
                    )
                    assert answer.status_code == 200
                runs.append(1000 * (_cpu_s(pid) - before) / VIEWERS_PER_RUN)
            per_viewer[share] = statistics.median(runs)
    return ServerFigures(raw, zipped, per_viewer[True], per_viewer[False])


# -- the browser -----------------------------------------------------------------

# Counts the distinct seconds of the wall's clock put on screen, and when each came.
WATCH_CLOCK = """
window.vigieSeen = window.vigieSeen || [];
const seen = window.vigieSeen;
const note = () => {
  const clock = document.getElementById('wall-clock');
  const text = clock ? clock.textContent : null;
  if (text && (seen.length === 0 || seen[seen.length - 1][0] !== text)) {
    seen.push([text, performance.now()]);
  }
};
new MutationObserver(note).observe(document.body,
  {subtree: true, childList: true, characterData: true});
note();
"""


def _driver() -> Any:
    """dash_duo's Chromium (tests/conftest.py): Debian's binary, offline, at wall size."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if chromium_binary() is None:
        raise SystemExit("no Chromium: apt-get install -y chromium chromium-driver")
    options = pytest_setup_options()
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def _task_seconds(driver: Any) -> float:
    metrics = driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
    return float(next(m["value"] for m in metrics if m["name"] == "TaskDuration"))


def browser_figures(db: Path, at_s: float, seconds: float) -> BrowserFigures:
    with dashboard(db, at_s - BROWSER_LEAD_S, live=True) as (_pid, url):
        driver = _driver()
        try:
            driver.execute_cdp_cmd("Performance.enable", {})
            opened = time.monotonic()
            driver.get(url + "/wall")
            wait_until(
                lambda: driver.execute_script("return !!document.getElementById('wall-clock')"),
                timeout=180,
            )
            first_render = time.monotonic() - opened
            driver.execute_script(WATCH_CLOCK)
            busy, started = _task_seconds(driver), driver.execute_script("return performance.now()")
            time.sleep(seconds)  # the measurement window itself, not a synchronisation
            busy = _task_seconds(driver) - busy
            ended = driver.execute_script("return performance.now()")
            seen = driver.execute_script("return window.vigieSeen")
        finally:
            driver.quit()
    window_s = (ended - started) / 1000
    applied = [s for s in seen if started < s[1] <= ended]
    return BrowserFigures(
        version("dash"),
        window_s,
        min(1.0, len(applied) / window_s),
        busy / window_s,
        first_render,
    )


# -- the report ------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", default="35,1000,3000")
    parser.add_argument("--only", default="collector,server,browser")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="keep a store drilled before")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--browser-seconds", type=float, default=20.0)
    parser.add_argument("--at-min", type=float, default=AT_MIN, help="the exercise minute shown")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="vigie-scale-"))
    print(f"dash {version('dash')}; store under {workdir}; load {os.getloadavg()}", flush=True)
    for sites in (int(s) for s in args.sites.split(",")):
        figures: dict[str, Any] = {"sites": sites}
        db = workdir / f"scale-{sites}.db"  # where scale_collector.measure drills
        if "collector" in parts or not (args.reuse and db.exists()):
            collector: CollectorFigures = measure(sites, workdir)
            if "collector" in parts:
                figures["collector"] = asdict(collector)
        if "server" in parts:
            figures["server"] = asdict(server_figures(db, args.at_min * 60, args.repeats))
        if "browser" in parts:
            at_s, seconds = args.at_min * 60, args.browser_seconds
            runs = [browser_figures(db, at_s, seconds) for _ in range(args.repeats)]
            figures["browser"] = _median_browser(runs)
        figures["load"] = os.getloadavg()
        print(json.dumps(figures), flush=True)


def _median_browser(runs: list[BrowserFigures]) -> dict[str, Any]:
    """The run of median busy share, with every run's (applied, busy) beside it."""
    ordered = sorted(runs, key=lambda r: r.main_thread_busy)
    chosen = asdict(ordered[len(ordered) // 2])
    chosen["runs"] = [(round(r.refreshes_applied, 2), round(r.main_thread_busy, 2)) for r in runs]
    return chosen


if __name__ == "__main__":
    main()
