"""`vigie import` against a real Prometheus that scraped the simulator every second."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conftest import SMALL_PLAN, require
from tests.support.cli import run_on_a_terminal, run_vigie
from tests.support.prometheus import (
    PROMQL_SIGNALS,
    PrometheusServer,
    prometheus_binary,
    small_plan_reading,
)
from vigie.clock import SpedUpClock, SystemClock
from vigie.collectors.backfill import PrometheusRange, run_import
from vigie.collectors.import_span import Span, make_span
from vigie.collectors.kinds import build_collectors
from vigie.collectors.scheduler import PollJob, start_polling
from vigie.plan import Plan, parse_plan
from vigie.run.demo import pointed_at
from vigie.simulator.serve import start_exporter
from vigie.store import Store, sqlite_url

SPEED = 10  # 30 s of real time: the first 5 exercise minutes, wave 2 starting at minute 3
RECORDED_S = 30


def prometheus_plan_text(prometheus_url: str) -> str:
    """The small plan, read from Prometheus: per faculty, per server and one scalar."""
    source = f'\n[[sources]]\nid = "prom"\nkind = "prometheus"\nurl = "{prometheus_url}"\n'
    return small_plan_reading(source + PROMQL_SIGNALS)


@dataclass
class Recorded:
    prometheus: PrometheusServer
    plan: Plan
    plan_text: str
    span: Span  # inside what Prometheus scraped

    def source(self) -> PrometheusRange:
        return PrometheusRange(self.plan, self.prometheus.url)

    def instant(self, query: str, at: float) -> list[dict[str, object]]:
        response = requests.get(
            f"{self.prometheus.url}/api/v1/query",
            params={"query": query, "time": str(at)},
            timeout=5,
        )
        response.raise_for_status()
        return response.json()["data"]["result"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def recorded(small_plan: Plan) -> Iterator[Recorded]:
    """Prometheus holding ~30 s (5 exercise minutes at 10x) of the simulated platform."""
    require(
        prometheus_binary() is not None, "Prometheus is not installed (apt-get install prometheus)"
    )
    origin = time.time()
    exporter = start_exporter(small_plan, SpedUpClock(origin, SPEED), origin)
    target = exporter.url.removeprefix("http://").removesuffix("/metrics")
    prometheus = PrometheusServer([target])
    prometheus.start()
    try:
        prometheus.wait_for("up", 1.0)  # the first scrape is in
        started = time.time()
        time.sleep(RECORDED_S)
        text = prometheus_plan_text(prometheus.url)
        span = Span(float(int(started) + 2), float(int(started) + RECORDED_S - 2), 1.0)
        yield Recorded(prometheus, parse_plan(text), text, span)
    finally:
        prometheus.cleanup()
        exporter.stop()


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    """The plan with a Prometheus source nobody listens on (the command gets --prometheus)."""
    path = tmp_path / "plan.toml"
    path.write_text(prometheus_plan_text("http://127.0.0.1:9"), encoding="utf-8")
    return path


def test_imported_samples_are_prometheus_values_at_each_step(
    recorded: Recorded, sqlite_store: Store
) -> None:
    run = run_import(
        recorded.plan, recorded.plan_text, sqlite_store, recorded.source(), recorded.span, 10
    )
    sessions = sqlite_store.history(run.exercise_id, "sessions_active")
    totals = sqlite_store.history(run.exercise_id, "sessions_total")[()]
    assert len(totals) == recorded.span.steps  # every step, across 3 chunks of 10
    changed = 0
    for index in (0, 7, 15, recorded.span.steps - 1):
        at = recorded.span.at(index)
        expected = {
            r["metric"]["faculty"]: float(r["value"][1])  # type: ignore[index]
            for r in recorded.instant("sum by (faculty) (exam_sessions_active)", at)
        }
        got = {
            dict(labels)["faculty"]: p.value
            for labels, points in sessions.items()
            for p in points
            if p.at == at
        }
        assert got == expected
        assert totals[index].at == at and totals[index].value == sum(expected.values())
        changed += totals[index].value != totals[0].value
    assert changed, "the platform did not move: the comparison proves nothing"


@dataclass
class RecordedTwice:
    """The same run of the platform, in Prometheus and in a live Vigie collection."""

    recorded: Recorded
    live: Store
    live_exercise: int


LIVE_S = 16


@pytest.fixture(scope="module")
def recorded_twice(
    small_plan: Plan, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RecordedTwice]:
    """At 1x, wave 1 pouring in: Prometheus scrapes the simulator every second while a
    live `vigie` collection polls it every second over HTTP, as on exercise day."""
    require(
        prometheus_binary() is not None, "Prometheus is not installed (apt-get install prometheus)"
    )
    origin = time.time() - 60  # a minute into wave 1: students arrive every second
    exporter = start_exporter(small_plan, SpedUpClock(origin, 1.0), origin)
    target = exporter.url.removeprefix("http://").removesuffix("/metrics")
    prometheus = PrometheusServer([target])
    live = Store.open(sqlite_url(tmp_path_factory.mktemp("live") / "live.db"))
    live_plan = pointed_at(small_plan, exporter.url)
    live_exercise = live.create_exercise(
        plan_id="small-drill", name="Live", mode="live", plan_toml="", t0=origin
    )
    jobs = [PollJob(c, 1.0) for c in build_collectors(live_plan)]
    prometheus.start()
    scheduler = None
    try:
        prometheus.wait_for("up", 1.0)
        scheduler = start_polling(live, live_exercise, jobs, SystemClock())
        started = time.time()
        time.sleep(LIVE_S)
        scheduler.shutdown(wait=True)
        scheduler = None
        text = prometheus_plan_text(prometheus.url)
        span = Span(float(int(started) + 3), float(int(started) + LIVE_S - 2), 1.0)
        yield RecordedTwice(Recorded(prometheus, parse_plan(text), text, span), live, live_exercise)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        live.close()
        prometheus.cleanup()
        exporter.stop()


def test_imported_samples_match_a_live_collection_of_the_same_run_within_a_scrape_interval(
    recorded_twice: RecordedTwice, sqlite_store: Store
) -> None:
    """Prometheus scraped and Vigie polled at different instants of the same second: each
    imported value lies between what the live collection read around its step (one
    scrape interval either side of the scrape that gave it)."""
    recorded = recorded_twice.recorded
    run = run_import(
        recorded.plan, recorded.plan_text, sqlite_store, recorded.source(), recorded.span, 10
    )
    imported = sqlite_store.history(run.exercise_id, "sessions_active")
    live = recorded_twice.live.history(recorded_twice.live_exercise, "sessions_active")
    assert imported.keys() == live.keys() and len(imported) == 3  # the same series, by faculty
    compared = moved = 0
    for labels, points in imported.items():
        for point in points:
            around = [p.value for p in live[labels] if point.at - 2 <= p.at <= point.at + 1]
            assert len(around) >= 2, f"{labels}: the live collection missed {point.at}"
            assert min(around) <= point.value <= max(around), (labels, point, around)
            compared += 1
            moved += min(around) != max(around)
    assert compared == 3 * recorded.span.steps
    assert moved, "the platform did not move: the comparison proves nothing"


def test_an_import_keeps_the_per_tick_state_and_ends_at_its_last_step(
    recorded: Recorded, sqlite_store: Store
) -> None:
    span = recorded.span
    run = run_import(recorded.plan, recorded.plan_text, sqlite_store, recorded.source(), span, 10)
    assert sqlite_store.ticks.instants(run.exercise_id) == [span.at(i) for i in range(span.steps)]
    record = sqlite_store.exercise(run.exercise_id)
    assert record is not None and record.mode == "import" and record.ended == span.end
    assert record.t0 == span.start  # the small plan has no date


def test_an_interrupted_import_resumes_the_same_exercise_without_duplicates(
    recorded: Recorded, sqlite_store: Store, tmp_path: Path
) -> None:
    args = (recorded.plan, recorded.plan_text)
    first = run_import(*args, sqlite_store, recorded.source(), recorded.span, 10, max_chunks=1)
    partial = sqlite_store.sample_count(first.exercise_id)
    assert partial > 0 and sqlite_store.exercise(first.exercise_id).ended is None  # type: ignore[union-attr]

    again = run_import(*args, sqlite_store, recorded.source(), recorded.span, 10)
    assert again.exercise_id == first.exercise_id
    assert again.resumed_from == recorded.span.at(9)

    clean_store = Store.open(sqlite_url(tmp_path / "clean.db"))
    try:
        clean = run_import(*args, clean_store, recorded.source(), recorded.span, 10)
        assert sqlite_store.sample_count(again.exercise_id) == clean_store.sample_count(
            clean.exercise_id
        )
        assert sqlite_store.ticks.instants(again.exercise_id) == clean_store.ticks.instants(
            clean.exercise_id
        )
    finally:
        clean_store.close()
    assert partial < sqlite_store.sample_count(again.exercise_id)


def test_the_command_imports_with_a_progress_bar(
    recorded: Recorded, plan_file: Path, tmp_path: Path
) -> None:
    db = tmp_path / "cli.db"
    span = recorded.span
    done, bar = run_on_a_terminal(
        "import", "--plan", str(plan_file), "--db", str(db),
        "--prometheus", recorded.prometheus.url,
        "--from", f"{span.start:.0f}", "--to", f"{span.end:.0f}", "--chunk-steps", "20",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"Exercise 1 imported: {span.steps} steps" in done.stdout
    assert "Importing" in bar and "100%" in bar
    store = Store.open(sqlite_url(db))
    try:
        assert len(store.history(1, "sessions_total")[()]) == span.steps
    finally:
        store.close()


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (("--from", "yesterday", "--to", "1700000100"), "'yesterday' is not a time"),
        (("--from", "2022-01-21T13:30:00", "--to", "1700000100"), "has no UTC offset"),
        (("--from", "1700000100", "--to", "2023-11-14T22:13:20Z"), "must be after --from"),
        (("--from", "1700000000", "--to", "1700000100", "--step", "0s"), "is not a duration"),
    ],
)
def test_bad_times_exit_2_with_one_line(
    plan_file: Path, tmp_path: Path, when: tuple[str, ...], message: str
) -> None:
    done = run_vigie(
        "import", "--plan", str(plan_file), "--db", str(tmp_path / "x.db"),
        "--prometheus", "http://127.0.0.1:9", *when,
    )  # fmt: skip
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_plan_without_prometheus_source_exits_2(tmp_path: Path) -> None:
    done = run_vigie(
        "import", "--plan", str(SMALL_PLAN), "--db", str(tmp_path / "x.db"),
        "--prometheus", "http://127.0.0.1:9", "--from", "1700000000", "--to", "1700000100",
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == "vigie: the plan has no prometheus source to import from"


def test_an_unreachable_prometheus_exits_1_and_creates_nothing(
    plan_file: Path, tmp_path: Path
) -> None:
    db = tmp_path / "x.db"
    done = run_vigie(
        "import", "--plan", str(plan_file), "--db", str(db),
        "--prometheus", "http://127.0.0.1:9", "--from", "1700000000", "--to", "1700000100",
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip() == "vigie: cannot reach Prometheus at http://127.0.0.1:9"
    assert not db.exists()


def test_a_span_is_cut_into_chunks_that_never_overlap() -> None:
    span = make_span("0", "24", "1s")
    assert span.steps == 25
    assert list(span.chunks(10)) == [(0, 9), (10, 19), (20, 24)]
    assert list(span.chunks(10, first=13)) == [(10, 19), (20, 24)]
    assert make_span("2022-01-21T13:30:00+01:00", "1642768260", "1m").steps == 2


def test_a_query_prometheus_refuses_exits_2_naming_the_signal(
    recorded: Recorded, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.toml"
    text = recorded.plan_text.replace(
        'query = "exam_server_connections"', 'query = "sum(exam_server_connections"'
    )
    plan.write_text(text, encoding="utf-8")
    span = recorded.span
    done = run_vigie(
        "import", "--plan", str(plan), "--db", str(tmp_path / "x.db"),
        "--prometheus", recorded.prometheus.url,
        "--from", f"{span.start:.0f}", "--to", f"{span.end:.0f}",
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip()
    assert line.startswith("vigie: import stopped (server_connections: HTTP 400: ")
    assert "parse error" in line and len(line.splitlines()) == 1
