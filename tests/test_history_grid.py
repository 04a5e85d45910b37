"""The charts' history on a fixed grid: each tick reads only what closed since the last
one, and shows exactly what a read of the whole history would."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.dashboard.history_grid import CHART_POINTS, HistoryGrids, grid_width
from vigie.series import Sample
from vigie.store import Store

T0 = 1_000.0
LYON, NICE = (("faculty", "lyon"),), (("faculty", "nice"),)


@pytest.fixture
def exercise(store: Store) -> int:
    exercise_id = store.create_exercise(
        plan_id="drill", name="Drill", mode="drill", plan_toml="", t0=T0
    )
    for second in range(1200):
        at = T0 + second
        store.write_cycle(
            exercise_id,
            [
                Sample("sessions_active", LYON, at, float(second % 97)),
                Sample("sessions_active", NICE, at, float(second // 3)),
            ],
        )
    return exercise_id


def test_the_grid_is_the_finest_that_fits_the_chart() -> None:
    assert grid_width(200) == 1 and grid_width(301) == 2 and grid_width(4 * 3600) == 60
    assert all(grid_width(span) * CHART_POINTS >= span for span in (10, 999, 14_400))


def test_reading_tick_after_tick_shows_what_one_whole_read_shows(
    store: Store, exercise: int
) -> None:
    ticking = HistoryGrids()
    for at in (T0 + 100, T0 + 350, T0 + 351, T0 + 700.5, T0 + 1199, T0 + 420):  # then a replay
        shown = ticking.read(store, exercise, "sessions_active", "avg", T0, at)
        whole = HistoryGrids().read(store, exercise, "sessions_active", "avg", T0, at)
        assert shown == whole
        assert max(p.at for p in shown[NICE]) <= at
        assert len(shown[LYON]) <= CHART_POINTS + 1  # the closed buckets and the open one


def test_a_tick_reads_only_from_the_last_closed_bucket(
    store: Store, exercise: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    grids = HistoryGrids()
    grids.read(store, exercise, "sessions_active", "max", T0, T0 + 900)
    asked: list[tuple[float, float]] = []
    original = store.bucketed

    def recorded(*args: Any, **kwargs: Any) -> Any:
        asked.append((kwargs["start"] - T0, kwargs["end"] - T0))  # from T+0
        return original(*args, **kwargs)

    monkeypatch.setattr(store, "bucketed", recorded)
    grids.read(store, exercise, "sessions_active", "max", T0, T0 + 907)  # width 5 s at 15 min
    assert asked == [(900.0, 905.0 - 0.001), (905.0, 907.0)]
