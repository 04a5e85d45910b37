"""A store of a seed-shaped exercise of thousands of sites, made in seconds.

A drill of 3,000 sites simulates every student for 25 minutes; screens' tests
need only what the store holds at one instant. Here each site's sessions follow
its wave on paper (a linear ramp over RAMP_S from the wave's start), the servers
hold the plan's connections per student of them, and chosen sites lag (stay at
LAG_SHARE of their students) or go stale (nothing measured for their last
STALE_FOR_S). The history is written through the real store; the alert engine and
the tick recorder judge the last JUDGED polls, as a collector that had just
caught up would. So the outcome is known on paper: the gateway passes its limit
while wave 4 connects, and the chosen sites, no others, need attention.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import tomli_w

from vigie.alerts.engine import AlertEngine
from vigie.collectors.cycle import CycleResult
from vigie.plan import Plan
from vigie.plan.model import Faculty
from vigie.plan.scaled import scaled_plan
from vigie.run.drill import DEFAULT_T0
from vigie.series import Sample
from vigie.store import HealthUpdate, Store
from vigie.tick.recorder import TickRecorder

RAMP_S = 240.0  # a site's students all connected this long after its wave starts
LAG_SHARE = 0.4
STALE_FOR_S = 90.0
JUDGED = 8  # the last polls the engine and the recorder see one by one
SOURCE = "platform"
ROOM = "control room"
WRITTEN = frozenset(
    {
        "sessions_active",
        "server_connections",
        "server_throttled",
        "server_rejected_total",
        "server_reset_total",
    }
)


@dataclass(frozen=True)
class ScaledExercise:
    exercise_id: int
    plan: Plan
    t0: float
    at: float  # the last poll written


def scaled_exercise(
    store: Store,
    base: Plan,
    sites: int,
    at_s: float,
    poll_s: float = 15.0,
    lagging: Collection[str] = (),
    stale: Collection[str] = (),
    capacity: float = 1.0,
) -> ScaledExercise:
    """`base` scaled to `sites`, collected every `poll_s` up to T+`at_s`; `capacity`
    multiplies every server's limit (1.5: the seed's platform holds wave 4)."""
    plan = _polled_every(scaled_plan(base, sites), poll_s, capacity)
    t0 = DEFAULT_T0
    toml = f"# A generated plan of {sites} sites.\n" + tomli_w.dumps(
        plan.model_dump(mode="json", exclude_none=True)
    )
    exercise_id = store.create_exercise(
        plan_id=plan.exercise.id, name=plan.exercise.name, mode="drill", plan_toml=toml, t0=t0
    )
    engine = AlertEngine(plan, store, exercise_id, t0, poll_s)
    recorder = TickRecorder(store, exercise_id, engine)
    instants = [k * poll_s for k in range(1, int(at_s // poll_s) + 1)]
    judged_from = instants[-JUDGED] if len(instants) >= JUDGED else 0.0
    # The room's GO for each wave at its planned minute, written when that minute
    # comes: written ahead, the engine took the first judged poll for a launch.
    pending = sorted(plan.waves, key=lambda w: w.start_min)
    for second in instants:
        while pending and pending[0].start_min * 60 <= second:
            wave = pending.pop(0)
            store.add_annotation(
                exercise_id, t0 + wave.start_min * 60, "decision", ROOM, "go: on time", wave.number
            )
        batch = _samples(plan, t0, second, at_s, set(lagging), set(stale))
        health = [HealthUpdate(SOURCE, t0 + second, True, 0.05)]
        store.write_cycle(exercise_id, batch, health)
        if second == judged_from:
            engine.prime(t0 + second)
        if second >= judged_from:
            recorder.after_cycle(t0 + second, CycleResult(batch, health))
    return ScaledExercise(exercise_id, plan, t0, t0 + instants[-1])


def sessions(plan: Plan, faculty: Faculty, second: float, lagging: bool = False) -> float:
    """A site's sessions at an exercise second, on paper."""
    return _on_paper(faculty, second - plan.wave(faculty.wave).start_min * 60, lagging)


def _on_paper(faculty: Faculty, started: float, lagging: bool) -> float:
    share = min(1.0, max(0.0, started / RAMP_S))
    return round(faculty.expected_students * min(share, LAG_SHARE if lagging else 1.0))


def _samples(
    plan: Plan, t0: float, second: float, at_s: float, lagging: set[str], stale: set[str]
) -> list[Sample]:
    at = t0 + second
    batch = [Sample("source_up", (("source", SOURCE),), at, 1.0)]
    active = 0.0
    starts = {w.number: w.start_min * 60 for w in plan.waves}  # once a cycle, not once a site
    for faculty in plan.faculties:
        value = _on_paper(faculty, second - starts[faculty.wave], faculty.id in lagging)
        active += value
        if faculty.id in stale and second > at_s - STALE_FOR_S:
            continue
        batch.append(Sample("sessions_active", (("faculty", faculty.id),), at, value))
    for server in plan.servers:
        connections = server.base_connections + (server.connections_per_student or 0) * active
        over = connections >= server.connection_limit
        labels = (("server", server.id),)
        batch += [
            Sample("server_connections", labels, at, min(connections, server.connection_limit)),
            Sample("server_throttled", labels, at, 1.0 if over else 0.0),
            Sample("server_rejected_total", labels, at, 0.0),
            Sample("server_reset_total", labels, at, 0.0),
        ]
    return batch


def _polled_every(plan: Plan, poll_s: float, capacity: float) -> Plan:
    """The plan polled every `poll_s`, reading only the signals written here."""
    sources = tuple(s.model_copy(update={"interval_s": poll_s}) for s in plan.sources)
    signals = tuple(s for s in plan.signals if s.name in WRITTEN)
    servers = tuple(
        s.model_copy(update={"connection_limit": round(s.connection_limit * capacity)})
        for s in plan.servers
    )
    return plan.model_copy(update={"sources": sources, "signals": signals, "servers": servers})
