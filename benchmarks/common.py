"""Shared by the benchmarks: medians over repeats, on one pinned core, printed plainly."""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


def pin_to_one_core() -> str:
    """The targets are stated for one core: run there, and say which."""
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"core {core}"
    return "all cores (no affinity control here)"


def median_of(repeats: int, run: Callable[[], float]) -> tuple[float, list[float]]:
    values = [run() for _ in range(repeats)]
    return statistics.median(values), values


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A fresh database on a local PostgreSQL started for the benchmark, and stopped."""
    from tests.support.postgres import start_postgres

    server, why = start_postgres()
    if server is None:
        raise SystemExit(f"cannot start PostgreSQL: {why}")
    try:
        yield server.new_database_url()
    finally:
        server.stop()
