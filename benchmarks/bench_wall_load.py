"""Benchmark: viewers refreshing the wall against `vigie serve` while the collector polls.

300 viewers (wrk connections) each refresh the wall's callback every 2 s against
gunicorn's sync workers on 127.0.0.1, while `vigie collect` polls a `vigie simulate`
of the seed plan every second and writes a per-tick state; the exercise already
holds 5 or 60 minutes of history at 1 s resolution. Reported: p50/p95 refresh
latency, errors, CPU (as % of the machine's cores) and RSS of the dashboard
(gunicorn master + workers) and of the collector, over each wrk run.

Two ways of serving the wall, on the same setup:
- shared: `vigie serve`'s own app; each refresh reads the per-tick state the
  collector wrote (one index seek), and each worker builds a second's screen once.
- baseline: every refresh queries the store itself (see `PerViewerContext`).

Target for shared: p95 under 150 ms, no errors, and no growth of p95 from 5 to 60
minutes of history.

How to read the figures:
- Each viewer waits for its answer, then 2 s, then refreshes (wrk's model). A
  server that cannot keep up is offered less than 150 refreshes/s, and its
  latency is the queue: viewers / refreshes served per second. Refreshes still
  waiting when wrk stops are not counted.
- The machine is shared: "other CPU %" is what processes other than these used
  during the run. Each configuration is run several times on the same setup and
  the run with the median p95 is shown.
- `vigie simulate` starts at its own T+0, so the live samples after the backfill
  restart from the first wave: that changes what the wall shows, hardly what a
  refresh costs.
- RSS is summed over the gunicorn master and workers: pages the fork shares are
  counted in each.

With --faculty-viewers 35, one faculty page per faculty refreshes beside the wall
viewers (issue 6); the percentiles are over all refreshes.

Run: python -m benchmarks.bench_wall_load [--seconds 30] [--viewers 300] [--workers 2]
     [--histories 5,60] [--only shared|baseline] [--repeats 3] [--faculty-viewers 35]
     [--sites 3000]
With --sites, the plan is the seed's shape at that many sites (vigie.plan.scaled), its
history backfilled and collected live like the seed's (the issue's 3,000-site figure).
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import TypeVar

import psutil
from dash import Dash

from benchmarks.load_backfill import Backfill, backfill_live_exercise, endless_seed_plan, write_plan
from tests.support.dash_client import faculty_request, wall_request
from tests.support.process import VigieProcess
from tests.support.waiting import wait_until
from vigie.alerts.engine import Evaluation
from vigie.alerts.inputs import RuleInputs
from vigie.alerts.rules import RULES
from vigie.alerts.verdict import Verdict
from vigie.alerts.window import RULE_INPUTS, SeriesWindow
from vigie.clock import SystemClock
from vigie.dashboard.app import create_app
from vigie.dashboard.context import Exercise, ViewContext
from vigie.plan import load_plan, parse_plan
from vigie.plan.scaled import scaled_plan
from vigie.resources import seed_plan
from vigie.run.production import DashboardServer
from vigie.series import Sample
from vigie.store import Store, sqlite_url
from vigie.tick import TickState
from vigie.tick.board import Board
from vigie.tick.build import build_tick

log = logging.getLogger(__name__)
T = TypeVar("T")

TARGET_P95_MS = 150.0
REFRESH_MS = 2000
RULE_WINDOW_S = 120  # what the rules read back (time to limit's default window)
SAMPLE_EVERY_S = 0.2
MODES = ("shared", "baseline")
CALLBACK_PATH = "/_dash-update-component"


# -- the baseline: each refresh queries the store directly ---------------------------------


class PerViewerContext(ViewContext):
    """Every refresh reads the rules' inputs from the store, judges them, re-reads the
    transitions and notes, and builds its own screen: nothing is shared between viewers.

    It skips the engine's no-student baselines (what each server holds while nobody
    is connected): they change a wave-gate figure, not what a refresh costs.
    """

    def tick(self, exercise: Exercise, at: float) -> TickState | None:
        return state_from_store(self.store, exercise, at)

    def shared(self, key: Hashable, compute: Callable[[], T]) -> T:
        return compute()


def state_from_store(store: Store, exercise: Exercise, at: float) -> TickState:
    exercise_id = exercise.record.id
    window = rule_window(store, exercise_id, at)
    inputs = RuleInputs(exercise.plan, at, exercise.record.t0, window, exercise.poll_interval_s)
    board = Board(store, exercise_id)
    board.catch_up()
    return build_tick(store, board, Evaluation(inputs, judge(inputs)))


def rule_window(store: Store, exercise_id: int, at: float) -> SeriesWindow:
    window = SeriesWindow(names=RULE_INPUTS)
    for name in sorted(RULE_INPUTS):
        for labels, points in store.window(exercise_id, name, at - RULE_WINDOW_S, at).items():
            window.observe(Sample(name, labels, p.at, p.value) for p in points)
    return window


def judge(inputs: RuleInputs) -> dict[str, list[Verdict]]:
    """Every rule, with no memory of what fired before; one that raises is skipped,
    as the engine does."""
    said: dict[str, list[Verdict]] = {}
    for name, rule in RULES.items():
        try:
            said[name] = rule(inputs, {})
        except Exception:
            log.exception("rule %s failed", name)
    return said


# -- the dashboard, in a child process ---------------------------------------------------


@dataclass(frozen=True)
class DashboardSpec:
    db_url: str
    exercise_id: int
    workers: int
    mode: str  # one of MODES
    log_path: str  # gunicorn's own log, kept out of the benchmark's figures
    bind: str = "127.0.0.1:0"  # any free port unless a benchmark needs the same origin again


def per_viewer_app(db_url: str, exercise_id: int) -> Dash:
    return create_app(Store.open(db_url), SystemClock(), exercise_id, context_type=PerViewerContext)


def serve_dashboard(spec: DashboardSpec, ready: Connection) -> None:
    """In a spawned child: gunicorn on 127.0.0.1, any free port, announced on `ready`."""
    with open(spec.log_path, "ab") as log_file:  # gunicorn logs every worker's start and stop
        os.dup2(log_file.fileno(), 1)
        os.dup2(log_file.fileno(), 2)
    factory = (
        None if spec.mode == "shared" else partial(per_viewer_app, spec.db_url, spec.exercise_id)
    )
    server = DashboardServer(
        spec.db_url,
        spec.exercise_id,
        spec.bind,
        spec.workers,
        announce=ready.send,
        app_factory=factory,
    )
    server.run()


@contextmanager
def dashboard(spec: DashboardSpec) -> Iterator[tuple[int, str]]:
    """The gunicorn master's PID and base URL, once a worker answers /healthz.

    Spawned, not forked: a fresh interpreter, so its RSS is a real server's and not
    this process's heap."""
    receive, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("spawn").Process(
        target=serve_dashboard, args=(spec, send), name="vigie-dashboard"
    )
    process.start()
    try:
        base = _announced_url(process, receive, Path(spec.log_path))
        wait_until(lambda: _answers(f"{base}/healthz"), timeout=60)
        assert process.pid is not None
        yield process.pid, base
    finally:
        stop_dashboard(process)


