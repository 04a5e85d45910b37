"""Exporter series become the plan's signals, summed per faculty or server."""

from __future__ import annotations

import logging
import math

import pytest
from prometheus_client.core import GaugeMetricFamily

from vigie.collectors.mapping import SignalMapper, UnknownIdLog
from vigie.plan import Plan, parse_plan

PLAN = """
[exercise]
id = "map"
name = "Mapping"
[[waves]]
number = 1
start_min = 0
[[faculties]]
id = "lyon"
name = "Lyon"
expected_students = 10
wave = 1
[[faculties]]
id = "nice"
name = "Nice"
expected_students = 10
wave = 1
[[servers]]
id = "waf-1"
role = "gateway"
connection_limit = 100
[[sources]]
id = "platform"
kind = "scrape"
url = "http://127.0.0.1:1/metrics"
[[signals]]
name = "sessions_active"
source = "platform"
entity = "faculty"
metric = "exam_sessions_active"
[[signals]]
name = "gateway_connections"
source = "platform"
entity = "server"
metric = "lb_connections"
label = "backend"
match = { state = "open" }
[[signals]]
name = "exam_total"
source = "platform"
entity = "exercise"
metric = "exam_sessions_active"
"""


def plan() -> Plan:
    return parse_plan(PLAN)


def family(name: str, labels: list[str], rows: list[tuple[list[str], float]]) -> GaugeMetricFamily:
    metric = GaugeMetricFamily(name, "test", labels=labels)
    for values, value in rows:
        metric.add_metric(values, value)
    return metric


def test_series_of_one_faculty_are_summed_and_stored_under_the_signal_name() -> None:
    sessions = family(
        "exam_sessions_active",
        ["faculty", "room"],
        [(["lyon", "a"], 3), (["lyon", "b"], 4), (["nice", "a"], 5)],
    )
    mapped = SignalMapper(plan(), "platform").map([sessions], at=10.0)
    values = {(s.name, s.labels): s.value for s in mapped.samples}
    assert values[("sessions_active", (("faculty", "lyon"),))] == 7
    assert values[("sessions_active", (("faculty", "nice"),))] == 5
    assert values[("exam_total", ())] == 12
    assert all(s.at == 10.0 for s in mapped.samples)


def test_match_labels_and_custom_id_label() -> None:
    lb = family(
        "lb_connections",
        ["backend", "state"],
        [(["waf-1", "open"], 80), (["waf-1", "closing"], 9)],
    )
    (sample,) = SignalMapper(plan(), "platform").map([lb], at=0.0).samples
    assert (sample.name, sample.labels, sample.value) == (
        "gateway_connections",
        (("server", "waf-1"),),
        80,
    )


def test_ids_the_plan_does_not_know_are_reported_not_stored() -> None:
    sessions = family("exam_sessions_active", ["faculty"], [(["lyonn"], 3), (["nice"], 1)])
    mapped = SignalMapper(plan(), "platform").map([sessions], at=0.0)
    assert mapped.unknown_ids == {"sessions_active": {"lyonn"}}
    faculties = {s.labels for s in mapped.samples if s.name == "sessions_active"}
    assert faculties == {(("faculty", "nice"),)}


def test_signals_of_another_source_are_ignored() -> None:
    sessions = family("exam_sessions_active", ["faculty"], [(["nice"], 1)])
    assert SignalMapper(plan(), "other").map([sessions], at=0.0).samples == []


def test_an_unknown_id_is_logged_once_per_signal_not_at_every_poll(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = UnknownIdLog("platform")
    with caplog.at_level(logging.WARNING, logger="vigie.collectors.mapping"):
        log.report({"sessions_active": {"lyonn", "nicee"}})
        log.report({"sessions_active": {"lyonn"}, "exam_total": {"lyonn"}})
    said = [r.getMessage() for r in caplog.records]
    assert said == [
        "source platform: sessions_active has an id the plan does not know: 'lyonn'",
        "source platform: sessions_active has an id the plan does not know: 'nicee'",
        "source platform: exam_total has an id the plan does not know: 'lyonn'",
    ]


def test_each_poll_maps_its_own_values_and_nothing_carries_over() -> None:
    mapper = SignalMapper(plan(), "platform")
    first = family("exam_sessions_active", ["faculty"], [(["lyon"], 3), (["nice"], 1)])
    mapper.map([first], at=0.0)
    second = family("exam_sessions_active", ["faculty"], [(["nice"], 8), (["nice"], 1)])
    values = {(s.name, s.labels): s.value for s in mapper.map([second], at=1.0).samples}
    assert values == {
        ("sessions_active", (("faculty", "nice"),)): 9,
        ("exam_total", ()): 9,
    }


def test_nan_and_infinite_values_are_dropped_not_stored() -> None:
    sessions = family(
        "exam_sessions_active", ["faculty"], [(["lyon"], math.nan), (["nice"], math.inf)]
    )
    assert SignalMapper(plan(), "platform").map([sessions], at=0.0).samples == []
