"""The simulated exam platform: deterministic, and it breaks the way 21 January 2022 broke."""

from __future__ import annotations

from itertools import pairwise

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from vigie.clock import VirtualClock
from vigie.plan import Plan
from vigie.simulator import ExamPlatform, PlatformMetrics, Snapshot, platform_registry


def run(plan: Plan, until_s: int, seed: int | None = None) -> list[Snapshot]:
    platform = ExamPlatform(plan, seed)
    snapshots = []
    for second in range(1, until_s + 1):
        platform.advance_to(second)
        snapshots.append(platform.snapshot())
    return snapshots


def first_breach(snapshots: list[Snapshot], server: str) -> Snapshot:
    return next(s for s in snapshots if s.servers[server].connections > s.servers[server].limit)


def test_same_seed_gives_the_same_series(small_plan: Plan) -> None:
    assert run(small_plan, 600) == run(small_plan, 600)


def test_another_seed_gives_other_series(small_plan: Plan) -> None:
    assert run(small_plan, 600, seed=1) != run(small_plan, 600, seed=2)


def test_reading_less_often_does_not_change_what_is_read(small_plan: Plan) -> None:
    every_second = run(small_plan, 300)
    coarse = ExamPlatform(small_plan)
    coarse.advance_to(150)
    coarse.advance_to(300)
    assert coarse.snapshot() == every_second[-1]


def test_nobody_connects_before_their_wave(seed_plan: Plan) -> None:
    snapshots = run(seed_plan, 8 * 60)
    wave_two = [f.id for f in seed_plan.faculties_in_wave(2)]
    assert all(s.faculties[f].sessions_active == 0 for s in snapshots for f in wave_two)
    assert snapshots[-1].sessions_active > 2400


def test_seed_gateway_breaks_in_wave_4_just_past_8000_students(seed_plan: Plan) -> None:
    snapshots = run(seed_plan, 37 * 60)
    breach = first_breach(snapshots, "waf-1")
    assert 24 * 60 < breach.at_s < 27 * 60  # wave 4 starts at T+24:00
    assert 8000 < breach.sessions_active <= 8100
    # waves 1-3 (7,150 students) passed without a breach
    wave_three_done = snapshots[24 * 60 - 1]
    assert wave_three_done.sessions_active > 7000
    assert wave_three_done.servers["waf-1"].connections <= 16000


def test_seed_throttle_refuses_drops_and_collapses_sessions(seed_plan: Plan) -> None:
    snapshots = run(seed_plan, 37 * 60)
    breach = first_breach(snapshots, "waf-1")
    before = snapshots[int(breach.at_s) - 2].servers["waf-1"]
    assert before.rejected_total == 0 and not before.throttled
    later = snapshots[int(breach.at_s) + 120]
    assert later.servers["waf-1"].throttled
    assert later.servers["waf-1"].rejected_total > 0
    assert later.servers["waf-1"].reset_total > 0
    low = min(s.sessions_active for s in snapshots[int(breach.at_s) :])
    assert low < breach.sessions_active / 2


def test_seed_exercise_is_stopped_at_minute_37(seed_plan: Plan) -> None:
    snapshots = run(seed_plan, 37 * 60 + 5)
    assert not snapshots[37 * 60 - 2].stopped
    assert all(s.stopped and s.sessions_active == 0 for s in snapshots[37 * 60 :])


def test_uplink_counters_only_grow_and_latency_rises_when_throttled(seed_plan: Plan) -> None:
    snapshots = run(seed_plan, 30 * 60)
    paris = [s.faculties["paris-cite"] for s in snapshots]
    assert all(b.uplink_bytes_total >= a.uplink_bytes_total for a, b in pairwise(paris))
    calm, throttled = paris[20 * 60].latency_s, paris[29 * 60].latency_s
    assert calm < 0.1 < 1.0 < throttled


def test_metrics_page_uses_platform_names_a_prometheus_can_scrape(small_plan: Plan) -> None:
    clock = VirtualClock(1000.0)
    registry = platform_registry(PlatformMetrics(ExamPlatform(small_plan), clock, 1000.0))
    clock.advance(120)
    page = generate_latest(registry).decode()
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(page)
        for s in family.samples
    }
    assert samples[("exam_sessions_active", (("faculty", "alpha"), ("wave", "1")))] > 0
    assert samples[("exam_server_connection_limit", (("server", "gw"),))] == 440
    assert ("exam_server_rejected_connections_total", (("server", "gw"),)) in samples
    assert ("exam_faculty_uplink_transmit_bytes_total", (("faculty", "gamma"),)) in samples
