"""The Prometheus collector against a real Prometheus scraping the simulator every second."""

from __future__ import annotations

import socket
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import require
from tests.support.prometheus import (
    PROMQL_SIGNALS,
    PrometheusServer,
    prometheus_binary,
    small_plan_reading,
)
from vigie.clock import VirtualClock
from vigie.collectors.base import SourceFailure
from vigie.collectors.cycle import run_cycle
from vigie.collectors.mapping import Route, Unknown
from vigie.collectors.prometheus import PrometheusCollector, QueryFailed, samples_of
from vigie.collectors.scrape import ScrapeCollector
from vigie.plan import Plan, parse_plan
from vigie.plan.model import Entity, Signal
from vigie.simulator.serve import RunningExporter, start_exporter
from vigie.store import Store

T0 = 1_700_000_000.0


def prometheus_plan(prometheus_url: str, exporter_url: str, extra: str = "") -> Plan:
    """The small plan, read through Prometheus (PromQL) and directly (/metrics)."""
    return parse_plan(
        small_plan_reading(
            f"""
[[sources]]
id = "prom"
kind = "prometheus"
url = "{prometheus_url}"
timeout_s = 2

[[sources]]
id = "direct"
kind = "scrape"
url = "{exporter_url}"
{PROMQL_SIGNALS}
[[signals]]
name = "direct_connections"
source = "direct"
entity = "server"
metric = "exam_server_connections"
{extra}
"""
        )
    )


@dataclass
class Rig:
    clock: VirtualClock
    exporter: RunningExporter
    prometheus: PrometheusServer

    def plan(self, extra: str = "") -> Plan:
        return prometheus_plan(self.prometheus.url, self.exporter.url, extra)


@pytest.fixture(scope="module")
def rig(small_plan: Plan) -> Iterator[Rig]:
    require(
        prometheus_binary() is not None, "Prometheus is not installed (apt-get install prometheus)"
    )
    clock = VirtualClock(T0)  # the simulator holds still unless the test moves it
    exporter = start_exporter(small_plan, clock, T0)
    target = exporter.url.removeprefix("http://").removesuffix("/metrics")
    prometheus = PrometheusServer([target])
    prometheus.start()
    try:
        yield Rig(clock, exporter, prometheus)
    finally:
        prometheus.cleanup()
        exporter.stop()


def move_simulator(rig: Rig, seconds: float) -> dict[str, Any]:
    """Advance the simulated platform and wait for Prometheus's next scrape of it."""
    rig.clock.advance(seconds)
    snapshot = rig.exporter.metrics.snapshot()
    expected = snapshot.servers["gw"].connections
    rig.prometheus.wait_for('exam_server_connections{server="gw"}', expected)
    return {
        "faculties": {f: r.sessions_active for f, r in snapshot.faculties.items()},
        "servers": {s: r.connections for s, r in snapshot.servers.items()},
        "total": snapshot.sessions_active,
    }


def values(samples: list[Any]) -> dict[tuple[str, Any], float]:
    return {(s.name, s.labels): s.value for s in samples}


def test_values_match_the_simulator_within_one_scrape(rig: Rig) -> None:
    collector = PrometheusCollector(rig.plan(), rig.plan().sources[0])
    for step in (100, 150):  # mid wave 1, then into wave 2
        truth = move_simulator(rig, step)
        got = values(list(collector.collect(rig.clock.now())))
        for faculty, sessions in truth["faculties"].items():
            assert got[("sessions_active", (("faculty", faculty),))] == sessions
        for server, connections in truth["servers"].items():
            assert got[("server_connections", (("server", server),))] == connections
        assert got[("sessions_total", ())] == truth["total"]


def test_an_empty_result_is_no_samples_not_an_error(rig: Rig) -> None:
    plan = rig.plan(
        '[[signals]]\nname = "nothing"\nsource = "prom"\nentity = "server"\n'
        'query = "exam_no_such_metric"\n'
    )
    got = PrometheusCollector(plan, plan.sources[0]).collect(rig.clock.now())
    assert not [s for s in got if s.name == "nothing"]
    assert [s for s in got if s.name == "server_connections"]


def test_bad_promql_marks_the_source_down_and_keeps_the_other_signals(rig: Rig) -> None:
    plan = rig.plan(
        '[[signals]]\nname = "broken"\nsource = "prom"\nentity = "server"\n'
        'query = "sum(exam_server_connections"\n'
    )
    with pytest.raises(SourceFailure) as caught:
        PrometheusCollector(plan, plan.sources[0]).collect(rig.clock.now())
    assert caught.value.reason.startswith("broken: HTTP 400: ")
    assert "parse error" in caught.value.reason
    assert {s.name for s in caught.value.samples} >= {"sessions_active", "server_connections"}


