"""Students each faculty lost: how far its sessions fell from their peak of the
last LOSS_WINDOW_S, kept up to date as points arrive.

A scan of every faculty's five minutes each poll is 900,000 points at 3,000
sites and 1 s polls; a queue per faculty of its falling peaks costs one step per
new point, whatever the window.
"""

from __future__ import annotations

from collections import deque

from vigie.alerts.window import SeriesWindow
from vigie.store import Point

LOSS_WINDOW_S = 300  # "312 students lost in 5 min": from each faculty's peak in that span


class RecentPeaks:
    """Per faculty, the points of its last LOSS_WINDOW_S that no later point beats:
    the first is the window's peak (a monotonic queue)."""

    def __init__(self, window_s: float = LOSS_WINDOW_S) -> None:
        self.window_s = window_s
        self._peaks: dict[str, deque[Point]] = {}
        self._seen: dict[str, float] = {}  # the newest point taken, per faculty

    def lost(self, window: SeriesWindow, now: float) -> dict[str, float]:
        """Per faculty with sessions, its fall from the window's peak to its latest value."""
        start = now - self.window_s
        lost: dict[str, float] = {}
        for faculty, points in window.by_entity("sessions_active", "faculty").items():
            peaks = self._take(faculty, points)
            while peaks and peaks[0].at < start:
                peaks.popleft()
            if peaks:
                lost[faculty] = max(0.0, peaks[0].value - points[-1].value)
        return lost

    def _take(self, faculty: str, points: list[Point]) -> deque[Point]:
        peaks = self._peaks.setdefault(faculty, deque())
        seen = self._seen.get(faculty)
        first_new = len(points)
        while first_new > 0 and (seen is None or points[first_new - 1].at > seen):
            first_new -= 1
        for point in points[first_new:]:
            while peaks and peaks[-1].value <= point.value:
                peaks.pop()
            peaks.append(point)
        self._seen[faculty] = points[-1].at
        return peaks
