"""Benchmark: a soak. 300 wall viewers for 10 minutes against `vigie serve`'s dashboard.

The setup is bench_wall_load's: gunicorn's sync workers (DashboardServer) on
127.0.0.1, `vigie collect` polling a `vigie simulate` of the seed plan every
second into an exercise that already holds 5 minutes of history. wrk plays the
viewers: each one replays the wall's callback, waits for its answer, then one
second, and refreshes again, for the whole run.

Reported: errors (must be 0: 4xx/5xx answers, connect, read, write, timeout),
responses per second, p50/p95/p99 latency, and the dashboard workers' memory:
the sum of their RSS before the load, after a warm-up (`--warmup-s`, when each
worker's caches have filled: a second's screen, the charts' closed buckets, the
decoded ticks), and at the end. Growth is end over warm-up, and must be <= 10 %.

How to read the figures:
- 300 viewers refreshing each second offer at most 300 refreshes/s. A server that
  cannot keep up serves fewer, and each viewer then waits longer than a second
  between refreshes (wrk's model: a viewer sends only after its answer). The
  figure says how many it sustained; the run is never shortened to look better.
- RSS counts, in each worker, the pages it shares with the master since the fork.
- A worker that gunicorn replaced (it hung past its timeout) restarts its memory:
  its PID changes, and the report says so instead of hiding a leak behind it.
- The machine is shared: "other CPU %" is what processes other than these used.

Run: python -m benchmarks.bench_soak [--minutes 10] [--viewers 300] [--workers 2]
     [--warmup-s 60]
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from benchmarks.bench_wall_load import (
    WRK_SCRIPT,
    DashboardSpec,
    LoadResult,
    ResourceWatch,
    Run,
    check_wall_answers,
    dashboard,
    others_percent,
    run_wrk,
    wait_for_live_tick,
)
from benchmarks.load_backfill import backfill_live_exercise, endless_seed_plan, write_plan
from tests.support.dash_client import wall_request
from tests.support.process import VigieProcess
from vigie.plan import parse_plan
from vigie.store import Store, sqlite_url

REFRESH_MS = 1000
HISTORY_MIN = 5
MAX_GROWTH = 0.10
RSS_EVERY_S = 5.0


@dataclass(frozen=True)
class Settings:
    minutes: float
    viewers: int
    workers: int
    warmup_s: float

    @property
    def seconds(self) -> int:
        return round(self.minutes * 60)


@dataclass(frozen=True)
class RssSample:
    at_s: float  # since the load began
    by_worker: dict[int, int]  # PID -> RSS bytes

    @property
    def total(self) -> int:
        return sum(self.by_worker.values())


@dataclass
class WorkerMemory:
    """The workers' RSS, sampled every RSS_EVERY_S from the master's children."""

    master_pid: int
    samples: list[RssSample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def sample(self, at_s: float) -> RssSample:
        found = RssSample(at_s, workers_rss(self.master_pid))
        self.samples.append(found)
        return found

    def watch(self, started: float) -> threading.Thread:
        def loop() -> None:
            while not self._stop.wait(RSS_EVERY_S):
                self.sample(time.monotonic() - started)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    def at(self, at_s: float) -> RssSample:
        """The first sample at or after `at_s` (the last one if none is)."""
        return next((s for s in self.samples if s.at_s >= at_s), self.samples[-1])

    @property
    def replaced(self) -> bool:
        pids = [set(s.by_worker) for s in self.samples if s.by_worker]
        return bool(pids) and any(p != pids[0] for p in pids)


def workers_rss(master_pid: int) -> dict[int, int]:
    try:
        workers = psutil.Process(master_pid).children()
    except psutil.NoSuchProcess:
        return {}
    rss = {}
    for worker in workers:
        try:
            rss[worker.pid] = worker.memory_info().rss
        except psutil.NoSuchProcess:
            continue  # replaced between listing and reading
    return rss


@dataclass(frozen=True)
class Soak:
    load: LoadResult
    memory: WorkerMemory
    before: RssSample  # the workers before the first refresh
    watch: ResourceWatch
    warmup_s: float

    @property
    def warm(self) -> RssSample:
        return self.memory.at(self.warmup_s)

    @property
    def end(self) -> RssSample:
        return self.memory.samples[-1]

    @property
    def growth(self) -> float:
        return self.end.total / self.warm.total - 1


def write_soak_script(path: Path, viewers: int) -> Path:
    """bench_wall_load's wrk script (viewers refresh in connection order), every second."""
    body = json.dumps(wall_request())
    text = WRK_SCRIPT.format(body=body, faculty_bodies="", period=REFRESH_MS, viewers=viewers)
    path.write_text(text, encoding="utf-8")
    return path


def soak(base: str, master_pid: int, roots: dict[str, int], script: Path, s: Settings) -> Soak:
    memory = WorkerMemory(master_pid)
    before = memory.sample(0.0)
    memory.samples.clear()  # `before` is apart: the warm-up sample is the first under load
    started = time.monotonic()
    thread = memory.watch(started)
    try:
        with ResourceWatch(roots) as watch:
            load = run_wrk(base, script, s.viewers, s.seconds)
    finally:
        memory.stop()
        thread.join()
    memory.sample(time.monotonic() - started)
    return Soak(load, memory, before, watch, s.warmup_s)


