"""The story the screens tell, read from every per-tick state a drill wrote: a
breach becomes an incident until recovery or the stop, a complete wave never
flips back to "connecting", a refusing server is never green, and the stop
freezes everything into a final state. On the seed and on generated plans whose
outcome is known on paper (benchmarks/plan_corpus.py)."""

from __future__ import annotations

import pytest
import tomli_w

from benchmarks.plan_corpus import generate
from tests.conftest import Drilled
from vigie.alerts.verdict import STOPPED_MESSAGE
from vigie.plan import Plan, parse_plan
from vigie.review.summary import summarize
from vigie.run.drill import run_drill
from vigie.store import Store
from vigie.tick import TickState, WaveState

GENERATED = (1, 2, 3, 4, 5, 12)  # per-source, background, kiosk, holds, tight, total
INCIDENT_WITHIN_S = 35  # the throttling window (30 s) and a poll


def ticks(store: Store, exercise_id: int) -> list[TickState]:
    states = []
    for instant in store.ticks.instants(exercise_id):
        found = store.ticks.at(exercise_id, instant)
        assert found is not None
        states.append(TickState.decode(found[1]))
    return states


def assert_the_story_holds(store: Store, exercise_id: int, plan: Plan) -> None:
    summary = summarize(store, exercise_id, plan)
    states = ticks(store, exercise_id)
    reached: set[int] = set()
    for tick in states:
        for wave in tick.waves:
            if wave.number in reached and not tick.stopped:
                assert wave.state is WaveState.COMPLETE, (tick.elapsed_s, wave)
            if wave.state is WaveState.COMPLETE:
                reached.add(wave.number)
        for incident in (i for i in tick.incidents if i.ended is None):
            server = next(s for s in tick.servers if s.id == incident.server)
            assert server.severity in ("warning", "critical"), (tick.elapsed_s, server)
            assert server.refusing_since == incident.since
    if summary.breaches:
        first = min(summary.breaches, key=lambda b: b.at_s)
        opened = [
            tick
            for tick in states
            if any(i.server == first.server and i.ended is None for i in tick.incidents)
        ]
        assert opened, "a breach with no incident on the screens"
        assert opened[0].elapsed_s - first.at_s <= INCIDENT_WITHIN_S
    final = states[-1]
    if summary.stopped_at_s is not None:
        assert final.stopped and final.elapsed_s == summary.stopped_at_s
        assert final.gate is None and final.alerts == ()
        assert {w.state for w in final.waves} == {WaveState.STOPPED}
        assert all(i.ended is not None for i in final.incidents)
        last = {(t.rule, t.subject): t for t in store.alerts.transitions_after(exercise_id, 0)}
        for transition in last.values():
            if transition.state != "resolved":
                raise AssertionError(f"{transition.rule}/{transition.subject} never resolved")


def test_the_seed_breach_is_an_incident_from_t_24_54_to_the_stop(
    seed_drilled: Drilled, seed_plan: Plan
) -> None:
    store, exercise_id, t0 = seed_drilled
    assert_the_story_holds(store, exercise_id, seed_plan)
    final = ticks(store, exercise_id)[-1]
    (incident,) = final.incidents
    assert (incident.server, incident.over_limit, incident.stopped) == ("waf-1", True, True)
    assert round(incident.since - t0) == 24 * 60 + 54  # the breach itself, not the first refusal
    assert incident.ended is not None and round(incident.ended - t0) == 37 * 60
    resolved = [
        t
        for t in store.alerts.transitions_after(exercise_id, 0)
        if t.state == "resolved" and t.at - t0 == 37 * 60
    ]
    assert resolved and all(t.message == STOPPED_MESSAGE for t in resolved)


def test_after_the_breach_complete_waves_stay_complete_and_say_their_losses(
    seed_drilled: Drilled,
) -> None:
    store, exercise_id, t0 = seed_drilled
    found = store.ticks.at(exercise_id, t0 + 26 * 60)
    assert found is not None
    tick = TickState.decode(found[1])
    for wave in tick.waves[:3]:
        assert wave.state is WaveState.COMPLETE
        assert wave.peak >= 0.95 * wave.expected > wave.connected
        assert wave.lost > 0.1 * wave.expected  # thrown out by the throttle
    waf = next(s for s in tick.servers if s.id == "waf-1")
    assert waf.share is not None and waf.share < 0.9  # below its critical level...
    assert waf.severity == "critical" and waf.refusing_since is not None  # ...and not green


def test_alerts_beside_the_gate_carry_its_numbers_or_their_instant(
    seed_drilled: Drilled,
) -> None:
    store, exercise_id, _ = seed_drilled
    for tick in ticks(store, exercise_id):
        gate = tick.gate
        for alert in tick.alerts:
            if alert.facts_at != tick.at:
                assert alert.facts_at is not None  # the screen labels it with that instant
                continue
            if (
                gate is not None
                and alert.rule == "wave_gate"
                and alert.subject == f"wave-{gate.wave}"
            ):
                assert alert.facts["projected"] == gate.projected
                assert alert.facts["fit"] == gate.fit


@pytest.mark.parametrize("number", GENERATED)
def test_generated_plans_tell_the_same_story(number: int, sqlite_store: Store) -> None:
    generated = generate(number)
    text = tomli_w.dumps(generated.plan)
    plan = parse_plan(text)
    run = run_drill(plan, text, sqlite_store)
    assert_the_story_holds(sqlite_store, run.exercise_id, plan)
    if not generated.outcome.breaks:  # a plan that holds never shows an incident
        assert not any(tick.incidents for tick in ticks(sqlite_store, run.exercise_id))
