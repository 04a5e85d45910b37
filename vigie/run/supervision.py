"""`vigie serve`'s collector child, kept alive: restarted when it dies, with back-off.

Only serve's master runs this (gunicorn's workers are forks that leave it behind).
A thread waits on the child's PID; a death is reported with its exit code or signal
and the delay before the restart. The delay doubles with each quick death and
starts over once a child has run a while, so a crash loop neither spins nor leaves
the room unwatched for long. A clean stop signals the child by its PID and does not
restart it.

gunicorn's master reaps every child it did not start (waitpid(-1) on SIGCHLD); the
watching thread waits on the child's pidfd and reaps it as soon as it is woken,
before gunicorn's main loop handles the signal. Should gunicorn win, the death is
still reported and the child restarted, with its status unknown.
"""

from __future__ import annotations

import contextlib
import functools
import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vigie.run.production import start_collector

Report = Callable[[str], None]

# Held while a child is spawned, and around every fork of this process (gunicorn
# forking a worker): a worker forked while Popen waits for its child's exec would
# keep Popen's error pipe open, and Popen (and the supervision) would wait for ever.
_SPAWNING = threading.Lock()


@functools.cache
def _guard_forks() -> None:
    """Once per process that supervises (never one that spawns with a preexec_fn,
    whose fork would run these handlers in the thread holding the lock)."""
    os.register_at_fork(
        before=_SPAWNING.acquire,
        after_in_parent=_SPAWNING.release,
        after_in_child=_SPAWNING.release,
    )


@dataclass(frozen=True, kw_only=True)
class Backoff:
    first_s: float = 1.0
    factor: float = 2.0
    max_s: float = 30.0
    reset_after_s: float = 60.0  # a child that ran this long was healthy: start over

    def next_delay(self, previous_s: float | None, ran_s: float) -> float:
        if previous_s is None or ran_s >= self.reset_after_s:
            return self.first_s
        return min(previous_s * self.factor, self.max_s)


def describe_exit(status: int | None) -> str:
    """'exited with code 3', 'was killed by SIGKILL', or 'exited (status unknown)'."""
    if status is None:
        return "exited (status unknown: reaped by gunicorn)"
    code = os.waitstatus_to_exitcode(status)
    if code >= 0:
        return f"exited with code {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    return f"was killed by {name}"


class CollectorSupervisor:
    def __init__(
        self,
        spawn: Callable[[], subprocess.Popen[bytes]],
        report: Report,
        backoff: Backoff = Backoff(),
    ) -> None:
        self._spawn = spawn
        self._report = report
        self._backoff = backoff
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # between spawning and stopping
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._thread = threading.Thread(
            target=self._watch, name="collector-supervisor", daemon=True
        )

    @classmethod
    def start(
        cls, plan_path: Path, db_url: str, exercise_id: int, extra: Sequence[str], report: Report
    ) -> CollectorSupervisor:
        supervisor = cls(lambda: start_collector(plan_path, db_url, exercise_id, extra), report)
        supervisor.start_watching()
        return supervisor

    def start_watching(self) -> None:
        """Spawn the child and keep it alive, from a thread of this process."""
        _guard_forks()
        self._thread.start()

    def _watch(self) -> None:
        delay: float | None = None
        while self._launch():
            process = self.process
            assert process is not None
            started = time.monotonic()
            status = _wait(process)
            if self._stopping.is_set():
                return
            ran = time.monotonic() - started
            delay = self._backoff.next_delay(delay, ran)
            self._report(
                f"vigie: the collector (pid {process.pid}) {describe_exit(status)} after "
                f"{ran:.1f} s; restarting it in {delay:.1f} s"
            )
            if self._stopping.wait(delay):
                return
            self.restarts += 1

    def _launch(self) -> bool:
        with self._lock:
            if self._stopping.is_set():
                return False
            with _SPAWNING:
                self.process = self._spawn()
        if self.restarts:
            self._report(f"vigie: collector restarted (pid {self.process.pid})")
        return True

    def stop(self, timeout_s: float = 10) -> None:
        """Stop the child by its PID, politely then firmly, and restart nothing."""
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is None:
            return
        _signal(process, signal.SIGTERM)
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            _signal(process, signal.SIGKILL)
            self._thread.join(timeout_s)


def _wait(process: subprocess.Popen[bytes]) -> int | None:
    """Until the child exits: its wait status, or None if someone else reaped it.

    Polls a pidfd (readable once the child has exited), then reaps it at once: the
    status is ours before gunicorn's main loop gets round to its SIGCHLD."""
    try:
        fd = os.pidfd_open(process.pid)
    except ProcessLookupError:
        return _reap(process)
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        poller.poll()
        return _reap(process)
    finally:
        os.close(fd)


def _reap(process: subprocess.Popen[bytes]) -> int | None:
    try:
        _, status = os.waitpid(process.pid, 0)
    except ChildProcessError:  # gunicorn's master reaped it first
        process.returncode = 0 if process.returncode is None else process.returncode
        return None
    process.returncode = os.waitstatus_to_exitcode(status)
    return status


def _signal(process: subprocess.Popen[bytes], sig: int) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, sig)
