"""When each wave really went out: recorded by the room, or seen in the data.

The plan's wave times are the intention. A wave is launched when an operator
records GO for it, or when its faculties' students start connecting (at least
1% of them, so a stray early test connection launches nothing), whichever comes
first. A wave planned at T+0 goes out with the exercise itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from vigie.plan.model import Plan
from vigie.store import Annotation, Point
from vigie.store.records import AnnotationKind, Choice, Decision

OBSERVED_SHARE = 0.01


def planned_launches(plan: Plan, elapsed_s: float) -> dict[int, float]:
    """The launches the plan intends up to `elapsed_s` (exercise seconds): for pure
    rule tests that say which waves are out, never for a running exercise."""
    return {w.number: w.start_min * 60 for w in plan.waves if w.start_min * 60 <= elapsed_s}


def at_exercise_start(plan: Plan) -> dict[int, float]:
    return {w.number: 0.0 for w in plan.waves if w.start_min == 0}


def recorded_launches(
    annotations: Iterable[Annotation], t0: float, known: Mapping[int, float]
) -> dict[int, float]:
    """GO decisions that launch a wave not yet launched, in exercise seconds."""
    found: dict[int, float] = {}
    for a in annotations:
        if (
            a.kind != AnnotationKind.DECISION
            or a.wave is None
            or a.wave in known
            or a.wave in found
        ):
            continue
        if Decision.of_text(a.text).choice == Choice.GO:
            found[a.wave] = max(0.0, a.at - t0)
    return found


def observed_launches(
    plan: Plan,
    sessions: Mapping[str, Sequence[Point]],
    t0: float,
    known: Mapping[int, float],
) -> dict[int, float]:
    """Waves whose faculties have started connecting, dated back to their first
    connected student still in the recent past (`sessions`: each faculty's points)."""
    found = {}
    for wave in plan.waves:
        if wave.number in known:
            continue
        members = [
            sessions[f.id] for f in plan.faculties_in_wave(wave.number) if sessions.get(f.id)
        ]
        connected = sum(points[-1].value for points in members)
        needed = max(1, math.ceil(OBSERVED_SHARE * plan.expected_in_wave(wave.number)))
        if members and connected >= needed:
            first = min(
                next(p.at for p in points if p.value > 0)
                for points in members
                if points[-1].value > 0
            )
            found[wave.number] = max(0.0, first - t0)
    return found
