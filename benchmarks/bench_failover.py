"""Benchmark: takeover time over N kill -9s of the active `vigie collect` (target: at
most 2 polls), and notifications duplicated by the takeovers (target: 0).

Two collectors run on one exercise of a simulated platform, on PostgreSQL (or the
store given), both notifying a webhook receiver. Each round kills the lease's
holder by its PID, measures how long until the standby's first poll is written,
then starts a fresh standby. At the end every notifying transition must have
reached the webhook exactly once.

Run: python -m benchmarks.bench_failover [--kills N] [--db URL]  (default: a local PostgreSQL)
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.common import throwaway_postgres
from tests.support.postgres import free_port
from tests.support.process import VigieProcess
from tests.support.waiting import wait_until
from tests.test_failover import all_sent, first_write_after
from tests.test_live import plan_reading
from tests.test_notifiers import receiver
from tests.test_restart import notifying
from vigie.store import Store

POLL_S = 1.0  # the small plan's source interval


def collector(plan: Path, url: str, hook: int) -> VigieProcess:
    return VigieProcess(
        "collect", "--plan", str(plan), "--db", url, "--webhook", f"http://127.0.0.1:{hook}/"
    )


def holder_pid(store: Store, exercise: int) -> int:
    lease = store.leases.current(exercise)
    assert lease is not None
    return int(lease.holder.rsplit(":", 1)[1])


def kill_and_time_takeover(store: Store, exercise: int, victim: VigieProcess) -> float:
    """Kill the active collector; polls until the standby's first write."""
    os.kill(victim.process.pid, signal.SIGKILL)
    killed_at = time.time()
    victim.process.wait(timeout=10)
    wait_until(lambda: first_write_after(store, exercise, killed_at) is not None)
    written = first_write_after(store, exercise, killed_at)
    assert written is not None
    return (written - killed_at) / POLL_S


def run(url: str, kills: int, folder: Path) -> None:
    port, hook = free_port(), free_port()
    plan = plan_reading(port, folder)
    simulator = VigieProcess("simulate", str(plan), "--port", str(port), "--speed", "2")
    running: dict[int, VigieProcess] = {}
    store = Store.open(url)
    takeovers: list[float] = []
    try:
        simulator.wait_for_line(lambda line: line.startswith("Simulating small-drill"))
        with receiver(hook) as received:
            first = collector(plan, url, hook)
            running[first.process.pid] = first
            line = first.wait_for_line(lambda line: line.startswith("Collecting 1 sources"))
            exercise = int(line.rsplit(" ", 1)[1])
            for _ in range(kills):
                standby = collector(plan, url, hook)
                running[standby.process.pid] = standby
                standby.wait_for_line(lambda line: line.startswith("Standing by"))
                victim = running.pop(holder_pid(store, exercise))
                takeovers.append(kill_and_time_takeover(store, exercise, victim))
            wait_until(lambda: all_sent(store, "webhook"), timeout=30)
            report(store, exercise, kills, takeovers, [d["id"] for d in received])
    finally:
        store.close()
        for process in running.values():
            process.stop()
        simulator.stop()


def report(store: Store, exercise: int, kills: int, takeovers: list[float], ids: list[int]) -> None:
    transitions = store.alerts.transitions(exercise)
    expected = {t.id for t in notifying(transitions)}
    print(f"failover: {kills} kill -9s of the active collector, poll every {POLL_S:g} s")
    print(
        f"  takeover (kill to the standby's first write): median {statistics.median(takeovers):.2f}"
        f" polls, max {max(takeovers):.2f} polls (target: <= 2)"
    )
    print(f"  notifying transitions: {len(expected)}; webhook deliveries: {len(ids)}")
    print(f"  duplicated notifications: {len(ids) - len(set(ids))}")
    print(f"  lost notifications: {len(expected - set(ids))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--db", default=None, help="a store URL (default: a local PostgreSQL)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vigie-failover-") as scratch:
        if args.db:
            run(args.db, args.kills, Path(scratch))
            return
        with throwaway_postgres() as url:
            run(url, args.kills, Path(scratch))


if __name__ == "__main__":
    main()
