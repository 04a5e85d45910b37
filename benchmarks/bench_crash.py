"""Benchmark: kill -9 of the collector during ingest, N times, on SQLite and PostgreSQL.

Each round forks an ingesting child from this process (which has imported
everything already, so a round costs a fork, not a Python start). The child opens
the store, resumes the alert engine from it as a restarted collector does, and
writes poll cycles of SERIES samples, judging each one; after each commit it tells
the parent the cycle's number. The parent kills it with SIGKILL at a random
instant. At the end: the store's integrity check, committed cycles missing or
partly written, and duplicated transitions (an alert re-raised in the state and
severity it was already in). All must be 0.

Run: python -m benchmarks.bench_crash [--kills N] [--db URL | --postgres] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from benchmarks.common import throwaway_postgres
from tests.conftest import SMALL_PLAN
from tests.test_failover import duplicated
from vigie.alerts.engine import AlertEngine
from vigie.plan import load_plan
from vigie.series import Sample
from vigie.store import Store, sqlite_url
from vigie.store.sample_layout import both, of_series
from vigie.store.schema import series

SERIES = 200
T0 = 1_700_000_000.0
KILL_WITHIN_S = 0.06  # the kill lands uniformly within this long after the child is ready


def cycle_samples(cycle: int) -> list[Sample]:
    """A poll cycle: the gateway swings across its thresholds every 7 cycles."""
    at = T0 + cycle
    gw = 420.0 if (cycle // 7) % 2 else 100.0
    batch = [
        Sample("server_connections", (("server", "gw"),), at, gw),
        Sample("server_connections", (("server", "app"),), at, 10.0),
        Sample("source_up", (("source", "platform"),), at, 1.0),
        *(
            Sample("sessions_active", (("faculty", f),), at, 50.0)
            for f in ("alpha", "beta", "gamma")
        ),
    ]
    batch += [
        Sample("filler", (("n", str(i)),), at, float(cycle)) for i in range(SERIES - len(batch))
    ]
    return batch


def stored(exercise: int) -> Any:
    """The exercise's samples' times, recent or folded (vigie/store/sample_layout.py)."""
    return both(
        lambda table: (
            select(table.c.ts_ms)
            .join(series, of_series(table, series.c.id))
            .where(series.c.exercise_id == exercise)
        )
    )


def ingest_until_killed(url: str, exercise: int, report_fd: int) -> None:
    """The child: a collector restarted on the store, writing and judging cycles."""
    plan = load_plan(SMALL_PLAN)
    store = Store.open(url)
    with store.engine.connect() as connection:
        newest = connection.execute(select(func.max(stored(exercise).c.ts_ms))).scalar()
    cycle = 0 if newest is None else round(newest / 1000 - T0) + 1
    engine = AlertEngine(plan, store, exercise, T0, 1.0, notifiers=["log"])
    engine.prime(T0 + cycle)
    os.write(report_fd, b"R")
    while True:
        batch = cycle_samples(cycle)
        store.write_cycle(exercise, batch)
        engine.observe(batch)
        engine.evaluate(T0 + cycle)
        os.write(report_fd, cycle.to_bytes(4, "big"))
        cycle += 1


def one_round(url: str, exercise: int, rng: random.Random) -> list[int]:
    """Fork, let the child ingest, kill it; the cycles it said were committed."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns
        os.close(read_fd)
        try:
            ingest_until_killed(url, exercise, write_fd)
        finally:
            os._exit(1)
    os.close(write_fd)
    assert os.read(read_fd, 1) == b"R"
    time.sleep(rng.uniform(0, KILL_WITHIN_S))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    said = b""
    while chunk := os.read(read_fd, 65536):
        said += chunk
    os.close(read_fd)
    return [int.from_bytes(said[i : i + 4], "big") for i in range(0, len(said) - 3, 4)]


def integrity(store: Store) -> str:
    with store.engine.connect() as connection:
        if store.engine.dialect.name == "sqlite":
            return str(connection.execute(text("PRAGMA integrity_check")).scalar())
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
        indexes = connection.execute(
            text(
                "SELECT c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree'"
                " AND c.relnamespace = 'public'::regnamespace"
            )
        ).scalars()
        for oid in list(indexes):
            connection.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
        connection.commit()
        return "ok"


def lost_cycles(store: Store, exercise: int, committed: set[int]) -> int:
    """Committed cycles not all there, and cycles written only in part."""
    rows_of = stored(exercise)
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(rows_of.c.ts_ms, func.count()).group_by(rows_of.c.ts_ms)
        ).all()
    counts = {round(ms / 1000 - T0): n for ms, n in rows}
    missing = sum(1 for c in committed if counts.get(c) != SERIES)
    partial = sum(1 for n in counts.values() if n != SERIES)
    return missing + partial


def run(url: str, kills: int, seed: int) -> None:
    rng = random.Random(seed)
    store = Store.open(url)
    exercise = store.create_exercise(
        plan_id="small-drill", name="Crash", mode="live", plan_toml="", t0=T0
    )
    store.close()  # each child opens its own connections after the fork
    committed: set[int] = set()
    started = time.perf_counter()
    for _ in range(kills):
        committed.update(one_round(url, exercise, rng))
    elapsed = time.perf_counter() - started
    store = Store.open(url)
    transitions = store.alerts.transitions(exercise)
    name = "SQLite (WAL)" if url.startswith("sqlite") else "PostgreSQL"
    print(f"crash: {kills} kill -9s of the ingesting collector on {name}, {elapsed:.0f} s")
    print(f"  cycles committed: {len(committed):,} of {SERIES} samples each")
    print(f"  transitions recorded: {len(transitions)}")
    print(f"  integrity check: {integrity(store)}")
    print(f"  lost or partial committed cycles: {lost_cycles(store, exercise, committed)}")
    print(f"  duplicated transitions: {duplicated(transitions)}")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--db", default=None, help="a store URL (default: a fresh SQLite file)")
    parser.add_argument(
        "--postgres", action="store_true", help="start a throwaway local PostgreSQL and use it"
    )
    args = parser.parse_args()
    if args.postgres:
        with throwaway_postgres() as url:
            run(url, args.kills, args.seed)
    elif args.db:
        run(args.db, args.kills, args.seed)
    else:
        with tempfile.TemporaryDirectory(prefix="vigie-crash-") as scratch:
            run(sqlite_url(Path(scratch) / "crash.db"), args.kills, args.seed)


if __name__ == "__main__":
    main()
