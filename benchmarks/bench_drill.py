"""Benchmark: `vigie drill` of the seed plan at 1 s resolution (target: under 10 s on one core).

Run: python -m benchmarks.bench_drill [--repeats N]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.common import median_of, pin_to_one_core
from vigie.plan import load_plan
from vigie.resources import seed_plan
from vigie.run.drill import run_drill
from vigie.store import Store, sqlite_url

TARGET_S = 10.0


def one_drill() -> float:
    path = seed_plan()
    plan = load_plan(path)
    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as scratch:
        store = Store.open(sqlite_url(Path(scratch) / "drill.db"))
        run = run_drill(plan, path.read_text(encoding="utf-8"), store)
        store.close()
    return run.wall_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    where = pin_to_one_core()
    median, values = median_of(args.repeats, one_drill)
    print(f"seed drill (37 simulated minutes, 2,220 poll cycles, SQLite), {where}")
    print(f"  runs: {', '.join(f'{v:.2f} s' for v in values)}")
    print(f"  median: {median:.2f} s = {median / TARGET_S:.2f} x the {TARGET_S:g} s target")


if __name__ == "__main__":
    main()
