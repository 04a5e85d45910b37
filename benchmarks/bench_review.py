"""Benchmark: reviewing a 4-hour exercise at 1 s with 2,000 series (~29 million samples).

Targets: the review page's first screen in under 2 s; a scrub to any instant in
under 300 ms. In a real headless Chromium against `vigie serve` (gunicorn, 2
workers, no collector), on a store holding the generated exercise
(`benchmarks.long_exercise`):

- first visit: a new browser (nothing cached: Plotly's 4.8 MB downloaded and
  compiled) on a fresh server;
- first screen, cold: a fresh server each time, from navigation to the timeline
  drawn (sessions line and markers) and the wall at T+0 shown: what the first
  reviewer of the morning waits for, the whole timeline computed from the store;
- first screen, warm: the same page opened again in the same server;
- scrub: the slider set to a random instant (never shown before), from the
  change to the wall and clock of that instant on screen; and the same scrub's
  server round trip over HTTP without a browser.

Also reported: the store's size on disk. With --postgres the same exercise is
generated into a throwaway local PostgreSQL.

Run: python -m benchmarks.bench_review [--postgres] [--db URL --reuse] [--hours 4]
     [--series 2000] [--first-visits 3] [--cold 5] [--scrubs 30]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text

from benchmarks.bench_freshness import browser
from benchmarks.bench_wall_load import DashboardSpec, dashboard
from benchmarks.long_exercise import generate
from tests.support.dash_client import review_scrub_request
from tests.support.postgres import free_port
from vigie.store import Store

FIRST_SCREEN_TARGET_S = 2.0
SCRUB_TARGET_S = 0.3

# Resolves once the timeline has its sessions line and markers, and the wall its clock.
FIRST_SCREEN_DRAWN = """
const done = arguments[arguments.length - 1];
const drawn = () => {
  const graph = document.getElementById("review-timeline");
  const plot = graph && graph.querySelector(".js-plotly-plot");
  const traces = plot && plot.data ? plot.data.length : 0;
  const wall = document.getElementById("review-active");
  return traces > 1 && plot.querySelector(".scatterlayer path") && wall && wall.textContent;
};
const look = () => (drawn() ? done(performance.now()) : requestAnimationFrame(look));
look();
"""

# Sets the slider as a reviewer's drag does, then resolves when the clock shows it.
SCRUB = """
const [seconds, done] = [arguments[0], arguments[arguments.length - 1]];
const clock = () => (document.getElementById("review-clock") || {}).textContent;
const before = clock();
const started = performance.now();
window.dash_clientside.set_props("review-at", {value: seconds});
const look = () =>
  clock() !== before ? done(performance.now() - started) : requestAnimationFrame(look);
