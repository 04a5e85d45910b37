"""The HTTP server for the dashboard: waitress, on one address, reporting its bound port."""

from __future__ import annotations

import threading
from typing import Any

from waitress.server import create_server

from vigie.run.stop_signals import sigterm_interrupts


class BoundServer:
    """A waitress server listening on exactly one address (port 0 picks a free one)."""

    def __init__(self, wsgi_app: Any, host: str, port: int, threads: int = 8) -> None:
        # ident="": no `Server: waitress` on responses (nothing to tell a scanner).
        self._server = create_server(wsgi_app, host=host, port=port, threads=threads, ident="")
        self._waitress: Any = self._server  # one address: never a MultiSocketServer
        port_bound = getattr(self._server, "effective_port", None)  # a str in waitress 3
        if port_bound is None:
            self._server.close()
            raise OSError(f"expected one listening address for {host}:{port}")
        self.host = host
        self.port = int(port_bound)
        self._serving = threading.Event()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def run(self) -> None:
        """Serve until interrupted (waitress returns on KeyboardInterrupt) or closed."""
        self._serving.set()
        try:
            self._server.run()
        finally:
            self._serving.clear()

    def run_until_stopped(self) -> None:
        """Serve until Ctrl-C or SIGTERM, then return normally."""
        try:
            with sigterm_interrupts():
                self._server.run()
        except KeyboardInterrupt:
            pass

    def close(self) -> None:
        """Stop listening and drop open connections, so that `run` returns. From another
        thread than the serving one, this runs inside the serving loop (waitress's
        trigger): closing sockets under its running select() raised EBADF, and a
        connection left open kept the loop alive."""
        if self._serving.is_set():
            self._waitress.trigger.pull_trigger(self._close_everything)
        else:
            self._close_everything()

    def _close_everything(self) -> None:
        for dispatcher in list(self._waitress._map.values()):
            dispatcher.close()  # the listener, its trigger and every connection
