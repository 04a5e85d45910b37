"""Transitions recorded once, enforced by the store's unique key: two engines judging the
same exercise (a takeover, or two collectors briefly active) never double a step or a
notification, on SQLite and PostgreSQL. Acknowledgements still record."""

from __future__ import annotations

import threading

from vigie.alerts.engine import AlertEngine
from vigie.plan import Plan
from vigie.series import Sample
from vigie.store import NewTransition, Store
from vigie.store.records import AlertState

T0 = 1_700_000_000.0
GW = (("server", "gw"),)
# The gateway's load over time: careful, warning, critical, back to fine (limit 440).
LOADS = [100.0, 320.0, 360.0, 420.0, 420.0, 100.0, 100.0, 330.0, 100.0]


def samples_at(at: float, gw: float) -> list[Sample]:
    return [
        Sample("server_connections", GW, at, gw),
        Sample("server_connections", (("server", "app"),), at, 10.0),
        Sample("source_up", (("source", "platform"),), at, 1.0),
        *(
            Sample("sessions_active", (("faculty", f),), at, 50.0)
            for f in ("alpha", "beta", "gamma")
        ),
    ]


def engines(plan: Plan, store: Store, count: int) -> tuple[list[AlertEngine], int]:
    exercise = store.create_exercise(
        plan_id="small-drill", name="Small", mode="live", plan_toml="", t0=T0
    )
    made = [
        AlertEngine(plan, store, exercise, T0, 1.0, notifiers=["log", "alertmanager"])
        for _ in range(count)
    ]
    return made, exercise


def steps(store: Store, exercise: int) -> list[tuple[str, str, str, str, float]]:
    return [
        (t.rule, t.subject, t.state, t.severity, t.at)
        for t in store.alerts.transitions(exercise)
        if t.state != "acknowledged"
    ]


def test_a_step_recorded_twice_is_refused_by_the_store(store: Store) -> None:
    exercise = store.create_exercise(plan_id="x", name="X", mode="live", plan_toml="", t0=T0)
    step = NewTransition(
        at=T0,
        rule="headroom",
        subject="gw",
        state=AlertState.FIRING,
        severity="warning",
        message="80%",
        notify=True,
        follows=0,
    )
    assert store.alerts.record(exercise, [step], ["log"])[0] is not None
    assert store.alerts.record(exercise, [step], ["log"]) == [None]
    assert len(store.alerts.transitions(exercise)) == 1
    assert len(store.alerts.deliveries("log")) == 1


def test_two_engines_judging_the_same_polls_record_and_notify_each_step_once(
    small_plan: Plan, store: Store
) -> None:
    (first, second), exercise = engines(small_plan, store, 2)
    for second_no, load in enumerate(LOADS, start=1):
        at = T0 + 60 * second_no
        for engine in (first, second):  # the same poll, judged by both, one after the other
            engine.observe(samples_at(at, load))
            engine.evaluate(at)
    recorded = steps(store, exercise)
    assert len(recorded) == len(set(recorded)) > 4
    assert ("headroom", "gw", "firing", "critical", T0 + 240) in recorded
    queued = store.alerts.due("alertmanager", T0 + 3600, 1000)
    assert len({d.transition.id for d in queued}) == len(queued)
    delivered_steps: list[tuple[str, str, str, str]] = [
        (d.transition.rule, d.transition.subject, d.transition.state, d.transition.severity)
        for d in queued
    ]
    assert delivered_steps.count(("headroom", "gw", "firing", "critical")) == 1
    assert first.firing() == second.firing()  # the one that lost a race resynced


def test_two_engines_racing_in_threads_never_double_a_step(small_plan: Plan, store: Store) -> None:
    racers, exercise = engines(small_plan, store, 2)
    barrier = threading.Barrier(len(racers))

    def judge(engine: AlertEngine) -> None:
        for second_no, load in enumerate(LOADS, start=1):
            at = T0 + 60 * second_no
            engine.observe(samples_at(at, load))
            barrier.wait()  # both judge the same instant at the same time
            engine.evaluate(at)

    threads = [threading.Thread(target=judge, args=(engine,)) for engine in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recorded = steps(store, exercise)
    assert len(recorded) == len(set(recorded)) > 4
    deliveries = store.alerts.due("log", T0 + 3600, 1000)
    assert len({d.transition.id for d in deliveries}) == len(deliveries)


def test_an_engine_started_after_a_takeover_resumes_without_re_raising(
    small_plan: Plan, store: Store
) -> None:
    (first,), exercise = engines(small_plan, store, 1)
    for second_no, load in enumerate(LOADS[:4], start=1):  # up to critical
        first.observe(samples_at(T0 + 60 * second_no, load))
        first.evaluate(T0 + 60 * second_no)
    before = steps(store, exercise)
    taking_over = AlertEngine(small_plan, store, exercise, T0, 1.0, notifiers=["log"])
    taking_over.observe(samples_at(T0 + 300, 420.0))
    assert taking_over.evaluate(T0 + 300) == []
    assert steps(store, exercise) == before


def test_acknowledgements_still_record_beside_the_unique_steps(
    small_plan: Plan, store: Store
) -> None:
    (engine,), exercise = engines(small_plan, store, 1)
    for second_no, load in enumerate(LOADS[:4], start=1):
        engine.observe(samples_at(T0 + 60 * second_no, load))
        engine.evaluate(T0 + 60 * second_no)
    assert store.alerts.acknowledge(exercise, "headroom", "gw", "ana", T0 + 250) is not None
    assert store.alerts.acknowledge(exercise, "headroom", "gw", "bob", T0 + 251) is not None
    acks = [t.actor for t in store.alerts.transitions(exercise) if t.state == "acknowledged"]
    assert acks == ["ana", "bob"]
    engine.observe(samples_at(T0 + 360, 100.0))
    assert [t.state for t in engine.evaluate(T0 + 360) if t.rule == "headroom"] == ["resolved"]
