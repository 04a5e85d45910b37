"""Benchmark: one poll cycle of ~2,000 series (200 servers, 35 faculties), collected and stored.

Once through a real Prometheus (PromQL instant queries) and once straight from the
exporter's /metrics page, each written to SQLite in one transaction. Reports the
median cycle's wall time and this process's CPU time (target: under 200 ms of CPU,
so a 1 s interval costs under a fifth of a core).

Run: python -m benchmarks.bench_collect [--cycles N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import CollectorRegistry as MetricRegistry

from benchmarks.common import pin_to_one_core
from tests.support.prometheus import PrometheusServer
from vigie.collectors.base import Collector
from vigie.collectors.cycle import run_cycle
from vigie.collectors.kinds import build_collectors
from vigie.plan import Plan, parse_plan
from vigie.store import Store, sqlite_url

SERVERS, SERVER_METRICS = 200, 8
FACULTIES, FACULTY_METRICS = 35, 12
TARGET_CPU_S = 0.200


class BenchExporter:
    """Gauges for 200 servers and 35 faculties whose values move at every scrape."""

    def __init__(self) -> None:
        self.scrapes = 0

    def collect(self) -> Iterator[Metric]:
        self.scrapes += 1
        for m in range(SERVER_METRICS):
            family = GaugeMetricFamily(f"bench_server_m{m}", "bench", labels=["server"])
            for s in range(SERVERS):
                family.add_metric([f"srv-{s:03d}"], float(self.scrapes * s + m))
            yield family
        for m in range(FACULTY_METRICS):
            family = GaugeMetricFamily(f"bench_faculty_m{m}", "bench", labels=["faculty"])
            for f in range(FACULTIES):
                family.add_metric([f"fac-{f:02d}"], float(self.scrapes + f + m))
            yield family


def bench_plan(prometheus_url: str, metrics_url: str) -> Plan:
    lines = ['[exercise]\nid = "bench"\nname = "Bench"\n', "[[waves]]\nnumber = 1\nstart_min = 0\n"]
    lines += [
        f'[[faculties]]\nid = "fac-{f:02d}"\nname = "F{f}"\nexpected_students = 10\nwave = 1\n'
        for f in range(FACULTIES)
    ]
    lines += [
        f'[[servers]]\nid = "srv-{s:03d}"\nrole = "web"\nconnection_limit = 1000\n'
        for s in range(SERVERS)
    ]
    lines.append(f'[[sources]]\nid = "prom"\nkind = "prometheus"\nurl = "{prometheus_url}"\n')
    lines.append(f'[[sources]]\nid = "page"\nkind = "scrape"\nurl = "{metrics_url}"\n')
    for kind, count, entity in (
        ("server", SERVER_METRICS, "server"),
        ("faculty", FACULTY_METRICS, "faculty"),
    ):
        for m in range(count):
            metric = f"bench_{kind}_m{m}"
            lines.append(
                f'[[signals]]\nname = "p_{metric}"\nsource = "prom"\nentity = "{entity}"\n'
                f'query = "{metric}"\n'
            )
            lines.append(
                f'[[signals]]\nname = "s_{metric}"\nsource = "page"\nentity = "{entity}"\n'
                f'metric = "{metric}"\n'
            )
    return parse_plan("\n".join(lines))


def measure(
    collector: Collector, store: Store, exercise: int, cycles: int
) -> tuple[float, float, int]:
    walls, cpus, series = [], [], 0
    for _ in range(cycles):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run_cycle(store, exercise, [collector], time.time())
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        assert not result.failures, result.failures
        series = len(result.samples)
    return statistics.median(walls), statistics.median(cpus), series


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cycles", type=int, default=20)
    args = parser.parse_args()
    where = pin_to_one_core()
    registry = MetricRegistry(auto_describe=False)
    registry.register(BenchExporter())
    server, thread = start_http_server(0, addr="127.0.0.1", registry=registry)
    target = f"127.0.0.1:{server.server_address[1]}"
    prometheus = PrometheusServer([target])
    prometheus.start()
    try:
        prometheus.wait_for("count(bench_server_m0)", SERVERS)
        plan = bench_plan(prometheus.url, f"http://{target}/metrics")
        with tempfile.TemporaryDirectory(prefix="vigie-bench-") as scratch:
            store = Store.open(sqlite_url(Path(scratch) / "collect.db"))
            exercise = store.create_exercise(
                plan_id="bench", name="Bench", mode="live", plan_toml="", t0=time.time()
            )
            print(f"poll cycle of one source, collection + SQLite write, {where}")
            for collector in build_collectors(plan):
                measure(collector, store, exercise, 2)  # warm the series cache and connections
                wall, cpu, series = measure(collector, store, exercise, args.cycles)
                print(
                    f"  {collector.name.split(':')[0]:<10} {series:>5} series: median "
                    f"{wall * 1000:6.1f} ms wall, {cpu * 1000:6.1f} ms CPU "
                    f"= {cpu / TARGET_CPU_S:.2f} x the {TARGET_CPU_S * 1000:.0f} ms CPU target"
                )
            store.close()
    finally:
        prometheus.cleanup()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


if __name__ == "__main__":
    main()
