"""`vigie serve` keeps its collector alive: a dead child is restarted with back-off and
reported, a clean stop stops it by its PID and restarts nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import requests

from tests.support.postgres import free_port
from tests.support.process import VigieProcess
from tests.support.waiting import wait_until
from tests.test_failover import first_write_after
from tests.test_live import plan_reading
from vigie.run.supervision import Backoff, CollectorSupervisor, describe_exit
from vigie.staging.processes import pid_alive
from vigie.store import Store, sqlite_url


def test_back_off_doubles_with_each_quick_death_and_starts_over_after_a_long_run() -> None:
    backoff = Backoff(first_s=1, factor=2, max_s=5, reset_after_s=60)
    delays: list[float] = []
    previous = None
    for ran in (0.5, 0.5, 0.5, 0.5, 0.5, 120, 0.5):
        previous = backoff.next_delay(previous, ran)
        delays.append(previous)
    assert delays == [1, 2, 4, 5, 5, 1, 2]


def test_an_exit_is_described_by_its_code_or_its_signal_name() -> None:
    killed = subprocess.Popen([sys.executable, "-c", "import os; os.kill(os.getpid(), 9)"])
    _, status = os.waitpid(killed.pid, 0)
    assert describe_exit(status) == "was killed by SIGKILL"
    failed = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    _, status = os.waitpid(failed.pid, 0)
    assert describe_exit(status) == "exited with code 3"


def sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_a_killed_child_is_restarted_and_a_stop_restarts_nothing() -> None:
    said: list[str] = []
    lock = threading.Lock()

    def report(line: str) -> None:
        with lock:
            said.append(line)

    supervisor = CollectorSupervisor(sleeper, report, Backoff(first_s=0.05))
    supervisor.start_watching()
    wait_until(lambda: supervisor.process is not None, timeout=10)
    first = supervisor.process
    assert first is not None
    os.kill(first.pid, signal.SIGKILL)
    wait_until(lambda: supervisor.restarts == 1 and supervisor.process is not first, timeout=10)
    assert said[0].startswith(f"vigie: the collector (pid {first.pid}) was killed by SIGKILL")
    assert "restarting it in 0.1 s" in said[0] or "restarting it in 0.0 s" in said[0]
    second = supervisor.process
    assert second is not None and said[1] == f"vigie: collector restarted (pid {second.pid})"
    supervisor.stop()
    assert not pid_alive(second.pid) and supervisor.process is second and len(said) == 2


def collector_pid(serve: VigieProcess) -> int | None:
    children = psutil.Process(serve.process.pid).children()
    found = [c.pid for c in children if "vigie collect" in " ".join(c.cmdline())]
    return found[0] if found else None


def healthz(port: int) -> int:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code
    except requests.ConnectionError:  # gunicorn not listening yet
        return 0


def remaining_lines(process: VigieProcess) -> list[str]:
    """What an exited process printed that no wait read yet."""
    lines = []
    while (line := process.lines.get(timeout=10)) is not None:
        lines.append(line)
    return lines


def test_serve_restarts_its_collector_killed_with_kill_9_and_it_writes_again(
    tmp_path: Path,
) -> None:
    # No platform on the plan's port: every poll still writes (its source is down).
    db = tmp_path / "serve.db"
    port = free_port()
    serve = VigieProcess(
        "serve", "--plan", str(plan_reading(free_port(), tmp_path)), "--db", str(db),
        "--bind", f"127.0.0.1:{port}", "--workers", "1", "--open",
    )  # fmt: skip
    try:
        line = serve.wait_for_line(lambda line: line.startswith("Collecting 1 sources"))
        exercise = int(line.rsplit(" ", 1)[1])
        wait_until(lambda: healthz(port) == 200)
        first = collector_pid(serve)
        assert first is not None
        os.kill(first, signal.SIGKILL)
        killed_at = time.time()
        died = serve.wait_for_line(lambda line: line.startswith("vigie: the collector"))
        assert f"(pid {first}) was killed by SIGKILL" in died and "restarting it in 1.0 s" in died
        restarted = serve.wait_for_line(lambda line: line.startswith("vigie: collector restarted"))
        second = int(restarted.rsplit(" ", 1)[1].rstrip(")"))
        assert second != first and collector_pid(serve) == second
        # Killed again at once, it is restarted after 2 s: more than the 2 polls (1 s
        # each) after which /healthz must say nothing is being written.
        os.kill(second, signal.SIGKILL)
        died = serve.wait_for_line(lambda line: line.startswith("vigie: the collector"))
        assert "restarting it in 2.0 s" in died
        wait_until(lambda: healthz(port) == 503, timeout=10)
        restarted = serve.wait_for_line(lambda line: line.startswith("vigie: collector restarted"))
        second = int(restarted.rsplit(" ", 1)[1].rstrip(")"))
        serve.wait_for_line(lambda line: line.startswith("Collecting 1 sources"))
        store = Store.open(sqlite_url(db))
        wait_until(lambda: first_write_after(store, exercise, killed_at) is not None)
        store.close()
        wait_until(lambda: healthz(port) == 200)  # written again: healthy again
        assert serve.stop() == 0
        assert not pid_alive(second)
        after = remaining_lines(serve)
        assert "Collection stopped." in after and "Stopped." in after
        assert not any(line.startswith("vigie: the collector") for line in after)
    finally:
        serve.stop()


def test_serves_collector_stops_when_serve_is_killed_with_kill_9(tmp_path: Path) -> None:
    # Left running, it would keep the exercise's lease against the next serve's collector.
    serve = VigieProcess(
        "serve", "--plan", str(plan_reading(free_port(), tmp_path)),
        "--db", str(tmp_path / "serve.db"),
        "--bind", f"127.0.0.1:{free_port()}", "--workers", "1", "--open",
    )  # fmt: skip
    try:
        serve.wait_for_line(lambda line: line.startswith("Collecting 1 sources"))
        collector = collector_pid(serve)
        assert collector is not None
        os.kill(serve.process.pid, signal.SIGKILL)
        wait_until(lambda: not pid_alive(collector), timeout=15)
    finally:
        serve.stop()