def run_soak(settings: Settings) -> Soak:
    with tempfile.TemporaryDirectory(prefix="vigie-soak-") as scratch:
        folder = Path(scratch)
        served = write_plan(folder / "simulated.toml", endless_seed_plan(9108, 240))
        simulator = VigieProcess("simulate", str(served), "--port", "0")
        try:
            line = simulator.wait_for_line(lambda line: line.startswith("Simulating "))
            port = int(line.split("/metrics")[0].rsplit(":", 1)[1])
            pids = {"simulator": simulator.process.pid}
            return _with_simulator(folder, port, pids, settings)
        finally:
            simulator.stop()


def _with_simulator(folder: Path, port: int, pids: dict[str, int], settings: Settings) -> Soak:
    plan_toml = endless_seed_plan(port, duration_min=HISTORY_MIN + 240)
    plan_path = write_plan(folder / "plan.toml", plan_toml)
    db_url = sqlite_url(folder / "vigie.db")
    store = Store.open(db_url)
    try:
        exercise = backfill_live_exercise(store, parse_plan(plan_toml), plan_toml, HISTORY_MIN)
    finally:
        store.close()
    collector = VigieProcess(
        "collect", "--plan", str(plan_path), "--db", db_url, "--exercise", str(exercise.exercise_id)
    )
    try:
        collector.wait_for_line(lambda line: line.startswith("Collecting "))
        wait_for_live_tick(db_url, exercise.exercise_id)
        log_path = str(folder / "gunicorn.log")
        spec = DashboardSpec(db_url, exercise.exercise_id, settings.workers, "shared", log_path)
        script = write_soak_script(folder / "soak.lua", settings.viewers)
        with dashboard(spec) as (master_pid, base):
            check_wall_answers(base)
            roots = {"dashboard": master_pid, "collector": collector.process.pid, **pids}
            return soak(base, master_pid, roots, script, settings)
    finally:
        collector.stop()


def report(result: Soak, settings: Settings) -> list[str]:
    load, watch = result.load, result.watch
    rate = load.requests / load.duration_s
    offered = settings.viewers * 1000 / REFRESH_MS
    errors = ", ".join(f"{k} {v}" for k, v in load.errors.items())
    mb = 2**20
    others = others_percent(Run(load, watch, ticks=0))
    minutes = range(int(load.duration_s // 60) + 1)
    by_minute = ", ".join(f"{result.memory.at(60.0 * m).total / mb:.0f}" for m in minutes)
    return [
        f"soak: {settings.viewers} wall viewers refreshing every {REFRESH_MS / 1000:g} s for "
        f"{load.duration_s / 60:.1f} min, {settings.workers} sync workers, the collector "
        f"polling every 1 s, {psutil.cpu_count()} cores",
        f"  responses: {load.requests:,} ({rate:.1f}/s of at most {offered:.0f}/s offered), "
        f"p50 {load.p50_ms:.1f} ms, p95 {load.p95_ms:.1f} ms, p99 {load.p99_ms:.1f} ms, "
        f"max {load.max_ms:.0f} ms",
        f"  errors: {load.error_count} ({errors})",
        f"  workers' RSS MB: before the load {result.before.total / mb:.1f}, after "
        f"{result.warm.at_s:.0f} s {result.warm.total / mb:.1f}, at the end "
        f"{result.end.total / mb:.1f}: growth {100 * result.growth:+.1f} % "
        f"(each minute: {by_minute})",
        f"  CPU % of the machine: dashboard {watch.cpu_percent('dashboard'):.0f}, collector "
        f"{watch.cpu_percent('collector'):.0f}, simulator {watch.cpu_percent('simulator'):.0f}, "
        f"wrk {watch.percent(load.cpu_s):.0f}, other processes {others:.0f}",
        *verdicts(result, rate, offered),
    ]


def verdicts(result: Soak, rate: float, offered: float) -> list[str]:
    lines = [
        f"  {'meets' if result.load.error_count == 0 else 'MISSES'} 0 errors",
        f"  {'meets' if result.growth <= MAX_GROWTH else 'MISSES'} memory growth <= "
        f"{100 * MAX_GROWTH:.0f} %",
    ]
    if rate < 0.95 * offered:
        lines.append(
            f"  sustains {rate:.0f} of the {offered:.0f} refreshes/s offered: each viewer "
            f"refreshed every {result_period_s(rate, offered):.1f} s instead of every "
            f"{REFRESH_MS / 1000:g} s"
        )
    if result.memory.replaced:
        lines.append("  a worker was replaced during the run: its memory restarted")
    return lines


def result_period_s(rate: float, offered: float) -> float:
    return (REFRESH_MS / 1000) * offered / rate if rate else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--viewers", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup-s", type=float, default=60.0, help="memory growth counts after")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench_soak needs wrk (apt-get install wrk)")
    if args.warmup_s >= args.minutes * 60:
        raise SystemExit("--warmup-s must be shorter than the run (--minutes)")
    # A SIGTERM unwinds like Ctrl-C, so the finally blocks stop every child we started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    settings = Settings(args.minutes, args.viewers, args.workers, args.warmup_s)
    print("\n".join(report(run_soak(settings), settings)), flush=True)


if __name__ == "__main__":
    main()
