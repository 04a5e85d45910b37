"""Start, watch and stop the Locust processes that play a rehearsal's virtual students.

Runs in the Vigie process and never imports Locust: Locust runs as child processes
(`python -m vigie.rehearse.locust_main`), one alone or a master and N workers, each
logging to a file of its own in `workdir`, and is stopped by the PIDs started here.

    students = StudentsProcess(plan_path, control_path, "http://127.0.0.1:8080", workdir)
    students.start()          # raises StudentsFailed (with the log's tail) if Locust dies
    ...                       # write_control(...) launches waves, then stop=True
    students.wait(timeout=60) # Locust logs every student out and exits
    summary = students.stop() # what the run did, from Locust's CSV stats
"""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from vigie.plan import load_plan
from vigie.rehearse.schedule import MAX_VIRTUAL_STUDENTS, plan_arrivals

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# Where this `vigie` package lives: Locust's processes import the same code, from any cwd.
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "Shape worker starting"  # Locust's shape loop has begun: students can come
# How Locust's failure messages name a connection that was refused, reset or cut.
CONNECTION_ERRORS = (
    "ConnectionError",
    "ConnectionRefused",
    "ConnectionReset",
    "RemoteDisconnected",
    "ProtocolError",
    "BrokenPipe",
    "ConnectionAborted",
)
SERVER_ERRORS = ("500 Server Error", "502 Server Error", "503 Server Error", "504 Server Error")


class StudentsFailed(RuntimeError):
    """Locust exited before it was asked to, or never became ready; says its log's tail."""


@dataclass(frozen=True, kw_only=True)
class Summary:
    requests: int = 0
    failures: int = 0
    connection_errors: int = 0  # refused, reset or cut connections (Locust's failures)
    server_errors: int = 0  # 5xx answers
    by_name: dict[str, tuple[int, int]] = field(
        default_factory=dict
    )  # name -> (requests, failures)
    errors: dict[str, int] = field(default_factory=dict)  # Locust's error text -> occurrences


@dataclass(frozen=True)
class Pacing:
    think_s: tuple[float, float] = (5.0, 15.0)
    run_time_s: float = 3600.0  # the whole run's bound: Locust stops its students there
    grace_s: float = 10.0  # from SIGTERM to SIGKILL


