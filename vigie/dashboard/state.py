"""The exercise as a screen shows it at one instant: a function of (store, plan, at).

"Live" is `at = now`; a replay is the same call with `at` in the past.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from vigie.dashboard.context import Exercise
from vigie.store import Point, Store

STALE_AFTER_INTERVALS = 2


class WaveState(StrEnum):
    PLANNED = "planned"
    CONNECTING = "connecting"
    COMPLETE = "complete"


COMPLETE_SHARE = 0.95  # a wave is complete once 95% of its students are connected


@dataclass(frozen=True)
class WaveProgress:
    number: int
    start_s: float
    expected: int
    connected: int
    state: WaveState

    @property
    def share(self) -> float:
        return self.connected / self.expected if self.expected else 0.0


@dataclass(frozen=True)
class Freshness:
    newest: float | None  # epoch of the newest sample, None if nothing yet
    age_s: float | None
    stale: bool


@dataclass(frozen=True)
class BlindSource:
    source: str
    since: float


@dataclass(frozen=True)
class FiringAlert:
    rule: str
    subject: str
    severity: str
    since: float
    message: str


SEVERITY_RANK = {"careful": 1, "warning": 2, "critical": 3}


@dataclass(frozen=True)
class Overview:
    at: float
    elapsed_s: float
    active: int
    expected: int
    waves: list[WaveProgress]
    freshness: Freshness
    stopped_at_s: float | None
    blind: list[BlindSource]
    alerts: list[FiringAlert]


def overview(store: Store, exercise: Exercise, at: float) -> Overview:
    record, plan = exercise.record, exercise.plan
    sessions = {
        dict(labels)["faculty"]: point
        for labels, point in store.latest(record.id, "sessions_active", at).items()
    }
    elapsed = at - record.t0
    waves = [
        _wave_progress(exercise, wave.number, sessions, elapsed) for wave in plan.waves_in_order
    ]
    stopped = None
    if record.ended is not None and record.ended <= at:
        stopped = record.ended - record.t0
    return Overview(
        at=at,
        elapsed_s=elapsed,
        active=round(sum(p.value for p in sessions.values())),
        expected=plan.total_expected,
        waves=waves,
        freshness=freshness(sessions.values(), at, exercise.poll_interval_s),
        stopped_at_s=stopped,
        blind=blind_sources(store, exercise, at),
        alerts=firing_alerts(store, exercise, at),
    )


def firing_alerts(store: Store, exercise: Exercise, at: float) -> list[FiringAlert]:
    """Alerts firing at `at`, most severe first, then newest first."""
    firing = [
        FiringAlert(t.rule, t.subject, t.severity, t.at, t.message)
        for t in store.alerts.last_states(exercise.record.id, at)
        if t.state == "firing"
    ]
    return sorted(firing, key=lambda a: (-SEVERITY_RANK.get(a.severity, 0), -a.since))


def blind_sources(store: Store, exercise: Exercise, at: float) -> list[BlindSource]:
    """Sources whose last poll at `at` failed, with when they went down."""
    blind = []
    for labels, point in store.latest(exercise.record.id, "source_up", at).items():
        if point.value < 0.5:
            source = dict(labels)["source"]
            since = store.down_since(exercise.record.id, source, at)
            blind.append(BlindSource(source, point.at if since is None else since))
    return sorted(blind, key=lambda b: b.since)


def freshness(points: Iterable[Point], at: float, interval_s: float) -> Freshness:
    """Stale once the newest value is older than two poll intervals: never shown as live."""
    newest = max((p.at for p in points), default=None)
    if newest is None:
        return Freshness(None, None, True)
    age = at - newest
    return Freshness(newest, age, age > STALE_AFTER_INTERVALS * interval_s)


def _wave_progress(
    exercise: Exercise, number: int, sessions: dict[str, Point], elapsed: float
) -> WaveProgress:
    plan = exercise.plan
    start_s = plan.wave(number).start_min * 60
    expected = plan.expected_in_wave(number)
    connected = round(
        sum(sessions[f.id].value for f in plan.faculties_in_wave(number) if f.id in sessions)
    )
    if elapsed < start_s:
        state = WaveState.PLANNED
    elif expected and connected >= COMPLETE_SHARE * expected:
        state = WaveState.COMPLETE
    else:
        state = WaveState.CONNECTING
    return WaveProgress(number, start_s, expected, connected, state)


def active_sessions_history(
    store: Store, exercise: Exercise, at: float, points: int = 300
) -> list[Point]:
    """Total active sessions from T+0 to `at`, downsampled to at most `points`."""
    t0 = exercise.record.t0
    per_faculty = store.downsampled(exercise.record.id, "sessions_active", t0, at, points)
    totals: dict[float, float] = {}
    for series in per_faculty.values():
        for point in series:
            totals[point.at] = totals.get(point.at, 0.0) + point.value
    return [Point(at_, value) for at_, value in sorted(totals.items())]
