"""Exporter presets: a plan names the software, and Vigie reads its series and its limit.

Pure logic here (what a preset turns into, the limit in force, what the rules and
the tick then say); tests/test_exporters_real.py reads the real exporters.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from vigie.alerts.engine import AlertEngine
from vigie.capacity.live_limits import in_force, live_limits, mismatch_text
from vigie.collectors.mapping import SignalMapper
from vigie.exporters import PresetRegistry, Series
from vigie.exporters.expand import signals_of, watched_signals
from vigie.exporters.preset import DuplicatePreset, Preset
from vigie.exporters.registry import PRESETS
from vigie.plan import Plan, PlanInvalid, parse_plan
from vigie.series import Sample
from vigie.store import Point, Store
from vigie.tick.board import Board
from vigie.tick.build import build_tick

HEAD = """
[exercise]
id = "presets"
name = "Presets"
connections_per_student = 2.0
[[waves]]
number = 1
start_min = 0
[[faculties]]
id = "lille"
name = "Lille"
expected_students = 100
wave = 1
{faculty_exporter}
[[servers]]
id = "gw-1"
role = "gateway"
connection_limit = 16000
connections_per_student = 2.0
{server_exporter}
[[sources]]
id = "prom"
kind = "prometheus"
url = "http://127.0.0.1:1"
[[sources]]
id = "page"
kind = "scrape"
url = "http://127.0.0.1:2/metrics"
[[sources]]
id = "agents"
kind = "agent"
"""

HAPROXY_ON_PAGE = """
[servers.exporter]
preset = "haproxy"
source = "page"
match = { proxy = "exam" }
"""


def plan_with(server_exporter: str = "", faculty_exporter: str = "") -> Plan:
    return parse_plan(
        HEAD.format(server_exporter=server_exporter, faculty_exporter=faculty_exporter)
    )


def haproxy_page(sessions: float, limit: float, denied: tuple[float, float, float]) -> list[Metric]:
    """What HAProxy 2.6's exporter says for two frontends (the names it really uses)."""
    current = GaugeMetricFamily("haproxy_frontend_current_sessions", "", labels=["proxy"])
    current.add_metric(["exam"], sessions)
    current.add_metric(["metrics"], 3)
    cap = GaugeMetricFamily("haproxy_frontend_limit_sessions", "", labels=["proxy"])
    cap.add_metric(["exam"], limit)
    cap.add_metric(["metrics"], 100)
    families: list[Metric] = [current, cap]
    for name, value in zip(
        ("denied_connections", "denied_sessions", "requests_denied"), denied, strict=True
    ):
        counter = CounterMetricFamily(f"haproxy_frontend_{name}", "", labels=["proxy"])
        counter.add_metric(["exam"], value)
        counter.add_metric(["metrics"], 50)
        families.append(counter)
    return families


def test_a_haproxy_frontend_on_its_page_gives_its_sessions_limit_and_every_denial() -> None:
    plan = plan_with(HAPROXY_ON_PAGE)
    mapped = SignalMapper(plan, "page").map(haproxy_page(812, 12000, (40, 2, 1)), at=10.0)
    values = {(s.name, s.labels): s.value for s in mapped.samples}
    server = (("server", "gw-1"),)
    assert values == {
        ("server_connections", server): 812,  # the `metrics` frontend is not the exam's
        ("server_connection_limit", server): 12000,
        ("server_rejected_total", server): 43,  # denied connections + sessions + requests
    }


def test_through_prometheus_a_preset_is_one_query_per_series_for_its_labels() -> None:
    plan = plan_with(
        '[servers.exporter]\npreset = "haproxy"\nsource = "prom"\n'
        'match = { instance = "gw-1.example.org:8405", proxy = "exam" }'
    )
    queries = {s.name: s.query for s in signals_of(plan) if s.source == "prom"}
    selector = 'instance="gw-1.example.org:8405",proxy="exam"'
    assert queries["server_connections"] == f"sum(haproxy_frontend_current_sessions{{{selector}}})"
    assert (
        queries["server_connection_limit"] == f"sum(haproxy_frontend_limit_sessions{{{selector}}})"
    )
    assert "haproxy_frontend_denied_connections_total" in str(queries["server_rejected_total"])
    assert [s.name for s in watched_signals(plan)] == ["server_connections"]


def test_postgres_limit_is_what_a_non_superuser_may_open() -> None:
    plan = plan_with('[servers.exporter]\npreset = "postgres"\nsource = "prom"')
    (limit,) = [s for s in signals_of(plan) if s.name == "server_connection_limit"]
    assert limit.query == (
        "sum(pg_settings_max_connections{}) - sum(pg_settings_superuser_reserved_connections{})"
    )


def test_node_exporter_on_a_faculty_fills_the_agents_host_signals() -> None:
    plan = plan_with(
        faculty_exporter='[faculties.exporter]\npreset = "node"\nsource = "prom"\n'
        'match = { instance = "gw.univ-lille.fr:9100" }'
    )
    by_name = {s.name: s for s in signals_of(plan)}
    assert {"host_conntrack_entries", "host_conntrack_limit", "host_open_fds", "host_fd_limit"} <= (
        by_name.keys()
    )
    fds = by_name["host_open_fds"]
    assert fds.entity_id == "lille" and fds.labels == {"host": "gw.univ-lille.fr"}
    assert fds.query == 'sum(node_filefd_allocated{instance="gw.univ-lille.fr:9100"})'
    assert by_name["host_tcp_connections"].labels["state"] == "ESTABLISHED"


