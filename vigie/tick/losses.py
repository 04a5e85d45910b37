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
        """Per faculty with sessions, its fall from the window's peak to its latest value.

        One loop, its names bound locally: it runs for every site at every poll."""
        start = now - self.window_s
        lost: dict[str, float] = {}
        all_peaks, all_seen = self._peaks, self._seen
        for faculty, points in window.by_entity("sessions_active", "faculty").items():
            peaks = all_peaks.get(faculty)
            if peaks is None:
                peaks = all_peaks[faculty] = deque()
            seen = all_seen.get(faculty)
            first_new = len(points)
            while first_new and (seen is None or points[first_new - 1].at > seen):
                first_new -= 1
            for point in points[first_new:]:
                value = point.value
                while peaks and peaks[-1].value <= value:
                    peaks.pop()
                peaks.append(point)
            latest = points[-1]
            all_seen[faculty] = latest.at
            while peaks and peaks[0].at < start:
                peaks.popleft()
            if peaks:
                fall = peaks[0].value - latest.value
                lost[faculty] = fall if fall > 0.0 else 0.0
        return lost