def _announced_url(
    process: SpawnProcess, receive: Connection, log_path: Path, timeout: float = 60
) -> str:
    deadline = time.monotonic() + timeout
    while not receive.poll(0.1):
        if not process.is_alive() or time.monotonic() > deadline:
            tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
            raise RuntimeError(
                f"the dashboard did not start (exit code {process.exitcode}):\n{tail}"
            )
    found = re.search(r"http://127\.0\.0\.1:\d+", receive.recv())
    assert found is not None
    return found.group(0)


def _answers(url: str, within_s: float = 2.0) -> bool:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            ok = bool(response.status == 200)
    except OSError:
        return False
    return ok and time.monotonic() - started <= within_s


def stop_dashboard(process: SpawnProcess) -> None:
    """SIGTERM the master by its PID (gunicorn stops its workers); kill the tree if it hangs."""
    if process.pid is None:
        return
    workers = _tree(process.pid)[1:]
    process.terminate()
    process.join(timeout=20)
    if process.is_alive():
        for worker in workers:
            with suppress(psutil.NoSuchProcess):
                worker.kill()
        process.kill()
        process.join()


# -- the load: wrk ------------------------------------------------------------------------

WRK_SCRIPT = """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[{body}]==]

-- Of every round of refreshes, the first ones are faculty pages (one per faculty
-- viewer, each its own faculty), the rest the wall.
local faculty_bodies = {{ {faculty_bodies} }}
local sent = 0
function request()
  local slot = sent % {viewers}
  sent = sent + 1
  if slot < #faculty_bodies then
    return wrk.format(nil, nil, nil, faculty_bodies[slot + 1])
  end
  return wrk.format(nil, nil, nil, wrk.body)
end

-- Each connection is one viewer. gunicorn's sync workers close every connection
-- after one answer, and wrk reconnects at once but sends a period later; a worker
-- takes connections in the order they were opened and waits for their request. So
-- requests must come in connection order, or they queue behind idle connections:
-- the first refreshes are spread over one period in the order the (single) wrk
-- thread connects, and each later one comes one period after the viewer's answer.
local period = {period}
local viewers = {viewers}
local started = 0
function delay()
  if started < viewers then
    started = started + 1
    return math.floor(started * period / viewers)
  end
  return period
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "wall-load requests=%d duration_us=%d p50_us=%.0f p95_us=%.0f p99_us=%.0f max_us=%.0f " ..
    "status=%d connect=%d read=%d write=%d timeout=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.status, e.connect, e.read, e.write, e.timeout))
end
"""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    duration_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]  # status (4xx, 5xx answers), connect, read, write, timeout
    cpu_s: float  # wrk's own

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def write_wrk_script(path: Path, viewers: int, faculties: list[str]) -> Path:
    """`viewers` connections in all; one per faculty in `faculties` watches its page."""
    body = json.dumps(wall_request())
    faculty_bodies = ", ".join(f"[==[{json.dumps(faculty_request(f))}]==]" for f in faculties)
    path.write_text(
        WRK_SCRIPT.format(
            body=body, faculty_bodies=faculty_bodies, period=REFRESH_MS, viewers=viewers
        ),
        encoding="utf-8",
    )
    return path


