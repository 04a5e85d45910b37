"""Waiting for and stopping the servers the tests start (Prometheus, Alertmanager)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import requests


def wait_ready(
    process: subprocess.Popen[bytes], url: str, log_tail: Callable[[], str], timeout: float = 30
) -> None:
    """Poll `url/-/ready` until it answers 200; fail with the log if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, log_tail()
        try:
            if requests.get(f"{url}/-/ready", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} not ready in {timeout} s: {log_tail()}")


def stop(process: subprocess.Popen[bytes] | None) -> None:
    """Terminate our own child by its PID, and kill it if it does not go."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
