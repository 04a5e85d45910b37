"""A rehearsal's virtual students: counts, loopback addresses, delays and connections."""

from __future__ import annotations

import ipaddress
import statistics
from collections import Counter
from pathlib import Path

import pytest

from tests.support.rehearse_plans import make_plan
from vigie.rehearse.control import EMPTY, Control, read_control, write_control
from vigie.rehearse.dispatch import Dispatcher
from vigie.rehearse.schedule import (
    Arrival,
    loopback_address,
    loopback_addresses,
    plan_arrivals,
    retry_bounds,
)

SHARED = [  # lille and douai behind one NAT; nantes on two; brest and caen on their own
    ("lille", 400, 1, ("192.0.2.10",)),
    ("douai", 100, 1, ("192.0.2.10",)),
    ("nantes", 300, 2, ("198.51.100.1", "198.51.100.2")),
    ("brest", 30, 2, ()),
    ("caen", 3, 2, ()),
]


def many_faculties(count: int) -> list[tuple[str, int, int, tuple[str, ...]]]:
    """`count` faculties, every third one behind a NAT shared with the next."""
    return [
        (f"f{n:03d}", 10 + n, 1 + n % 3, (f"10.0.{n // 3}.1",) if n % 3 < 2 else ())
        for n in range(count)
    ]


@pytest.mark.parametrize("scale", [0.01, 0.05, 0.5, 1.0])
def test_each_faculty_gets_round_expected_times_scale_students_at_least_one(
    scale: float,
) -> None:
    plan = make_plan([*SHARED, ("empty", 0, 1, ())])
    counts = Counter(a.faculty for a in plan_arrivals(plan, scale))
    for faculty in plan.faculties:
        wanted = max(1, round(faculty.expected_students * scale))
        assert counts[faculty.id] == (wanted if faculty.expected_students else 0)


@pytest.mark.parametrize("count", [1, 7, 40, 300])
def test_loopback_addresses_group_faculties_exactly_as_their_plan_addresses(count: int) -> None:
    plan = make_plan(many_faculties(count))
    loopback = loopback_addresses(plan)
    for a in plan.faculties:
        assert len(loopback[a.id]) == max(1, len(a.egress_ips))
        for b in plan.faculties:
            share_in_plan = bool(set(a.egress_ips) & set(b.egress_ips)) or a.id == b.id
            assert bool(set(loopback[a.id]) & set(loopback[b.id])) == share_in_plan
    every = {address for addresses in loopback.values() for address in addresses}
    distinct_plan = {str(ip) for f in plan.faculties for ip in f.egress_ips}
    assert len(every) == len(distinct_plan) + sum(not f.egress_ips for f in plan.faculties)
    for address in every:
        assert ipaddress.ip_address(address) in ipaddress.ip_network("127.0.0.0/8")
        assert address != "127.0.0.1" and not address.startswith("127.0.0.")


def test_loopback_addresses_start_at_127_0_1_1_in_plan_order() -> None:
    assert loopback_addresses(make_plan(SHARED)) == {
        "lille": ("127.0.1.1",),
        "douai": ("127.0.1.1",),
        "nantes": ("127.0.1.2", "127.0.1.3"),
        "brest": ("127.0.1.4",),
        "caen": ("127.0.1.5",),
    }
    assert [loopback_address(i) for i in (0, 253, 254, 508)] == [
        "127.0.1.1",
        "127.0.1.254",
        "127.0.2.1",
        "127.0.3.1",
    ]
    with pytest.raises(ValueError, match="no loopback address"):
        loopback_address(254 * 255)


def test_a_faculty_students_take_its_addresses_in_turn() -> None:
    nantes = [a for a in plan_arrivals(make_plan(SHARED), 0.1) if a.faculty == "nantes"]
    assert Counter(a.address for a in nantes) == {"127.0.1.2": 15, "127.0.1.3": 15}


def test_lognormal_delays_have_the_plan_median_and_never_pass_max() -> None:
    sim = {"connect_delay": {"median_s": 40, "sigma": 0.6, "max_s": 200}}
    arrivals = plan_arrivals(make_plan([("big", 4000, 1, ())], sim), 1.0)
    delays = [a.delay_s for a in arrivals]
    assert 37 < statistics.median(delays) < 43
    assert max(delays) <= 200 and min(delays) > 0


def test_uniform_delays_spread_evenly_up_to_max() -> None:
    sim = {"connect_delay": {"distribution": "uniform", "max_s": 300}}
    delays = [a.delay_s for a in plan_arrivals(make_plan([("big", 4000, 1, ())], sim), 1.0)]
    assert min(delays) >= 0 and max(delays) <= 300
    assert 140 < statistics.median(delays) < 160


