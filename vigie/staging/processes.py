"""Start, wait for and stop the staging servers: free ports, readiness polls, stop by PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import requests

POLL_S = 0.05


class StagingError(RuntimeError):
    """A staging server did not start or answer in time; the message carries its log tail."""


def free_port() -> int:
    """A port free on 127.0.0.1 now (the kernel picks it; a server binds it just after)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tail(path: Path, chars: int = 1500) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"


def pid_alive(pid: int) -> bool:
    """True while `pid` runs; a zombie (exited, not yet reaped by init) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}


def http_ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


def wait_ready(
    what: str,
    ready: Callable[[], bool],
    log: Path,
    timeout: float = 30,
    alive: Callable[[], bool] = lambda: True,
) -> None:
    """Poll `ready` until it holds; raises StagingError with the log tail on timeout or death."""
    deadline = time.monotonic() + timeout
    while not ready():
        if not alive():
            raise StagingError(f"{what} exited while starting; log tail:\n{log_tail(log)}")
        if time.monotonic() > deadline:
            raise StagingError(f"{what} not ready in {timeout} s; log tail:\n{log_tail(log)}")
        time.sleep(POLL_S)


def stop_pid(pid: int, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    """Signal a daemon we started by its PID, wait for it to go, SIGKILL it if it does not."""
    for current in (sig, signal.SIGKILL):
        try:
            os.kill(pid, current)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(POLL_S)
        if not pid_alive(pid):
            return


def stop_child(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Terminate a child we spawned, kill it if it lingers, and reap it."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def spawn(
    command: list[str], log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start a server in the background, its stdout and stderr appended to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