look();
"""


def median_p95(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[
        min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))
    ]


@contextmanager
def served(db_url: str, exercise_id: int, logs: Path, port: int) -> Iterator[str]:
    """A fresh `vigie serve` on the same port each time: the browser's cache (Plotly's
    4.8 MB among the rest) stays valid across restarts, as for a real reviewer."""
    bind = f"127.0.0.1:{port}"
    spec = DashboardSpec(db_url, exercise_id, 2, "shared", str(logs / "gunicorn.log"), bind)
    with dashboard(spec) as (_pid, base):
        yield base


def first_screen_s(driver: Any, base: str, exercise_id: int) -> float:
    driver.get(f"{base}/wall?at=0")  # arriving from another page, as a reviewer does
    started = time.perf_counter()
    driver.get(f"{base}/review?exercise={exercise_id}")
    driver.execute_async_script(FIRST_SCREEN_DRAWN)
    return time.perf_counter() - started


def browser_scrubs(driver: Any, instants: list[float]) -> list[float]:
    return [float(driver.execute_async_script(SCRUB, s)) / 1000 for s in instants]


def http_scrubs(base: str, exercise_id: int, instants: list[float]) -> list[float]:
    times = []
    for seconds in instants:
        body = json.dumps(review_scrub_request(seconds, f"?exercise={exercise_id}")).encode()
        request = urllib.request.Request(
            f"{base}/_dash-update-component",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            assert response.status == 200, response.status
        times.append(time.perf_counter() - started)
    return times


def settle(store: Store) -> None:
    """On PostgreSQL, what autovacuum does within minutes of a bulk load: statistics for
    the planner, and the visibility map that lets reads skip the heap. A review comes
    hours after the exercise; measuring before it would measure the load."""
    if store.engine.dialect.name != "postgresql":
        return
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


def store_size(db_url: str) -> str:
    store = Store.open(db_url)
    try:
        if store.engine.dialect.name == "postgresql":
            with store.engine.connect() as connection:
                database = connection.execute(
                    text("SELECT pg_database_size(current_database())")
                ).scalar_one()
                samples = connection.execute(
                    text("SELECT pg_total_relation_size('samples')")
                ).scalar_one()
            return (
                f"{database / 2**20:,.0f} MiB (samples and their index: {samples / 2**20:,.0f} MiB)"
            )
        with store.engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    path = Path(db_url.removeprefix("sqlite:///"))
    files = [path, path.with_name(path.name + "-wal")]
    size = sum(f.stat().st_size for f in files if f.exists())
    return f"{size / 2**20:,.0f} MiB (one SQLite file)"


def run(db_url: str, reuse: bool, args: argparse.Namespace, logs: Path) -> None:
    store = Store.open(db_url)
    existing = store.exercises()
    if reuse and existing:
        exercise_id = existing[0].id
        samples = store.sample_count(exercise_id)
        series = store.series_count(exercise_id)
        print(f"reusing exercise {exercise_id} of {db_url}")
    else:
        started = time.perf_counter()
        generated = generate(store, args.hours, args.series)
        exercise_id, samples, series = (
            generated.run.exercise_id,
            generated.samples,
            generated.series,
        )
        print(f"generated in {time.perf_counter() - started:.0f} s")
        settle(store)
    record = store.exercise(exercise_id)
    assert record is not None and record.ended is not None
    span = record.ended - record.t0
    store.close()
    print(
        f"exercise {exercise_id}: {span / 3600:g} h at 1 s, {series:,} series, {samples:,} samples;"
        f" store {store_size(db_url)}"
    )

    cold: list[float] = []
    warm: list[float] = []
    first_visits: list[float] = []
    port = free_port()
    for _ in range(args.first_visits):  # a new browser each time: nothing cached
        with served(db_url, exercise_id, logs, port) as base:
            fresh = browser()
            fresh.set_script_timeout(120)
            try:
                first_visits.append(first_screen_s(fresh, base, exercise_id))
            finally:
                fresh.quit()
    driver = browser()
    driver.set_script_timeout(120)
    try:
        with served(db_url, exercise_id, logs, port) as base:
            first_screen_s(driver, base, exercise_id)  # this browser now has the scripts
        for _ in range(args.cold):
            with served(db_url, exercise_id, logs, port) as base:
                cold.append(first_screen_s(driver, base, exercise_id))
                warm.append(first_screen_s(driver, base, exercise_id))
        with served(db_url, exercise_id, logs, port) as base:
            first_screen_s(driver, base, exercise_id)  # scrubbing starts from the page shown
            shuffled = random.Random(7).sample(range(1, int(span)), 2 * args.scrubs)
            in_browser = browser_scrubs(driver, [float(s) for s in shuffled[: args.scrubs]])
            over_http = http_scrubs(base, exercise_id, [float(s) for s in shuffled[args.scrubs :]])
    finally:
        driver.quit()
    report("first visit of a new browser (scripts downloaded)", first_visits, FIRST_SCREEN_TARGET_S)
    report("first screen, cold (fresh server)", cold, FIRST_SCREEN_TARGET_S)
    report("first screen, warm (opened again)", warm, FIRST_SCREEN_TARGET_S)
    report("scrub to a new instant, in Chromium", in_browser, SCRUB_TARGET_S)
    report("scrub to a new instant, server round trip", over_http, SCRUB_TARGET_S)


def report(what: str, values: list[float], target: float) -> None:
    median, p95 = median_p95(values)
    print(
        f"  {what}: median {median * 1000:,.0f} ms, p95 {p95 * 1000:,.0f} ms over {len(values)}"
        f" = {median / target:.2f} x the {target * 1000:,.0f} ms target"
    )


def with_database(args: argparse.Namespace, body: Callable[[str, bool], None]) -> None:
    if args.postgres:
        from tests.support.postgres import start_postgres

        server, why = start_postgres()
        if server is None:
            raise SystemExit(f"cannot start PostgreSQL: {why}")
        try:
            body(server.new_database_url(), False)
        finally:
            server.stop()
    elif args.db:
        body(args.db, args.reuse)
    else:
        with tempfile.TemporaryDirectory(prefix="vigie-review-") as scratch:
            body(f"sqlite:///{scratch}/review.db", False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hours", type=float, default=4.0)
    parser.add_argument("--series", type=int, default=2000)
    parser.add_argument("--cold", type=int, default=5, help="fresh servers opened")
    parser.add_argument("--scrubs", type=int, default=30)
    parser.add_argument("--first-visits", type=int, default=3, help="new browsers opened")
    parser.add_argument("--db", help="a store URL (default: a fresh SQLite file)")
    parser.add_argument(
        "--reuse", action="store_true", help="with --db: review its newest exercise"
    )
    parser.add_argument("--postgres", action="store_true", help="a throwaway local PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vigie-review-logs-") as logs:
        with_database(args, lambda url, reuse: run(url, reuse, args, Path(logs)))


if __name__ == "__main__":
    main()
