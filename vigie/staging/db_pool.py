"""A tiny lock-protected pool of PostgreSQL connections, bounded, one per serving thread.

Connections are opened lazily, so a pool built before gunicorn forks its workers holds
none yet and each worker opens its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg


class ConnectionPool:
    """At most `size` autocommit connections to `dsn`; callers wait when all are lent."""

    def __init__(self, dsn: str, size: int) -> None:
        if size < 1:
            raise ValueError(f"pool size must be at least 1, got {size}")
        self._dsn = dsn
        self._size = size
        self._idle: list[psycopg.Connection[tuple[object, ...]]] = []
        self._opened = 0
        self._free = threading.Condition()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        """Lend a connection; one that broke is discarded (psycopg.Error propagates)."""
        connection = self._take()
        try:
            yield connection
        finally:
            self._give_back(connection)

    def _take(self) -> psycopg.Connection[tuple[object, ...]]:
        with self._free:
            while not self._idle and self._opened >= self._size:
                self._free.wait()
            if self._idle:
                return self._idle.pop()
            self._opened += 1
        try:
            return psycopg.connect(self._dsn, autocommit=True)
        except BaseException:
            self._forget()
            raise

    def _give_back(self, connection: psycopg.Connection[tuple[object, ...]]) -> None:
        if connection.closed or connection.broken:
            connection.close()
            self._forget()
            return
        with self._free:
            self._idle.append(connection)
            self._free.notify()

    def _forget(self) -> None:
        with self._free:
            self._opened -= 1
            self._free.notify()

    def close(self) -> None:
        with self._free:
            idle, self._idle = self._idle, []
            self._opened -= len(idle)
        for connection in idle:
            connection.close()
