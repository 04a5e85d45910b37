"""The charts' history, read once: buckets on a fixed grid, kept once closed.

The console and server charts show a signal from T+0 to the instant shown, in at
most CHART_POINTS buckets. Buckets whose width follows the span and whose edges
move every second must be read whole again at every tick: ~0.45 s per tick and
worker at 4 hours of 35 faculties. Here the width comes from a ladder and the
edges sit on a grid from T+0, so a bucket that has closed never changes: each
tick reads only the buckets that closed since the last one and the open one.
Samples arrive in time order (polls), so a closed bucket is complete.
"""

from __future__ import annotations

import bisect
import math
import threading
from dataclasses import dataclass, field

from vigie.series import Labels
from vigie.store import Point, Store

CHART_POINTS = 300  # a chart's width in useful points on a 1080p screen
GRID_WIDTHS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600)
MS = 0.001


def grid_width(span_s: float) -> float:
    """The finest bucket width that draws `span_s` in at most CHART_POINTS buckets."""
    return next((w for w in GRID_WIDTHS_S if span_s / w <= CHART_POINTS), GRID_WIDTHS_S[-1])


@dataclass
class _Closed:
    """One signal's closed buckets on one grid, from T+0 to `until` (a grid edge)."""

    until: float
    buckets: dict[Labels, list[Point]] = field(default_factory=dict)


class HistoryGrids:
    """Per worker, shared by its viewers: closed buckets by (exercise, signal, grid)."""

    def __init__(self) -> None:
        self._closed: dict[tuple[int, str, str, float], _Closed] = {}
        self._lock = threading.Lock()

    def read(
        self, store: Store, exercise_id: int, name: str, aggregate: str, t0: float, at: float
    ) -> dict[Labels, list[Point]]:
        """Every series named `name` from `t0` to `at`, one point per grid bucket."""
        width = grid_width(at - t0)
        edge = t0 + math.floor((at - t0) / width) * width  # where the open bucket starts
        with self._lock:
            closed = self._closed.setdefault((exercise_id, name, aggregate, width), _Closed(t0))
            if closed.until < edge:
                newly = store.bucketed(
                    exercise_id,
                    name,
                    origin=t0,
                    width=width,
                    start=closed.until,
                    end=edge - MS,
                    aggregate=aggregate,
                )
                for labels, points in newly.items():
                    closed.buckets.setdefault(labels, []).extend(points)
                closed.until = edge
            shown = {
                labels: points[: bisect.bisect_left(points, edge, key=lambda p: p.at)]
                for labels, points in closed.buckets.items()
            }
        open_bucket = store.bucketed(
            exercise_id, name, origin=t0, width=width, start=edge, end=at, aggregate=aggregate
        )
        for labels, points in open_bucket.items():
            shown[labels] = shown.get(labels, []) + points
        return shown
