"""dash_duo's app server on a free port of 127.0.0.1.

Dash's own threaded runner numbers its ports from 58050 in every process, so two test
processes on one machine (pytest-xdist's workers, or two people's runs) would take the
same port, and one browser could be answered by the other process's app.
"""

from __future__ import annotations

from typing import Any

from dash.testing.application_runners import ThreadedRunner

from vigie.staging.processes import free_port


class FreePortThreadedRunner(ThreadedRunner):
    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # dash's testing API is untyped

    def start(self, app: Any, start_timeout: float = 3, **kwargs: Any) -> None:
        kwargs.setdefault("port", free_port())
        super().start(app, start_timeout=start_timeout, **kwargs)  # type: ignore[no-untyped-call]
