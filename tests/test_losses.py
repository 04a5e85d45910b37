"""Students lost: the incremental peaks agree with a scan of the window, poll after poll."""

from __future__ import annotations

import random

import pytest

from vigie.alerts.window import SeriesWindow
from vigie.series import Sample
from vigie.tick.losses import LOSS_WINDOW_S, RecentPeaks


def scanned(window: SeriesWindow, now: float) -> dict[str, float]:
    """The definition: the fall from the peak of the last LOSS_WINDOW_S to the latest value."""
    lost = {}
    for faculty, points in window.by_entity("sessions_active", "faculty").items():
        recent = [p.value for p in points if p.at >= now - LOSS_WINDOW_S]
        if recent:
            lost[faculty] = max(0.0, max(recent) - recent[-1])
    return lost


@pytest.mark.parametrize("seed", range(4))
def test_the_peaks_agree_with_a_scan_at_every_poll(seed: int) -> None:
    rng = random.Random(seed)
    window = SeriesWindow(keep_s=600)
    peaks = RecentPeaks()
    values = {f"f{k}": 100.0 for k in range(20)}
    for second in range(0, 1_500, 5):
        batch = []
        for faculty in values:
            if rng.random() < 0.1:
                continue  # a missed poll: the site goes quiet for a while
            values[faculty] = max(0.0, values[faculty] + rng.choice([-30, -5, 0, 3, 8, 25]))
            batch.append(
                Sample("sessions_active", (("faculty", faculty),), second, values[faculty])
            )
        window.observe(batch)
        window.forget_before(second)
        assert peaks.lost(window, second) == scanned(window, second)


def test_a_drop_is_lost_for_the_window_then_forgotten() -> None:
    window = SeriesWindow(keep_s=600)
    peaks = RecentPeaks()
    for second, value in [(0, 500.0), (10, 480.0), (20, 200.0)]:
        window.observe([Sample("sessions_active", (("faculty", "lyon"),), second, value)])
    assert peaks.lost(window, 20) == {"lyon": 300.0}
    window.observe([Sample("sessions_active", (("faculty", "lyon"),), 400, 200.0)])
    assert peaks.lost(window, 400) == {"lyon": 0.0}  # the peak is older than the window
