"""When a rehearsal launches each wave: at the plan's time, unless the gate says HOLD.

Pure: the clock, the gate and what a launch does are given, so the rules are tested
on a virtual clock. A held wave holds every later one too (a room does not skip a
wave); `through` launches past a HOLD, to find where the platform really gives way.
Every verdict the gate says about a wave before its turn is kept, for the lead time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vigie.alerts.rules.wave_gate import GateFacts, GateVerdict
from vigie.plan.model import Plan

Gate = Callable[[int], tuple[GateFacts, str] | None]  # wave -> its facts and words, or None
BLOCKING = (GateVerdict.HOLD, GateVerdict.FORECAST)


@dataclass(frozen=True)
class WaveDecision:
    wave: int
    planned_s: float  # the plan's time, in exercise seconds
    decided_s: float
    launched: bool
    gate: GateFacts | None  # what the gate said at the decision (None: nothing to say)
    words: str  # why, in a sentence

    @property
    def against_the_gate(self) -> bool:
        return self.launched and self.gate is not None and self.gate.verdict in BLOCKING


@dataclass(frozen=True)
class Foresight:
    """The first time the gate said a wave would not fit, and its numbers then."""

    wave: int
    said_s: float
    facts: GateFacts
    words: str


class WavePlayer:
    def __init__(
        self,
        plan: Plan,
        t0: float,
        gate: Gate,
        launch: Callable[[int, float], None],
        *,
        through: bool = False,
    ) -> None:
        self._waves = plan.waves_in_order
        self.t0 = t0
        self._gate = gate
        self._launch = launch
        self._through = through
        self.decisions: list[WaveDecision] = []
        self.foresight: dict[int, Foresight] = {}  # the first HOLD or FORECAST of each wave
        self.holds: dict[int, Foresight] = {}  # the first HOLD: its turn is next
        self._held = False

    @property
    def decided(self) -> bool:
        return len(self.decisions) == len(self._waves)

    @property
    def launched_s(self) -> dict[int, float]:
        """Wave -> when it went out, in exercise seconds."""
        return {d.wave: d.decided_s for d in self.decisions if d.launched}

    def step(self, now: float) -> list[WaveDecision]:
        """Note what the gate foresees, then decide every wave whose time has come."""
        elapsed = now - self.t0
        self._note_foresight(elapsed)
        made = []
        for wave in self._waves[len(self.decisions) :]:
            if wave.start_min * 60 > elapsed + 1e-9:
                break
            made.append(self._decide(wave.number, wave.start_min * 60, elapsed, now))
        self.decisions += made
        return made

    def _note_foresight(self, elapsed: float) -> None:
        for wave in self._waves[len(self.decisions) :]:
            said = self._gate(wave.number)
            if said is not None and said[0].verdict in BLOCKING:
                self.foresight.setdefault(wave.number, Foresight(wave.number, elapsed, *said))
            if said is not None and said[0].verdict is GateVerdict.HOLD:
                self.holds.setdefault(wave.number, Foresight(wave.number, elapsed, *said))

    def _decide(self, wave: int, planned_s: float, elapsed: float, now: float) -> WaveDecision:
        said = self._gate(wave)
        facts, words = said if said is not None else (None, "the gate had nothing to say")
        if self._held:
            return WaveDecision(wave, planned_s, elapsed, False, facts, "an earlier wave is held")
        blocked = facts is not None and facts.verdict in BLOCKING
        if blocked and not self._through:
            self._held = True
            return WaveDecision(wave, planned_s, elapsed, False, facts, words)
        self._launch(wave, now)
        return WaveDecision(wave, planned_s, elapsed, True, facts, words)
