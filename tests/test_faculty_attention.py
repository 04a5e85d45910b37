"""A roster larger than the wall: the faculties needing a person come first, and
the ones that do not fit are counted by state, never cut silently."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tests.conftest import Drilled
from vigie.dashboard.components import faculty_grid
from vigie.dashboard.context import Exercise
from vigie.dashboard.pages.wall import MAX_FACULTY_TILES
from vigie.dashboard.screen import TickedScreen
from vigie.i18n import texts
from vigie.plan import Plan
from vigie.tick import FacultyView, TickState


def words(component: Any) -> list[str]:
    """Every text in a Dash tree, in order."""
    children = getattr(component, "children", component)
    if isinstance(children, str):
        return [children]
    if children is None:
        return []
    if not isinstance(children, list | tuple):
        children = [children]
    return [w for child in children for w in words(child)]


def roster(tick: TickState, n: int) -> tuple[FacultyView, ...]:
    """`n` faculties of wave 1 at their full count, then three that need attention."""
    fine = [
        FacultyView(
            id=f"site-{i:03d}",
            name=f"Site {i}",
            wave=1,
            expected=100,
            connected=100,
            measured_at=tick.at,
            lagging=False,
        )
        for i in range(n)
    ]
    stale = fine[n - 1].model_copy(update={"measured_at": tick.at - 600, "name": "Stale site"})
    losing = fine[n - 2].model_copy(update={"lost": 40, "connected": 60, "name": "Losing site"})
    lagging = fine[n - 3].model_copy(update={"lagging": True, "name": "Lagging site"})
    return (*fine[: n - 3], lagging, losing, stale)


def test_the_wall_shows_attention_first_and_counts_what_does_not_fit(
    drilled: Drilled, small_plan: Plan
) -> None:
    store, exercise_id, t0 = drilled
    found = store.ticks.at(exercise_id, t0 + 300)
    record = store.exercise(exercise_id)
    assert found is not None and record is not None
    tick = TickState.decode(found[1])
    tick = tick.model_copy(update={"faculties": roster(tick, 1000)})
    exercise = Exercise(replace(record, ended=None), small_plan, 1.0)  # as if still running
    screen = TickedScreen(exercise, tick, tick.at, True, texts("en"))
    grid = faculty_grid(screen, "wall", limit=MAX_FACULTY_TILES)
    shown = words(grid)
    names = [w for w in shown if w.endswith(" site")]
    assert names == ["Stale site", "Losing site", "Lagging site"]  # first, in that order
    assert "+965 more" in shown  # 1,000 faculties: 35 tiles and the count of the rest
    assert "965 ok" in shown
    assert "\u221240" in shown  # the loss on the losing site's tile
