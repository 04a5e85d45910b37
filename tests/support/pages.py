"""A real HTTP server on 127.0.0.1 whose answer each test sets: status, type and body."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    content_type: str = "text/plain; version=0.0.4"
    body: bytes = b""
    declare_length: bool = True  # False: no Content-Length, the body ends at the close


@contextmanager
def page_server() -> Iterator[tuple[str, Answer]]:
    answer = Answer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            if answer.declare_length:
                self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            with suppress(ConnectionError):  # a page refused from its length is not read
                self.wfile.write(answer.body)

        def log_message(self, *_: object) -> None:  # keep test output quiet
            pass

    with serving(Handler) as url:
        yield f"{url}/metrics", answer


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """`handler` served on 127.0.0.1, port 0, from a thread: its base URL, then stopped."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
