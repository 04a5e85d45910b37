"""Benchmark: mapping + collection CPU per poll at 35 / 1,000 / 3,000 / 10,000 sites.

Seed-shaped plans (vigie.plan.scaled) whose seven signals are read three ways from
a generated national page (tests/support/national.py, two series per site and signal):
  - in-process: the drill's path, SignalMapper over already-parsed families (mapping only);
  - scrape: ScrapeCollector fetching and parsing the page over HTTP, then mapping;
  - prometheus: PrometheusCollector, one `sum by (faculty)` instant query per signal, from
    an HTTP server on 127.0.0.1 that answers as Prometheus would (canned JSON, so
    Prometheus's own CPU is not in the figure).
CPU is the collecting thread's (time.thread_time), so the answering server's threads
are not counted; each figure is the median over --cycles polls, after 2 warm-up polls.
The floors say what the decoding alone costs (json.loads of the answers, the text
parser on the page): what is left above them is Vigie's mapping and HTTP.

With --real, one poll through a real Prometheus scraping the page every second
instead (its CPU is then Prometheus's own, on the other core; the wall time is what a
poll waits).

Run: python -m benchmarks.bench_collect_scale [--sites 35 1000 3000 10000] [--cycles 15]
     python -m benchmarks.bench_collect_scale --real [--sites 1000 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from prometheus_client.parser import text_string_to_metric_families

from benchmarks.common import pin_to_one_core
from tests.support.national import (
    GENERATION,
    page_says,
    page_text,
    prometheus_answers,
    read_off_the_page,
    read_through_prometheus,
    values_of,
)
from tests.support.pages import page_server, serving
from tests.support.prometheus import PrometheusServer
from vigie.collectors.base import SourceFailure
from vigie.collectors.mapping import SignalMapper
from vigie.collectors.prometheus import PrometheusCollector
from vigie.collectors.scrape import ScrapeCollector
from vigie.plan import Plan, load_plan
from vigie.plan.scaled import scaled_plan

SEED = "scenarios/ecnp-2022-01-21.toml"
AT = 1_700_000_000.0


@contextmanager
def answering(page: bytes, answers: dict[str, bytes]) -> Iterator[str]:
    """/metrics gives the page; /api/v1/query?query=Q gives the canned answer to Q."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/metrics":
                body, kind = page, "text/plain; version=0.0.4"
            else:
                query = parse_qs(parts.query).get("query", [""])[0]
                body, kind = (
                    answers.get(query, b'{"status":"success","data":{}}'),
                    "application/json",
                )
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with suppress(ConnectionError):  # a page refused from its length is not read
                self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    with serving(Handler) as url:
        yield url


def cpu_ms(run: Callable[[], object], cycles: int) -> float:
    """The median CPU of `run`, or NaN when the source refuses (a page over the limit)."""
    try:
        for _ in range(2):
            run()
    except SourceFailure as refused:
        print(f"  ({refused.reason})")
        return float("nan")
    times = []
    for _ in range(cycles):
        started = time.thread_time()
        run()
        times.append(time.thread_time() - started)
    return statistics.median(times) * 1000


def measure(plan: Plan, cycles: int) -> dict[str, float]:
    text = page_text(plan, generation=1)
    truth = page_says(plan, text)
    answers = prometheus_answers(plan, truth, AT)
    figures: dict[str, float] = {"series": len(truth)}
    with answering(text.encode(), answers) as url:
        paged = read_off_the_page(plan, f"{url}/metrics")
        mapper = SignalMapper(paged, "page")
        families = list(text_string_to_metric_families(text))
        figures["in-process"] = cpu_ms(lambda: mapper.map(families, AT), cycles)
        scrape = ScrapeCollector(paged, paged.sources[0])
        figures["scrape"] = cpu_ms(lambda: scrape.collect(AT), cycles)
        figures["parse floor"] = cpu_ms(lambda: list(text_string_to_metric_families(text)), 3)
        queried = read_through_prometheus(plan, url)
        prometheus = PrometheusCollector(queried, queried.sources[0])
        assert len(prometheus.collect(AT)) == len(truth)
        figures["prometheus"] = cpu_ms(lambda: prometheus.collect(AT), cycles)
        figures["json floor"] = cpu_ms(lambda: [json.loads(b) for b in answers.values()], cycles)
    return figures


COLUMNS = ("in-process", "scrape", "parse floor", "prometheus", "json floor")


def measure_real(plan: Plan, cycles: int) -> tuple[float, float, int]:
    """(CPU ms, wall ms, samples) of one poll through a real Prometheus scraping the page
    every second, its values checked against the page's."""
    with page_server() as (url, page):
        text = page_text(plan, generation=1)
        page.body = text.encode()
        with unpinned():  # Prometheus gets the other core, not ours
            prometheus = PrometheusServer([url.removeprefix("http://").removesuffix("/metrics")])
            prometheus.start()
        try:
            prometheus.wait_for(GENERATION, 1, timeout=60)
            queried = read_through_prometheus(plan, prometheus.url, timeout_s=30)
            collector = PrometheusCollector(queried, queried.sources[0])
            assert values_of(collector.collect(AT)) == page_says(plan, text)
            walls: list[float] = []

            def poll() -> None:
                started = time.perf_counter()
                collector.collect(AT)
                walls.append(time.perf_counter() - started)

            cpu = cpu_ms(poll, cycles)
            return cpu, statistics.median(walls[2:]) * 1000, len(values_of(collector.collect(AT)))
        finally:
            prometheus.cleanup()


@contextmanager
def unpinned() -> Iterator[None]:
    """Children started in the block may run on every core."""
    pinned = os.sched_getaffinity(0)
    os.sched_setaffinity(0, range(os.cpu_count() or 1))
    try:
        yield
    finally:
        os.sched_setaffinity(0, pinned)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, nargs="+", help="default 35 1000 3000 10000")
    parser.add_argument("--cycles", type=int, default=15)
    parser.add_argument(
        "--real", action="store_true", help="through a real Prometheus scraping the page"
    )
    args = parser.parse_args()
    where = pin_to_one_core()
    seed = load_plan(SEED)
    if args.real:
        args.sites = args.sites or [1000, 3000]
        print(f"one poll through a real Prometheus, ms (median of {args.cycles}), {where}")
        for sites in args.sites:
            cpu, wall, samples = measure_real(scaled_plan(seed, sites), args.cycles)
            print(f"{sites:>6} sites {samples:>6} samples: {cpu:7.1f} CPU {wall:7.1f} wall")
        return
    args.sites = args.sites or [35, 1000, 3000, 10000]
    print(f"mapping + collection CPU per poll, ms (median of {args.cycles}), {where}")
    print(f"{'sites':>6} {'series':>7} " + " ".join(f"{c:>12}" for c in COLUMNS))
    for sites in args.sites:
        figures = measure(scaled_plan(seed, sites), args.cycles)
        cells = " ".join(f"{figures[c]:12.1f}" for c in COLUMNS)
        print(f"{sites:>6} {int(figures['series']):>7} {cells}", flush=True)


if __name__ == "__main__":
    main()