def test_without_a_simulation_delays_are_the_defaults_and_connections_the_exercise_figure() -> None:
    plan = make_plan([("big", 2000, 1, ())], exercise={"connections_per_student": 3.4})
    arrivals = plan_arrivals(plan, 1.0)
    assert {a.connections for a in arrivals} == {3}
    assert 70 < statistics.median(a.delay_s for a in arrivals) < 80  # default median 75 s
    assert {a.connections for a in plan_arrivals(make_plan([("big", 50, 1, ())]), 1)} == {2}
    assert retry_bounds(plan) == (15, 90)


def test_connections_follow_the_simulation_mix() -> None:
    sim = {"connections_per_student": {"values": [1, 4], "weights": [3, 1]}, "retry_min_s": 2}
    plan = make_plan([("big", 4000, 1, ())], sim)
    counts = Counter(a.connections for a in plan_arrivals(plan, 1.0))
    assert set(counts) == {1, 4}
    assert 0.22 < counts[4] / 4000 < 0.28
    assert retry_bounds(plan) == (2, 90)


def test_arrivals_are_deterministic_per_seed_and_sorted_by_wave_then_delay() -> None:
    plan = make_plan(SHARED, {"seed": 7})
    first = plan_arrivals(plan, 0.2)
    assert first == plan_arrivals(plan, 0.2) == plan_arrivals(plan, 0.2, seed=7)
    assert first != plan_arrivals(plan, 0.2, seed=8)
    assert first == sorted(first, key=lambda a: (a.wave, a.delay_s))
    assert len({a.student for a in first}) == len(first)
    assert first[0].student.startswith(first[0].faculty + "-")


def test_a_scale_of_zero_or_less_is_refused() -> None:
    for scale in (0, -0.5):
        with pytest.raises(ValueError, match="scale must be above 0"):
            plan_arrivals(make_plan(SHARED), scale)


def test_more_virtual_students_than_one_machine_plays_is_refused() -> None:
    plan = make_plan([("big", 100_000, 1, ())])
    with pytest.raises(ValueError, match="100000 virtual students, above the 5000"):
        plan_arrivals(plan, 1.0)
    assert len(plan_arrivals(plan, 1.0, max_students=100_000)) == 100_000
    with pytest.raises(ValueError, match="above the 10"):
        plan_arrivals(make_plan(SHARED), 1.0, max_students=10)


def test_control_file_round_trips_and_a_reader_keeps_the_last_good(tmp_path: Path) -> None:
    path = tmp_path / "control.json"
    assert read_control(path) == EMPTY
    write_control(path, {1: 1000.5, 3: 2000.0})
    good = read_control(path)
    assert good == Control({1: 1000.5, 3: 2000.0}, stop=False)
    path.write_text('{"launched": {"1": 10', encoding="utf-8")  # half-written
    assert read_control(path, good) == good
    path.write_text('{"launched": {}, "stop": "yes"}', encoding="utf-8")
    assert read_control(path, good) == good
    write_control(path, {1: 1000.5}, stop=True)
    assert read_control(path, good) == Control({1: 1000.5}, stop=True)
    assert [p.name for p in tmp_path.iterdir()] == ["control.json"]  # no temp file left


def arrival(wave: int, delay: float) -> Arrival:
    return Arrival(f"s-{wave}-{delay}", "f", "127.0.1.1", wave, delay, 1)


def test_only_launched_waves_students_are_due_each_after_its_delay() -> None:
    dispatcher = Dispatcher([arrival(1, 5), arrival(1, 10), arrival(2, 1)])
    assert dispatcher.due(EMPTY, 1e9) == 0
    launched = Control({1: 100.0})
    assert [dispatcher.due(launched, t) for t in (104, 105, 109, 110, 1e9)] == [0, 1, 1, 2, 2]
    assert dispatcher.due(Control({1: 100.0, 2: 108.0}), 109) == 2


def test_claims_hand_out_each_student_once_in_real_arrival_order() -> None:
    arrivals = [arrival(1, 5), arrival(1, 10), arrival(2, 1)]
    dispatcher = Dispatcher(arrivals)
    control = Control({1: 100.0, 2: 106.0})  # wave 2's first comes before wave 1's second
    assert dispatcher.claim(control, 104) is None
    claims = [dispatcher.claim(control, 200) for _ in range(4)]
    assert [arrivals[i].student for i in claims if i is not None] == ["s-1-5", "s-2-1", "s-1-10"]
    assert claims[-1] is None and dispatcher.claimed == 3
