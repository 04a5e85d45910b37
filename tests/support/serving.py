"""Serve a Dash app on 127.0.0.1, port 0, in a background thread, for one test."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from dash import Dash

from vigie.webserver import BoundServer


@contextmanager
def served(app: Dash) -> Iterator[str]:
    server = BoundServer(app.server, "127.0.0.1", 0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server.url
    finally:
        server.close()
        thread.join(timeout=10)