def test_rates_are_promql_only_so_a_scraped_node_exporter_gives_counts_and_limits() -> None:
    plan = plan_with(faculty_exporter='[faculties.exporter]\npreset = "node"\nsource = "page"')
    names = {s.name for s in signals_of(plan)}
    assert "host_open_fds" in names and "host_conntrack_limit" in names
    assert "host_cpu_ratio" not in names and "host_network_bytes_per_second" not in names


@pytest.mark.parametrize(
    ("exporter", "path", "words"),
    [
        ('preset = "haproxy"\nsource = "page"', "servers[0].exporter.match", "needs `proxy`"),
        ('preset = "varnish"\nsource = "page"', "servers[0].exporter.preset", "known: haproxy"),
        (
            'preset = "nginx"\nsource = "agents"',
            "servers[0].exporter.source",
            "pushed by agents",
        ),
        ('preset = "nginx"\nsource = "nowhere"', "servers[0].exporter.source", "not defined"),
    ],
)
def test_a_wrong_exporter_is_refused_naming_its_field(exporter: str, path: str, words: str) -> None:
    with pytest.raises(PlanInvalid) as caught:
        plan_with(f"[servers.exporter]\n{exporter}")
    assert any(path in line and words in line for line in caught.value.lines()), (
        caught.value.lines()
    )


def test_a_preset_that_describes_no_faculty_is_refused_on_one() -> None:
    with pytest.raises(PlanInvalid) as caught:
        plan_with(faculty_exporter='[faculties.exporter]\npreset = "nginx"\nsource = "page"')
    assert "does not describe a faculty" in str(caught.value)


def test_a_team_writes_a_preset_in_a_few_lines_and_a_name_is_taken_once() -> None:
    registry = PresetRegistry()
    varnish = Preset(
        name="varnish",
        software="Varnish",
        server=(Series("server_connections", ("varnish_main_sessions",), required=True),),
    )
    registry.register(varnish)
    assert registry.get("varnish") is varnish and registry.names == ["varnish"]
    with pytest.raises(DuplicatePreset):
        registry.register(varnish)
    with pytest.raises(DuplicatePreset):
        PRESETS.register(Preset(name="haproxy", software="again"))


def test_the_limit_in_force_is_the_softwares_and_the_plan_is_the_same_while_it_holds() -> None:
    plan = plan_with(HAPROXY_ON_PAGE)
    limits = live_limits(plan, {"gw-1": Point(5.0, 12000)})
    (limit,) = limits
    assert limit.differs and mismatch_text(limit) == (
        "gw-1: plan says 16,000, HAProxy says 12,000 (frontend maxconn)"
    )
    forced = in_force(plan, limits)
    assert forced.server("gw-1").connection_limit == 12000
    assert plan.server("gw-1").connection_limit == 16000  # the plan itself is untouched
    assert in_force(plan, live_limits(plan, {"gw-1": Point(6.0, 12000)})) is forced
    agreeing = live_limits(plan, {"gw-1": Point(7.0, 16000)})
    assert in_force(plan, agreeing) is plan


def test_a_server_without_a_limit_publishing_exporter_keeps_the_plans_limit() -> None:
    plan = plan_with('[servers.exporter]\npreset = "nginx"\nsource = "page"')
    assert live_limits(plan, {"gw-1": Point(5.0, 12000)})[0].live == 12000  # said: used
    bare = plan_with()
    assert live_limits(bare, {"gw-1": Point(5.0, 12000)}) == ()  # no exporter: no claim


def test_rules_and_the_wall_judge_against_the_live_limit_and_say_the_plan_differs(
    sqlite_store: Store, tmp_path: Path
) -> None:
    plan = plan_with(HAPROXY_ON_PAGE)
    store = sqlite_store
    exercise = store.create_exercise(
        plan_id=plan.exercise.id, name="P", mode="live", plan_toml="", t0=0.0
    )
    engine = AlertEngine(plan, store, exercise, 0.0, 1.0)
    server = (("server", "gw-1"),)
    for at in range(1, 8):
        engine.observe(
            [
                Sample("server_connections", server, float(at), 11000.0),
                Sample("server_connection_limit", server, float(at), 12000.0),
                Sample("sessions_active", (("faculty", "lille"),), float(at), 100.0),
            ]
        )
        engine.evaluate(float(at))
    firing = engine.firing()
    # 11,000 is 69% of the plan's 16,000 (nothing to say) but 92% of HAProxy's 12,000.
    assert firing[("headroom", "gw-1")].name == "CRITICAL"
    assert engine.last is not None
    tick = build_tick(store, Board(store, exercise), engine.last)
    (gw,) = tick.servers
    assert gw.limit == 12000 and gw.planned_limit == 16000 and gw.limit_from == "HAProxy"
