"""Benchmark: what schema versions cost: opening a fresh store, and upgrading a full one.

1. Store.open on a new SQLite file (create_all, version recorded), against what
   opening did before versions (an engine and create_all), interleaved: medians.
2. `vigie db upgrade`'s work on a store of the first release (version 1) holding
   --samples samples over 1,000 series: on SQLite, and with --postgres on a
   throwaway PostgreSQL 15 (where version 4 rebuilds the samples key). Medians.

Run: python -m benchmarks.bench_migrate [--opens 200] [--samples 1000000] [--repeats 3] [--postgres]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine

from benchmarks.common import median_of, pin_to_one_core
from tests.fixtures.schemas import v1
from vigie.store import Store, sqlite_url
from vigie.store.database import connect_engine, shown_url
from vigie.store.migrations.versioning import upgrade
from vigie.store.schema import metadata

SERIES = 1000
CHUNK = 50_000


def open_costs(opens: int) -> tuple[float, float]:
    """Median seconds of a fresh Store.open, and of the create_all it replaced."""
    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as scratch:
        now: list[float] = []
        before: list[float] = []
        for i in range(opens):
            now.append(_timed(_open_and_close, sqlite_url(Path(scratch) / f"n{i}.db")))
            before.append(_timed(_create_all_only, sqlite_url(Path(scratch) / f"b{i}.db")))
    return statistics.median(now), statistics.median(before)


def _open_and_close(url: str) -> None:
    Store.open(url).close()


def _create_all_only(url: str) -> None:
    engine = connect_engine(url)
    with engine.begin() as connection:
        metadata.create_all(connection)
    engine.dispose()


def _timed(run: Callable[[str], None], url: str) -> float:
    started = time.perf_counter()
    run(url)
    return time.perf_counter() - started


def upgrade_seconds(url: str, samples: int) -> float:
    """Make a version-1 store with `samples` samples, then time its upgrade to the newest."""
    _fill_version_1(url, samples)
    engine = connect_engine(url)
    started = time.perf_counter()
    upgrade(engine, shown_url(url))
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def _fill_version_1(url: str, samples: int) -> None:
    engine = create_engine(url)
    per_series = max(1, samples // SERIES)
    with engine.begin() as connection:
        v1.metadata.create_all(connection)
        connection.execute(
            v1.exercises.insert().values(
                plan_id="bench", name="bench", mode="drill", plan_toml="", t0_ms=0, created_ms=0
            )
        )
        connection.execute(
            v1.series.insert(),
            [{"exercise_id": 1, "name": "c", "labels": f'[["s","{i}"]]'} for i in range(SERIES)],
        )
        rows = (
            {"series_id": s + 1, "ts_ms": t * 1000, "value": float(t)}
            for s in range(SERIES)
            for t in range(per_series)
        )
        chunk: list[dict[str, float]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == CHUNK:
                connection.execute(v1.samples.insert(), chunk)
                chunk = []
        if chunk:
            connection.execute(v1.samples.insert(), chunk)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opens", type=int, default=200)
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL")
    args = parser.parse_args()
    where = pin_to_one_core()
    now, before = open_costs(args.opens)
    print(f"fresh SQLite store, {args.opens} opens, {where}:")
    print(f"  Store.open median {now * 1000:.1f} ms; create_all alone {before * 1000:.1f} ms")
    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as scratch:
        files = (sqlite_url(Path(scratch) / f"v1-{i}.db") for i in range(args.repeats))
        report_upgrade("SQLite", args, lambda: next(files))
    if args.postgres:
        from tests.support.postgres import start_postgres

        server, why = start_postgres()
        if server is None:
            raise SystemExit(f"cannot start PostgreSQL: {why}")
        try:
            report_upgrade("PostgreSQL 15", args, server.new_database_url)
        finally:
            server.stop()


def report_upgrade(store: str, args: argparse.Namespace, new_url: Callable[[], str]) -> None:
    median, values = median_of(args.repeats, lambda: upgrade_seconds(new_url(), args.samples))
    print(f"upgrade version 1 -> newest, {args.samples:,} samples, {store}:")
    print(f"  runs: {', '.join(f'{v:.2f} s' for v in values)}; median {median:.2f} s")


if __name__ == "__main__":
    main()
