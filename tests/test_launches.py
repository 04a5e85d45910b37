"""Waves launched by the room: the gate waits for the actual launch, and lag runs from it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import Drilled
from vigie.plan import Plan, parse_plan
from vigie.run.drill import run_drill
from vigie.store import Store, sqlite_url
from vigie.tick import TickState

LATE_PLAN = """
[exercise]
id = "late-wave"
name = "Wave 3 launched six minutes late"
duration_min = 30

[[waves]]
number = 1
start_min = 0

[[waves]]
number = 2
start_min = 3

[[waves]]
number = 3
start_min = 6

[[faculties]]
id = "a1"
name = "Faculty A1"
expected_students = 80
wave = 1

[[faculties]]
id = "a2"
name = "Faculty A2"
expected_students = 80
wave = 1

[[faculties]]
id = "b1"
name = "Faculty B1"
expected_students = 80
wave = 2

[[faculties]]
id = "b2"
name = "Faculty B2"
expected_students = 80
wave = 2

[[faculties]]
id = "b3"
name = "Faculty B3"
expected_students = 80
wave = 2

[[faculties]]
id = "c1"
name = "Faculty C1"
expected_students = 80
wave = 3

[[servers]]
id = "gw"
role = "gateway"
connection_limit = 2000
connections_per_student = 2

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
name = "server_connections"
source = "platform"
entity = "server"
metric = "exam_server_connections"

[simulation]
seed = 7
stop_at_min = 20
connect_delay = { distribution = "lognormal", median_s = 40, sigma = 0.5, max_s = 120 }
launches = [{ wave = 3, at_min = 12 }]

[[simulation.server_load]]
server = "gw"
share = 1.0
"""


def drilled(store: Store) -> tuple[Plan, int, float]:
    plan = parse_plan(LATE_PLAN)
    run = run_drill(plan, LATE_PLAN, store)
    record = store.exercise(run.exercise_id)
    assert record is not None
    return plan, run.exercise_id, record.t0


@pytest.fixture(scope="module")
def late(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drilled]:
    """LATE_PLAN drilled once for the module, whose tests only read it (~4 s a drill)."""
    store = Store.open(sqlite_url(tmp_path_factory.mktemp("late") / "late.db"))
    _, exercise, t0 = drilled(store)
    yield store, exercise, t0
    store.close()


def tick(store: Store, exercise: int, t0: float, minute: float) -> TickState:
    found = store.ticks.at(exercise, t0 + minute * 60)
    assert found is not None
    return TickState.decode(found[1])


def test_the_gate_waits_for_wave_3_until_the_room_launches_it(late: Drilled) -> None:
    store, exercise, t0 = late
    for minute in (7, 9, 11.9):  # planned at T+6, not launched yet: still the wave to decide on
        state = tick(store, exercise, t0, minute)
        assert state.gate is not None and state.gate.wave == 3
        assert state.waves[2].state.value == "planned" and state.waves[2].launched_s is None
    after = tick(store, exercise, t0, 12.5)
    assert after.waves[2].launched_s == 720  # the simulated room's GO at T+12:00
    assert after.waves[2].start_s == 360  # the plan's intention is kept beside it


def test_lag_is_measured_from_the_launch_not_the_planned_time(late: Drilled) -> None:
    store, exercise, t0 = late
    lagging = [
        t
        for t in store.alerts.transitions(exercise)
        if t.rule == "faculty_lag" and t.subject == "c1" and t.state in ("pending", "firing")
    ]
    # From T+6 its students were not due: five minutes after the planned time (T+11)
    # it had nobody connected, and would have lagged if the plan's time were taken as fact.
    assert lagging == []
    state = tick(store, exercise, t0, 11)
    c1 = next(f for f in state.faculties if f.id == "c1")
    assert c1.connected == 0 and not c1.lagging


def test_the_room_s_go_is_recorded_as_a_decision_for_the_wave(late: Drilled) -> None:
    store, exercise, t0 = late
    decisions = [a for a in store.annotations(exercise) if a.kind == "decision"]
    assert [(a.wave, round(a.at - t0), a.text.split(":")[0]) for a in decisions] == [(3, 720, "go")]
