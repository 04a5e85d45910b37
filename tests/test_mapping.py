"""Exporter series become the plan's signals, summed per faculty or server."""

from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily

from vigie.collectors.mapping import SignalMapper
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
