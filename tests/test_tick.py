"""The per-tick state: built once per poll by the collecting process, kept in the store."""

from __future__ import annotations

import pytest

from tests.conftest import Drilled
from vigie.alerts.engine import AlertEngine
from vigie.plan import Plan
from vigie.store import NewTransition, Store
from vigie.store.records import AlertState
from vigie.tick import TickState, WaveState
from vigie.tick.board import Board
from vigie.tick.recorder import TickRecorder


def tick_at(store: Store, exercise_id: int, at: float) -> TickState:
    found = store.ticks.at(exercise_id, at)
    assert found is not None
    return TickState.decode(found[1])


def test_a_drill_keeps_one_state_per_poll_and_each_is_what_the_rules_said(
    drilled: Drilled, small_plan: Plan
) -> None:
    store, exercise_id, t0 = drilled
    instants = store.ticks.instants(exercise_id)
    assert instants[0] == t0 and len(instants) == 601  # the pre-flight, then one per poll
    early = tick_at(store, exercise_id, t0 + 30)
    assert early.at == t0 + 30
    assert [w.state for w in early.waves] == [WaveState.CONNECTING, WaveState.PLANNED]
    assert early.gate is not None and early.gate.wave == 2 and early.gate.verdict == "HOLD"
    assert early.gate.fit is not None and early.gate.fit < 100
    assert early.alerts[0].rule == "wave_gate"  # the most severe, then the newest
    later = tick_at(store, exercise_id, t0 + 150.5)  # between polls: the one before
    assert later.at == t0 + 150
    assert [w.state for w in later.waves] == [WaveState.COMPLETE, WaveState.PLANNED]
    gw = next(s for s in later.servers if s.id == "gw")
    assert gw.limit == 440 and gw.connections is not None and gw.severity == "critical"
    assert [f.id for f in later.faculties] == [f.id for f in small_plan.faculties]


def test_nothing_is_shown_before_the_first_judgement(drilled: Drilled) -> None:
    store, exercise_id, t0 = drilled
    assert store.ticks.at(exercise_id, t0 - 1) is None


def test_a_second_state_for_the_same_instant_replaces_the_first(store: Store) -> None:
    exercise = store.create_exercise(plan_id="p", name="P", mode="drill", plan_toml="", t0=0.0)
    store.ticks.write(exercise, 10.0, b"first")
    store.ticks.write(exercise, 10.0, b"second")
    store.ticks.write(exercise, 11.0, b"third")
    assert store.ticks.at(exercise, 10.5) == (10.0, b"second")
    assert store.ticks.at(exercise, 99.0) == (11.0, b"third")
    assert store.ticks.instants(exercise) == [10.0, 11.0]


def firing(at: float, severity: str = "warning") -> NewTransition:
    return NewTransition(
        at=at,
        rule="headroom",
        subject="gw",
        state=AlertState.FIRING,
        severity=severity,
        message="m",
    )


def test_an_acknowledgement_holds_until_the_alert_escalates(sqlite_store: Store) -> None:
    store = sqlite_store
    exercise = store.create_exercise(plan_id="p", name="P", mode="drill", plan_toml="", t0=0.0)
    board = Board(store, exercise)
    store.alerts.record(exercise, [firing(1.0)])
    store.alerts.acknowledge(exercise, "headroom", "gw", "alice", 2.0)
    board.catch_up()
    (seen,) = board.firing()
    assert seen.acknowledged_by == "alice" and seen.acknowledged_at == 2.0
    store.alerts.record(exercise, [firing(3.0, "critical")])  # worse: to be seen again
    board.catch_up()
    (escalated,) = board.firing()
    assert escalated.severity == "critical" and escalated.acknowledged_by is None
    store.alerts.record(
        exercise,
        [
            NewTransition(
                at=4.0,
                rule="headroom",
                subject="gw",
                state=AlertState.RESOLVED,
                severity="critical",
                message="m",
            )
        ],
    )
    board.catch_up()
    assert board.firing() == ()


def test_notes_show_newest_first_and_the_latest_decision_per_wave(sqlite_store: Store) -> None:
    store = sqlite_store
    exercise = store.create_exercise(plan_id="p", name="P", mode="drill", plan_toml="", t0=0.0)
    board = Board(store, exercise)
    for i in range(7):
        store.add_annotation(exercise, float(i), "note", "bob", f"note {i}")
    store.add_annotation(exercise, 8.0, "decision", "carol", "hold", wave=4)
    store.add_annotation(exercise, 9.0, "decision", "carol", "split: half now", wave=4)
    board.catch_up()
    assert [n.text for n in board.notes()] == ["note 6", "note 5", "note 4", "note 3", "note 2"]
    (decision,) = board.decisions()
    assert decision.text == "split: half now" and decision.wave == 4


def test_a_state_that_cannot_be_kept_stops_neither_alerts_nor_the_next_poll(
    drilled: Drilled, small_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, exercise_id, t0 = drilled
    engine = AlertEngine(small_plan, store, exercise_id, t0, 1.0)
    recorder = TickRecorder(store, exercise_id, engine)

    def broken(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store.ticks, "write", broken)
    recorder.evaluate(t0 + 700)  # logged, not raised
    assert engine.last is not None and engine.last.inputs.now == t0 + 700
    monkeypatch.undo()
    recorder.evaluate(t0 + 701)
    kept = store.ticks.at(exercise_id, t0 + 701)
    assert kept is not None and kept[0] == t0 + 701


def test_encoded_states_are_small(drilled: Drilled) -> None:
    store, exercise_id, t0 = drilled
    found = store.ticks.at(exercise_id, t0 + 300)
    assert found is not None and len(found[1]) < 4096
