"""Benchmark: store ingest of poll cycles of 1,000 series (target: >= 100,000 samples/s on SQLite).

Each cycle is one transaction of 1,000 samples, as a poll cycle writes them.
Run: python -m benchmarks.bench_ingest [--repeats N] [--cycles N] [--db URL | --postgres]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.common import median_of, pin_to_one_core
from vigie.series import Sample
from vigie.store import Store, sqlite_url

SERIES = 1000
TARGET_PER_S = 100_000.0


def one_ingest(url: str | None, cycles: int) -> float:
    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as scratch:
        store = Store.open(url or sqlite_url(Path(scratch) / "ingest.db"))
        exercise = store.create_exercise(
            plan_id="bench", name="Ingest", mode="drill", plan_toml="", t0=0.0
        )
        labels = [(("server", f"srv-{i:04d}"),) for i in range(SERIES)]
        batches = [
            [
                Sample("server_connections", lb, float(c), float(c + i))
                for i, lb in enumerate(labels)
            ]
            for c in range(cycles + 1)
        ]
        store.write_cycle(exercise, batches[0])  # creates the series: not what is measured
        started = time.perf_counter()
        for batch in batches[1:]:
            store.write_cycle(exercise, batch)
        elapsed = time.perf_counter() - started
        store.close()
    return cycles * SERIES / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--db", default=None, help="a store URL (default: a fresh SQLite file)")
    parser.add_argument(
        "--postgres", action="store_true", help="start a throwaway local PostgreSQL and use it"
    )
    args = parser.parse_args()
    if args.postgres:
        from tests.support.postgres import start_postgres

        server, why = start_postgres()
        if server is None:
            raise SystemExit(f"cannot start PostgreSQL: {why}")
        try:
            args.db = server.new_database_url()
            report(args)
        finally:
            server.stop()
    else:
        report(args)


def report(args: argparse.Namespace) -> None:
    where = pin_to_one_core()
    median, values = median_of(args.repeats, lambda: one_ingest(args.db, args.cycles))
    store = "SQLite (WAL)" if args.db is None else args.db.split("://")[0]
    print(f"ingest: {args.cycles} cycles x {SERIES:,} series into {store}, {where}")
    print(f"  runs: {', '.join(f'{v:,.0f}/s' for v in values)}")
    print(
        f"  median: {median:,.0f} samples/s = {median / TARGET_PER_S:.2f} x the "
        f"{TARGET_PER_S:,.0f}/s target"
    )


if __name__ == "__main__":
    main()