def test_a_range_vector_is_refused_with_a_reason(rig: Rig) -> None:
    plan = rig.plan(
        '[[signals]]\nname = "ranged"\nsource = "prom"\nentity = "server"\n'
        'query = "exam_server_connections[5s]"\n'
    )
    with pytest.raises(SourceFailure, match="ranged: returned a range vector"):
        PrometheusCollector(plan, plan.sources[0]).collect(rig.clock.now())


def test_a_silent_prometheus_times_out_instead_of_piling_up(rig: Rig) -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        plan = prometheus_plan(url, rig.exporter.url).model_copy()
        source = plan.sources[0].model_copy(update={"timeout_s": 0.3})
        with pytest.raises(SourceFailure, match=r"no answer within 0\.3 s"):
            PrometheusCollector(plan, source).collect(rig.clock.now())


def test_prometheus_killed_mid_run_goes_down_others_go_on_and_it_comes_back(
    rig: Rig, sqlite_store: Store
) -> None:
    plan = rig.plan()
    prom = PrometheusCollector(plan, plan.sources[0])
    direct = ScrapeCollector(plan, plan.sources[1])
    exercise = sqlite_store.create_exercise(
        plan_id="small-drill", name="x", mode="live", plan_toml="", t0=T0
    )
    move_simulator(rig, 10)
    assert not run_cycle(sqlite_store, exercise, [prom, direct], rig.clock.now()).failures

    rig.prometheus.stop()  # by its PID, mid-run
    rig.clock.advance(1)
    result = run_cycle(sqlite_store, exercise, [prom, direct], rig.clock.now())
    assert set(result.failures) == {"prom"}
    assert "cannot connect to" in result.failures["prom"]
    health = {h.source: h for h in sqlite_store.source_health(exercise)}
    assert not health["prom"].up and health["prom"].down_since == rig.clock.now()
    assert health["direct"].up
    latest = sqlite_store.latest(exercise, "direct_connections", rig.clock.now())
    assert latest[(("server", "gw"),)].at == rig.clock.now()  # the scrape went on
    stale = sqlite_store.latest(exercise, "server_connections", rig.clock.now())
    assert stale[(("server", "gw"),)].at == rig.clock.now() - 1  # no new Prometheus value

    rig.prometheus.start()  # same port, same data: collection resumes by itself
    move_simulator(rig, 1)
    assert not run_cycle(sqlite_store, exercise, [prom, direct], rig.clock.now()).failures
    health = {h.source: h for h in sqlite_store.source_health(exercise)}
    assert health["prom"].up and health["prom"].down_since is None


def test_collectors_run_concurrently_without_sharing_state(rig: Rig) -> None:
    plan = rig.plan()
    collector = PrometheusCollector(plan, plan.sources[0])
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(len(collector.collect(rig.clock.now()))))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and results[0] > 0


def answer(*series: tuple[dict[str, str], str]) -> list[dict[str, object]]:
    """An instant vector as Prometheus's JSON gives it."""
    return [{"metric": labels, "value": [T0, value]} for labels, value in series]


def route(small_plan: Plan, entity: Entity) -> Route:
    signal = Signal(name="sessions_active", source="prom", entity=entity, query="q")
    return Route.of(signal, small_plan)


def test_an_answer_is_one_sample_per_series_as_the_engine_gave_it(small_plan: Plan) -> None:
    unknown: Unknown = defaultdict(set)
    result = answer(
        ({"faculty": "beta"}, "30"),
        ({"faculty": "alpha"}, "12"),
        ({"faculty": "zeta"}, "99"),  # not the plan's: noted, not stored
        ({"faculty": "gamma"}, "NaN"),  # dropped, never stored
    )
    samples = samples_of(route(small_plan, Entity.FACULTY), result, 5.0, unknown)
    assert [(s.name, s.labels, s.at, s.value) for s in samples] == [
        ("sessions_active", (("faculty", "beta"),), 5.0, 30.0),
        ("sessions_active", (("faculty", "alpha"),), 5.0, 12.0),
    ]
    assert unknown == {"sessions_active": {"zeta"}}


def test_two_series_for_one_stored_series_are_refused_not_added_up(small_plan: Plan) -> None:
    twice = answer(({"faculty": "alpha", "replica": "a"}, "12"), ({"faculty": "alpha"}, "12"))
    with pytest.raises(QueryFailed, match=r"several series for faculty 'alpha'.*sum by \(faculty"):
        samples_of(route(small_plan, Entity.FACULTY), twice, 5.0, defaultdict(set))
    whole = answer(({"job": "a"}, "1"), ({"job": "b"}, "2"))
    with pytest.raises(QueryFailed, match=r"several series for one value.*\(sum\(\.\.\.\)\)"):
        samples_of(route(small_plan, Entity.EXERCISE), whole, 5.0, defaultdict(set))