class StudentsProcess:
    def __init__(
        self,
        plan_path: Path,
        control_path: Path,
        target: str,
        workdir: Path,
        *,
        scale: float = 0.05,
        workers: int = 1,
        seed: int | None = None,
        pacing: Pacing = Pacing(),
        max_students: int = MAX_VIRTUAL_STUDENTS,
        python: str = sys.executable,
    ) -> None:
        """`max_students` bounds each Locust process (so a distributed run takes up to
        `workers` times as many). Raises ValueError at once for a scale <= 0 or a
        scaled plan above the bound, before any process starts."""
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.bound = max_students * workers
        self.students = len(plan_arrivals(load_plan(plan_path), scale, seed, self.bound))
        self.workers = workers
        self.workdir = workdir
        self.pacing = pacing
        self._python = python
        self._common = [
            "-f", str(LOCUSTFILE), "--host", target,
            "--vigie-plan", str(plan_path), "--vigie-control", str(control_path),
            "--vigie-scale", repr(scale), "--vigie-max-students", str(self.bound),
            "--vigie-think-min", repr(pacing.think_s[0]),
            "--vigie-think-max", repr(pacing.think_s[1]),
            *(["--vigie-seed", str(seed)] if seed is not None else []),
        ]  # fmt: skip
        self._processes: list[tuple[subprocess.Popen[bytes], Path]] = []
        self._stopping = False

    @property
    def csv_prefix(self) -> Path:
        return self.workdir / "locust"

    @property
    def pids(self) -> list[int]:
        return [p.pid for p, _ in self._processes]

    def start(self, ready_timeout: float = 60) -> None:
        """Start Locust and wait until its shape loop runs. Raises StudentsFailed."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        head = [
            "--headless", "--run-time", f"{int(self.pacing.run_time_s)}s",
            "--csv", str(self.csv_prefix), "--exit-code-on-error", "0", "--loglevel", "INFO",
        ]  # fmt: skip
        if self.workers == 1:
            self._spawn("locust", [*head, *self._common])
        else:
            port = _free_port()
            master = [
                "--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port),
                "--expect-workers", str(self.workers),
            ]  # fmt: skip
            self._spawn("locust-master", [*head, *master, *self._common])
            for n in range(self.workers):
                worker = ["--worker", "--master-host", "127.0.0.1", "--master-port", str(port)]
                self._spawn(f"locust-worker-{n + 1}", [*worker, *self._common])
        self._wait_ready(ready_timeout)

    def _spawn(self, name: str, args: Sequence[str]) -> None:
        log = self.workdir / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [self._python, "-m", "vigie.rehearse.locust_main", *args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # our signals only, not the terminal's
                env=_child_environment(),
            )
        self._processes.append((process, log))

    def _wait_ready(self, timeout: float) -> None:
        main_log = self._processes[0][1]
        deadline = time.monotonic() + timeout
        while READY_LINE not in main_log.read_text(errors="replace"):
            self.check()
            if time.monotonic() > deadline:
                self.stop()
                raise StudentsFailed(f"Locust not ready in {timeout} s:\n{_tail(main_log)}")
            time.sleep(0.1)

    def check(self) -> None:
        """Raises StudentsFailed if a Locust process exited without being asked to."""
        for process, log in self._processes:
            if process.poll() is not None and not self._stopping:
                self.stop()
                raise StudentsFailed(
                    f"Locust exited early (code {process.returncode}):\n{_tail(log)}"
                )

    @property
    def running(self) -> bool:
        return any(p.poll() is None for p, _ in self._processes)

    def wait(self, timeout: float) -> bool:
        """Wait for Locust to end by itself (a `stop` in the control file, --run-time);
        True when every process has exited in time."""
        self._stopping = True
        return _poll_until(lambda: not self.running, timeout)

    def stop(self) -> Summary:
        """SIGTERM our processes by PID (the master first), SIGKILL what outlives the
        grace period; then the run's summary."""
        self._stopping = True
        for process, _ in self._processes:
            _terminate(process, self.pacing.grace_s)
        return self.summary()

    def summary(self) -> Summary:
        """What Locust's CSV stats say (empty before Locust wrote them)."""
        return read_summary(self.csv_prefix)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(_tail(log, lines) for _, log in self._processes)


def read_summary(prefix: Path) -> Summary:
    """Locust's `PREFIX_stats.csv` and `PREFIX_failures.csv` as a Summary."""
    by_name = {}
    total = (0, 0)
    for row in _rows(prefix.with_name(f"{prefix.name}_stats.csv")):
        counts = (int(row["Request Count"]), int(row["Failure Count"]))
        if row["Name"] == "Aggregated":
            total = counts
        else:
            by_name[row["Name"]] = counts
    errors: dict[str, int] = {}
    for row in _rows(prefix.with_name(f"{prefix.name}_failures.csv")):
        errors[row["Error"]] = errors.get(row["Error"], 0) + int(row["Occurrences"])
    return Summary(
        requests=total[0],
        failures=total[1],
        connection_errors=_count(errors, CONNECTION_ERRORS),
        server_errors=_count(errors, SERVER_ERRORS),
        by_name=by_name,
        errors=errors,
    )


def _count(errors: dict[str, int], markers: tuple[str, ...]) -> int:
    return sum(n for text, n in errors.items() if any(m in text for m in markers))


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _terminate(process: subprocess.Popen[bytes], grace_s: float) -> None:
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


def _poll_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _child_environment() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _tail(log: Path, lines: int = 30) -> str:
    out: IO[str]
    with log.open(encoding="utf-8", errors="replace") as out:
        return "".join(out.readlines()[-lines:])
