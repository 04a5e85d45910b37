"""The console's charts' data: history up to the instant shown, downsampled in the store
to what a screen can draw. Read once per tick per worker, shared by its viewers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from vigie.dashboard.context import Exercise
from vigie.dashboard.history_grid import CHART_POINTS, HistoryGrids
from vigie.review.summary import sum_by_instant
from vigie.store import Point, Store
from vigie.store.records import AlertState


@dataclass(frozen=True)
class Marker:
    at: float
    label: str
    severity: str


@dataclass(frozen=True)
class History:
    sessions: dict[str, list[Point]]  # faculty id -> active sessions
    connections: dict[str, list[Point]]  # server id -> connections
    alerts: list[Marker]  # when each alert started firing

    def total(self) -> list[Point]:
        return sum_by_instant(self.sessions.values())

    def by_wave(self, wave_of: dict[str, int]) -> dict[int, list[Point]]:
        groups: dict[int, list[list[Point]]] = defaultdict(list)
        for faculty, points in self.sessions.items():
            if faculty in wave_of:
                groups[wave_of[faculty]].append(points)
        return {wave: sum_by_instant(group) for wave, group in sorted(groups.items())}


def read_history(
    store: Store,
    exercise: Exercise,
    at: float,
    grids: HistoryGrids | None = None,
    sessions: bool = True,
) -> History:
    """From T+0 to `at`. With `grids` (the screens, every tick) only what is new since
    the last read is read; without (a report, once), everything is. `sessions=False`
    reads no site's series (a chart that draws only a few reads those itself)."""
    record = exercise.record
    start = record.t0
    end = max(at, start + 1)
    if grids is None:
        per_site = (
            store.downsampled(record.id, "sessions_active", start, end, CHART_POINTS)
            if sessions
            else {}
        )
        connections = store.downsampled(
            record.id, "server_connections", start, end, CHART_POINTS, aggregate="max"
        )
    else:
        per_site = (
            grids.read(store, record.id, "sessions_active", "avg", start, end) if sessions else {}
        )
        connections = grids.read(store, record.id, "server_connections", "max", start, end)
    markers = [
        Marker(t.at, f"{t.rule} {t.subject}", t.severity)
        for t in store.alerts.transitions(record.id)
        if t.state == AlertState.FIRING and t.at <= at
    ]
    return History(
        sessions={dict(labels).get("faculty", ""): points for labels, points in per_site.items()},
        connections={
            dict(labels).get("server", ""): points for labels, points in connections.items()
        },
        alerts=markers,
    )


def highest_per_bucket(
    points: Sequence[Point], start: float, end: float, count: int
) -> list[Point]:
    """At most `count` points: in each of `count` equal spans of [start, end], its highest
    sample at its own instant, so a peak is drawn at its exact value and time."""
    count = max(count, 1)
    width = max(end - start, 1e-9) / count
    kept: dict[int, Point] = {}
    for point in points:
        bucket = min(int((point.at - start) // width), count - 1)  # `end` is in the last
        if bucket not in kept or point.value > kept[bucket].value:
            kept[bucket] = point
    return [kept[bucket] for bucket in sorted(kept)]


def faculty_sessions(store: Store, exercise: Exercise, faculty: str, at: float) -> list[Point]:
    """One faculty's active sessions from T+0 to `at`: one series, downsampled."""
    record = exercise.record
    found = store.downsampled(
        record.id,
        "sessions_active",
        record.t0,
        max(at, record.t0 + 1),
        CHART_POINTS,
        only=(("faculty", faculty),),
    )
    return next(iter(found.values()), [])


REFUSALS = ("server_rejected_total", "server_reset_total")  # counters, per server


def server_counters(
    store: Store, exercise: Exercise, server: str, at: float
) -> dict[str, list[Point]]:
    """One server's refused and reset connection counters from T+0 to `at`, each
    bucket's highest (a counter's last) value, by metric name."""
    record = exercise.record
    end = max(at, record.t0 + 1)
    found: dict[str, list[Point]] = {}
    for name in REFUSALS:
        series = store.downsampled(record.id, name, record.t0, end, CHART_POINTS, "max")
        found[name] = next(
            (points for labels, points in series.items() if dict(labels).get("server") == server),
            [],
        )
    return found