def run_wrk(base: str, script: Path, viewers: int, seconds: int) -> LoadResult:
    command = [
        # wrk leaves answers slower than --timeout out of its histogram: none can be here.
        *("wrk", "-t1", f"-c{viewers}", f"-d{seconds}s", f"--timeout={seconds + 30}s"),
        *("--latency", "-s", str(script), base + CALLBACK_PATH),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # wrk is the only child reaped meanwhile, so this is its CPU time.
    cpu_s = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if finished.returncode != 0:
        raise RuntimeError(f"wrk failed: {finished.stderr.strip() or finished.stdout.strip()}")
    return parse_wrk(finished.stdout, cpu_s)


def parse_wrk(output: str, cpu_s: float) -> LoadResult:
    """raises ValueError when wrk printed no summary line from the script's `done`."""
    line = next((x for x in output.splitlines() if x.startswith("wall-load ")), None)
    if line is None:
        raise ValueError(f"no summary from wrk:\n{output}")
    values = {k: int(v) for k, v in (part.split("=") for part in line.split()[1:])}
    return LoadResult(
        requests=values["requests"],
        duration_s=values["duration_us"] / 1e6,
        p50_ms=values["p50_us"] / 1000,
        p95_ms=values["p95_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        max_ms=values["max_us"] / 1000,
        errors={k: values[k] for k in ("status", "connect", "read", "write", "timeout")},
        cpu_s=cpu_s,
    )


def check_wall_answers(base: str, times: int = 10) -> None:
    """A few refreshes before the load: the body is one the app accepts and answers with
    the wall, and the workers have each built their app."""
    body = json.dumps(wall_request()).encode()
    for _ in range(times):
        request = urllib.request.Request(
            base + CALLBACK_PATH, body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
        assert "wall-screen" in answer["response"], str(answer)[:300]


# -- resources ----------------------------------------------------------------------------


@dataclass
class Usage:
    cpu_s: float = 0.0
    peak_rss: int = 0
    end_rss: int = 0
    first_cpu: dict[int, float] = field(default_factory=dict)
    last_cpu: dict[int, float] = field(default_factory=dict)


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


class ResourceWatch:
    """CPU seconds and RSS of process trees (by root PID) over a window, sampled;
    and how busy the whole machine was, since others share it."""

    def __init__(self, roots: dict[str, int]) -> None:
        self._roots = roots
        self.usage = {name: Usage() for name in roots}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._started = 0.0
        self._machine_before = 0.0
        self.seconds = 0.0
        self.machine_busy_s = 0.0  # every process's, on every core

    def __enter__(self) -> ResourceWatch:
        self._sample(first=True)
        self._machine_before = _machine_busy_s()
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample(first=False)
        self.seconds = time.monotonic() - self._started
        self.machine_busy_s = _machine_busy_s() - self._machine_before
        for usage in self.usage.values():
            usage.cpu_s = sum(
                cpu - usage.first_cpu.get(pid, 0.0) for pid, cpu in usage.last_cpu.items()
            )

    def _loop(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY_S):
            self._sample(first=False)

    def _sample(self, first: bool) -> None:
        for name, root in self._roots.items():
            usage, rss = self.usage[name], 0
            for process in _tree(root):
                try:
                    times, memory = process.cpu_times(), process.memory_info()
                except psutil.NoSuchProcess:
                    continue  # a worker that left between listing and reading
                usage.last_cpu[process.pid] = times.user + times.system
                if first:
                    usage.first_cpu[process.pid] = times.user + times.system
                rss += memory.rss
            usage.peak_rss = max(usage.peak_rss, rss)
            usage.end_rss = rss

    def cpu_percent(self, name: str) -> float:
        """Of the whole machine: 100% is every core busy for the whole window."""
        return self.percent(self.usage[name].cpu_s)

    def percent(self, cpu_s: float) -> float:
        return 100 * cpu_s / (self.seconds * (psutil.cpu_count() or 1))


def _machine_busy_s() -> float:
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


# -- one configuration --------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    seconds: int
    viewers: int  # of the wall
    workers: int
    repeats: int
    faculty_viewers: int = 0  # beside them, each watching one faculty's page
    sites: int | None = None  # a seed-shaped plan of this many sites; None: the seed's 35

    @property
    def connections(self) -> int:
        return self.viewers + self.faculty_viewers


@dataclass(frozen=True)
class Run:
    """One wrk run against a running setup."""

    load: LoadResult
    watch: ResourceWatch
    ticks: int  # per-tick states the collector wrote meanwhile


@dataclass(frozen=True)
class Outcome:
    history_min: int
    mode: str
    backfill: Backfill
    runs: list[Run]

    @property
    def typical(self) -> Run:
        """The run with the median p95: the machine is shared, one run can be unlucky."""
        ordered = sorted(self.runs, key=lambda run: run.load.p95_ms)
        return ordered[(len(ordered) - 1) // 2]


def run_configuration(history_min: int, mode: str, settings: Settings) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="vigie-wall-load-") as scratch:
        folder = Path(scratch)
        # The simulator reads only the simulation from its plan, not the sources.
        served = write_plan(folder / "simulated.toml", endless_seed_plan(9108, 240, settings.sites))
        simulator = VigieProcess("simulate", str(served), "--port", "0")
        try:
            port = _metrics_port(simulator)
            return _with_simulator(
                folder, (port, simulator.process.pid), history_min, mode, settings
            )
        finally:
            simulator.stop()


def _metrics_port(simulator: VigieProcess) -> int:
    line = simulator.wait_for_line(lambda line: line.startswith("Simulating "))
    found = re.search(r":(\d+)/metrics", line)
    assert found is not None, line
    return int(found.group(1))


def _with_simulator(
    folder: Path, simulator: tuple[int, int], history_min: int, mode: str, settings: Settings
) -> Outcome:
    """Backfill, collector, dashboard, load; `simulator` is its port and PID."""
    port, simulator_pid = simulator
    plan_toml = endless_seed_plan(port, history_min + 120, settings.sites)
    plan_path = write_plan(folder / "plan.toml", plan_toml)
    db_url = sqlite_url(folder / "vigie.db")
    backfill = _backfill(db_url, plan_toml, history_min)
    collector = VigieProcess(
        "collect", "--plan", str(plan_path), "--db", db_url, "--exercise", str(backfill.exercise_id)
    )
    try:
        collector.wait_for_line(lambda line: line.startswith("Collecting "))
        wait_for_live_tick(db_url, backfill.exercise_id)
        log_path = str(folder / "gunicorn.log")
        spec = DashboardSpec(db_url, backfill.exercise_id, settings.workers, mode, log_path)
        pids = {"collector": collector.process.pid, "simulator": simulator_pid}
        runs = load_dashboard(spec, folder / "wall.lua", pids, settings)
    finally:
        collector.stop()
    return Outcome(history_min, mode, backfill, runs)


def _backfill(db_url: str, plan_toml: str, history_min: int) -> Backfill:
    store = Store.open(db_url)
    try:
        return backfill_live_exercise(store, parse_plan(plan_toml), plan_toml, history_min)
    finally:
        store.close()


def load_dashboard(
    spec: DashboardSpec, script: Path, pids: dict[str, int], settings: Settings
) -> list[Run]:
    plan = load_plan(seed_plan())
    sites = scaled_plan(plan, settings.sites) if settings.sites else plan
    faculties = [f.id for f in sites.faculties][: settings.faculty_viewers]
    write_wrk_script(script, settings.connections, faculties)
    with dashboard(spec) as (master_pid, base):
        check_wall_answers(base)
        roots = {"dashboard": master_pid, **pids}
        return [_one_run(spec, base, script, roots, settings) for _ in range(settings.repeats)]


def _one_run(
    spec: DashboardSpec, base: str, script: Path, roots: dict[str, int], settings: Settings
) -> Run:
    # A saturated run leaves refreshes queued behind it: start once they are served.
    wait_until(lambda: _answers(f"{base}/healthz", within_s=0.1), timeout=120)
    started = time.time()
    with ResourceWatch(roots) as watch:
        load = run_wrk(base, script, settings.connections, settings.seconds)
    return Run(load, watch, count_ticks(spec.db_url, spec.exercise_id, started, time.time()))


def wait_for_live_tick(db_url: str, exercise_id: int) -> None:
    """Until the collector has written a state of its own (it reads the simulator)."""
    since = time.time()
    store = Store.open(db_url)
    try:
        wait_until(lambda: _newest_tick(store, exercise_id) > since, timeout=30)
    finally:
        store.close()


def _newest_tick(store: Store, exercise_id: int) -> float:
    found = store.ticks.at(exercise_id, time.time() + 60)
    return -1.0 if found is None else found[0]


def count_ticks(db_url: str, exercise_id: int, start: float, end: float) -> int:
    store = Store.open(db_url)
    try:
        return sum(1 for at in store.ticks.instants(exercise_id) if start <= at <= end)
    finally:
        store.close()


# -- report -------------------------------------------------------------------------------

HEADER = (
    f"{'history':>8} {'mode':<9} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} "
    f"{'errors':>6} {'dash CPU %':>10} {'ms CPU/req':>10} {'coll CPU %':>10} "
    f"{'dash RSS MB':>11} {'other CPU %':>11}"
)


def others_percent(run: Run) -> float:
    """What the rest of the machine used meanwhile: beyond a few %, the figures are noisy."""
    ours = sum(u.cpu_s for u in run.watch.usage.values()) + run.load.cpu_s
    return run.watch.percent(max(0.0, run.watch.machine_busy_s - ours))


def row(outcome: Outcome) -> str:
    run = outcome.typical
    load, watch = run.load, run.watch
    per_request_ms = 1000 * watch.usage["dashboard"].cpu_s / max(1, load.requests)
    return (
        f"{outcome.history_min:>4} min {outcome.mode:<9} {load.requests:>8,} "
        f"{load.requests / load.duration_s:>6.1f} {load.p50_ms:>7.1f} {load.p95_ms:>7.1f} "
        f"{load.error_count:>6} {watch.cpu_percent('dashboard'):>10.1f} {per_request_ms:>10.1f} "
        f"{watch.cpu_percent('collector'):>10.1f} "
        f"{watch.usage['dashboard'].peak_rss / 2**20:>11.0f} {others_percent(run):>11.1f}"
    )


def details(outcome: Outcome) -> list[str]:
    backfill, run = outcome.backfill, outcome.typical
    load, watch = run.load, run.watch
    errors = ", ".join(f"{k} {v}" for k, v in load.errors.items())
    p95s = ", ".join(f"{r.load.p95_ms:.0f}" for r in outcome.runs)
    others = ", ".join(f"{others_percent(r):.0f}" for r in outcome.runs)
    return [
        f"  {outcome.history_min} min {outcome.mode}: history of {backfill.cycles:,} poll "
        f"cycles, {backfill.samples:,} samples, backfilled in {backfill.wall_seconds:.1f} s",
        f"    p95 of each run: {p95s} ms (other CPU %: {others}); the median run: "
        f"p99 {load.p99_ms:.0f} ms, max {load.max_ms:.0f} ms; errors: {errors}",
        f"    RSS MB: dashboard peak {watch.usage['dashboard'].peak_rss / 2**20:.0f}, end "
        f"{watch.usage['dashboard'].end_rss / 2**20:.0f}; collector peak "
        f"{watch.usage['collector'].peak_rss / 2**20:.0f}, end "
        f"{watch.usage['collector'].end_rss / 2**20:.0f}",
        f"    CPU %: simulator {watch.cpu_percent('simulator'):.1f}, wrk "
        f"{watch.percent(load.cpu_s):.1f}; the collector wrote {run.ticks} ticks "
        f"in {watch.seconds:.0f} s of load",
    ]


def ratios(outcomes: list[Outcome]) -> list[str]:
    p95 = {(o.history_min, o.mode): o.typical.load.p95_ms for o in outcomes}
    lines = []
    for history in sorted({o.history_min for o in outcomes}):
        if (history, "shared") in p95 and (history, "baseline") in p95:
            ratio = p95[(history, "baseline")] / p95[(history, "shared")]
            lines.append(f"  baseline p95 / shared p95 at {history} min: {ratio:.1f}x")
    histories = sorted(h for h, mode in p95 if mode == "shared")
    if len(histories) >= 2:
        low, high = histories[0], histories[-1]
        growth = p95[(high, "shared")] / p95[(low, "shared")]
        lines.append(f"  shared p95 at {high} min / at {low} min: {growth:.2f}x")
    return lines


def verdicts(outcomes: list[Outcome]) -> list[str]:
    lines = []
    for outcome in (o for o in outcomes if o.mode == "shared"):
        load = outcome.typical.load
        met = load.p95_ms < TARGET_P95_MS and load.error_count == 0
        lines.append(
            f"  shared at {outcome.history_min} min {'meets' if met else 'MISSES'} "
            f"p95 < {TARGET_P95_MS:g} ms with no errors"
        )
    return lines


def noise(outcomes: list[Outcome], above: float = 5.0) -> list[str]:
    busy = [o for o in outcomes if others_percent(o.typical) > above]
    if not busy:
        return []
    shown = ", ".join(f"{o.history_min} min {o.mode}" for o in busy)
    return [f"  NOISY: other processes used over {above:g}% of the machine during {shown}"]


def report(outcomes: list[Outcome], settings: Settings) -> None:
    print(
        f"wall load: {settings.viewers} wall viewers and {settings.faculty_viewers} faculty "
        f"viewers, each refreshing every {REFRESH_MS / 1000:g} s, "
        f"{settings.workers} sync workers, collector polling every 1 s, "
        f"{psutil.cpu_count()} cores (CPU % is of all of them); median p95 of "
        f"{settings.repeats} runs of {settings.seconds} s"
    )
    print(HEADER)
    for outcome in outcomes:
        print(row(outcome))
    for line in ratios(outcomes) + verdicts(outcomes) + noise(outcomes):
        print(line)
    for outcome in outcomes:
        print("\n".join(details(outcome)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=30, help="wrk's duration per run")
    parser.add_argument("--viewers", type=int, default=300, help="wall screens")
    parser.add_argument(
        "--faculty-viewers", type=int, default=0, help="faculty pages beside them (35 at most)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sites", type=int, default=None, help="a seed-shaped plan's sites")
    parser.add_argument("--histories", default="5,60", help="minutes of history, comma-separated")
    parser.add_argument("--only", choices=MODES, default=None)
    parser.add_argument("--repeats", type=int, default=3, help="wrk runs per configuration")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench_wall_load needs wrk (apt-get install wrk)")
    # A SIGTERM unwinds like Ctrl-C, so the finally blocks stop every child we started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    settings = Settings(
        args.seconds, args.viewers, args.workers, args.repeats, args.faculty_viewers, args.sites
    )
    histories = [int(h) for h in args.histories.split(",")]
    modes = [args.only] if args.only else list(MODES)
    outcomes = []
    print(HEADER, flush=True)
    for history in histories:
        for mode in modes:
            outcomes.append(run_configuration(history, mode, settings))
            print(row(outcomes[-1]), flush=True)
    print()
    report(outcomes, settings)


if __name__ == "__main__":
    main()
