"""Run every benchmark with its defaults: python -m benchmarks.run"""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = (
    "benchmarks.bench_drill",
    "benchmarks.bench_ingest",
    "benchmarks.bench_collect",
    "benchmarks.bench_alerts",
    "benchmarks.bench_freshness",
    "benchmarks.bench_wall_load",
    "benchmarks.bench_review",
    "benchmarks.bench_foresight",
    "benchmarks.bench_rehearsal",
    "benchmarks.bench_migrate",
    "benchmarks.bench_crash",
    "benchmarks.bench_failover",
)


def main() -> None:
    for module in BENCHMARKS:
        subprocess.run([sys.executable, "-m", module], check=True)


if __name__ == "__main__":
    main()
