"""Serve a Dash app on 127.0.0.1, port 0, in a background thread, for one test."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from dash import Dash
from werkzeug.serving import make_server

from vigie.run.webserver import BoundServer


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


@contextmanager
def served_to_keepalive_clients(app: Dash) -> Iterator[str]:
    """As `served`, for clients holding keep-alive connections open (a Prometheus that
    scrapes): werkzeug's threaded server stops at once, where waitress waits for them."""
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
