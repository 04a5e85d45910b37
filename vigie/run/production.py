"""`vigie serve`: the dashboard under gunicorn's sync workers, and the collector in
a process of its own.

Workers are stateless: each opens its own store connection after the fork and
reads the per-tick state the single collector process writes. Workers never
talk to each other, so adding one adds capacity and nothing else.
"""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gunicorn.http.wsgi
from dash import Dash
from gunicorn.app.base import BaseApplication

from vigie.clock import SystemClock
from vigie.dashboard.app import create_app
from vigie.dashboard.auth import OPEN_DEMO_MODE, AuthSettings
from vigie.store import Store


class DashboardServer(BaseApplication):  # type: ignore[misc]
    """gunicorn, configured from arguments (never from a file or the environment)."""

    def __init__(
        self,
        db_url: str,
        exercise_id: int,
        bind: str,
        workers: int,
        announce: Callable[[str], None] = print,
        debug: bool = False,
        app_factory: Callable[[], Dash] | None = None,
        auth: AuthSettings = OPEN_DEMO_MODE,
    ) -> None:
        """`app_factory` (benchmarks) builds each worker's app instead of the default."""
        self._db_url = db_url
        self._exercise = exercise_id
        self._bind = bind
        self._workers = workers
        self._announce = announce
        self._debug = debug
        self._app_factory = app_factory
        self._auth = auth
        super().__init__()

    def load_config(self) -> None:
        settings: dict[str, Any] = {
            "bind": [self._bind],
            "workers": self._workers,
            "worker_class": "sync",  # the fastest for short callbacks on few cores
            "timeout": 30,
            "graceful_timeout": 5,
            "control_socket_disable": True,  # no socket file in the user's home
            "when_ready": self._ready,
            "proc_name": "vigie-serve",
        }
        for key, value in settings.items():
            self.cfg.set(key, value)
        _send_no_server_header()

    def _ready(self, arbiter: Any) -> None:
        host, port = arbiter.LISTENERS[0].sock.getsockname()[:2]
        self._announce(f"Open http://{host}:{port}/  (wall: http://{host}:{port}/wall)")

    def load(self) -> Any:
        """In each worker, after the fork: a store connection of its own."""
        app = (
            self._app_factory()
            if self._app_factory is not None
            else create_app(
                Store.open(self._db_url), SystemClock(), self._exercise, auth=self._auth
            )
        )
        if self._debug:
            app.enable_dev_tools(debug=True)
        # Everything built so far lives as long as the worker: keep it out of the
        # garbage collector's full passes (80-100 ms each, a refresh's whole budget).
        gc.freeze()
        return app.server


def _send_no_server_header() -> None:
    """gunicorn writes `Server: gunicorn` on every response and has no setting to
    stop it (benoitc/gunicorn#825): drop that one line from its default headers.
    Set in the master before the fork, so every worker inherits it."""
    response = gunicorn.http.wsgi.Response
    if getattr(response, "vigie_no_server", False):
        return
    default_headers = response.default_headers

    def without_server(self: Any) -> list[str]:
        return [line for line in default_headers(self) if not line.startswith("Server:")]

    response.default_headers = without_server
    response.vigie_no_server = True


def start_collector(
    plan_path: Path, db_url: str, exercise_id: int, extra: Sequence[str] = ()
) -> subprocess.Popen[bytes]:
    """`vigie collect` for the exercise: the one collecting process of the deployment."""
    command = [
        sys.executable,
        "-m",
        "vigie",
        "collect",
        "--plan",
        str(plan_path),
        "--db",
        db_url,
        "--exercise",
        str(exercise_id),
        "--exit-with-parent",
        *extra,
    ]
    return subprocess.Popen(command)


def stop_process(process: subprocess.Popen[bytes], timeout_s: float = 10) -> None:
    """Stop a process we started, by its PID: politely, then firmly."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
