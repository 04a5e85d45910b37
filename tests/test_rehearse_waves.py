"""When a rehearsal launches its waves: at the plan's time, held at the gate's HOLD.

The gate and the clock are given, so plans of any number of waves are played on a
virtual clock, and each outcome is known on paper: the first blocked wave and every
later one are held, unless --through.
"""

from __future__ import annotations

import pytest

from vigie.alerts.rules.wave_gate import GateFacts, GateVerdict
from vigie.plan import Plan, parse_plan
from vigie.rehearse.waves import WavePlayer


def plan_of(waves: int, gap_min: float) -> Plan:
    text = '[exercise]\nid = "w"\nname = "W"\nduration_min = 600\n'
    for n in range(1, waves + 1):
        text += f"[[waves]]\nnumber = {n}\nstart_min = {(n - 1) * gap_min}\n"
        text += f'[[faculties]]\nid = "f{n}"\nname = "F{n}"\nexpected_students = 10\nwave = {n}\n'
    text += '[[servers]]\nid = "gw"\nrole = "gateway"\nconnection_limit = 100\n'
    return parse_plan(text)


def facts(wave: int, verdict: GateVerdict) -> GateFacts:
    return GateFacts(
        wave=wave,
        students=10,
        verdict=verdict,
        server="gw",
        kind="total",
        projected=120,
        limit=100,
        share=1.2,
        fit=5,
        counted=20,
        counted_fit=5,
        ratio=2,
        measured=True,
        critical=0.9,
    )


def play(plan: Plan, blocked_from: int | None, through: bool, said_from_s: float = 0) -> WavePlayer:
    """Every wave from `blocked_from` on is HOLD (FORECAST before its turn), from
    `said_from_s` on; one step per second until the last wave's time."""
    now = {"t": 1000.0}
    launched: list[tuple[int, float]] = []

    def gate(wave: int) -> tuple[GateFacts, str] | None:
        if blocked_from is None or wave < blocked_from or now["t"] - 1000 < said_from_s:
            return facts(wave, GateVerdict.GO), "GO"
        return facts(wave, GateVerdict.HOLD), f"wave {wave}: HOLD"

    player = WavePlayer(plan, 1000.0, gate, lambda w, at: launched.append((w, at)), through=through)
    end = max(w.start_min for w in plan.waves) * 60
    while now["t"] - 1000 <= end:
        player.step(now["t"])
        now["t"] += 1
    assert [w for w, _ in launched] == [d.wave for d in player.decisions if d.launched]
    return player


@pytest.mark.parametrize("waves", [1, 2, 4, 6])
@pytest.mark.parametrize("blocked_from", [None, 1, 2, 4])
def test_every_wave_goes_at_its_time_until_the_gate_holds_one(
    waves: int, blocked_from: int | None
) -> None:
    player = play(plan_of(waves, 2.5), blocked_from, through=False)
    assert player.decided
    for decision in player.decisions:
        assert decision.decided_s == decision.planned_s  # decided on time, one step per second
        expected = blocked_from is None or decision.wave < blocked_from
        assert decision.launched is expected
    held = [d for d in player.decisions if not d.launched]
    if held:
        assert held[0].words == f"wave {blocked_from}: HOLD"
        assert all(d.words == "an earlier wave is held" for d in held[1:])


@pytest.mark.parametrize("waves", [2, 4])
def test_through_launches_every_wave_and_says_which_went_against_the_gate(waves: int) -> None:
    player = play(plan_of(waves, 1), blocked_from=2, through=True)
    assert all(d.launched for d in player.decisions)
    assert [d.wave for d in player.decisions if d.against_the_gate] == list(range(2, waves + 1))


def test_the_first_warning_of_a_wave_is_kept_for_the_lead_time() -> None:
    player = play(plan_of(4, 3), blocked_from=4, through=False, said_from_s=75)
    warned = player.foresight[4]
    assert warned.said_s == 75 and warned.facts.verdict is GateVerdict.HOLD
    assert 1 not in player.foresight and 2 not in player.foresight
    assert player.holds[4] == warned  # a HOLD, not a forecast: the lead time counts from it


def test_with_nothing_from_the_gate_the_waves_go_as_planned() -> None:
    plan = plan_of(3, 1)
    launched: list[int] = []
    player = WavePlayer(plan, 0.0, lambda _: None, lambda w, _: launched.append(w))
    player.step(59.0)
    assert launched == [1]
    player.step(120.0)  # a late step decides every wave whose time has passed, in order
    assert launched == [1, 2, 3] and player.decided
    assert player.launched_s == {1: 59.0, 2: 120.0, 3: 120.0}
