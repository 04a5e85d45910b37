"""Start a `vigie` server as a child process, read what it prints, stop it by its PID."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path


class VigieProcess:
    def __init__(
        self, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        """`env`: variables added to this process's own environment."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "vigie", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"},
            cwd=cwd,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)  # the process closed its output: it has exited

    def wait_for_line(self, predicate: Callable[[str], bool], timeout: float = 60) -> str:
        """Block until the process prints a matching line (no fixed sleeps)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching line in {timeout} s; saw {self.seen[-20:]}")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"the process exited; it printed {self.seen[-20:]}")
            self.seen.append(line)
            if predicate(line):
                return line

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM our own child by PID, wait for it, and return its exit code."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            return self.process.wait()
