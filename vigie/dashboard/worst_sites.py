"""The few sites the per-site chart draws: those needing a person first, then the
least connected of those whose wave started. Only their series are read."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from vigie.dashboard.context import Exercise
from vigie.dashboard.history import faculty_sessions
from vigie.store import Point, Store
from vigie.tick import FacultyView
from vigie.tick.attention import SiteState

WORST_SHOWN = 8  # lines a chart keeps apart, each in its own colour


def worst_sites(
    attention: Sequence[FacultyView],
    roster: Mapping[str, FacultyView],
    state_of: Callable[[FacultyView], SiteState],
    shown: int = WORST_SHOWN,
) -> list[FacultyView]:
    """The tick's attention list (worst first), filled up to `shown` with the least
    connected sites whose wave started (ties in the plan's order)."""
    chosen = [roster.get(f.id, f) for f in attention[:shown]]
    if len(chosen) >= shown:
        return chosen
    taken = {f.id for f in chosen}
    started = [
        (index, f)
        for index, f in enumerate(roster.values())
        if f.id not in taken and state_of(f) is not SiteState.PLANNED
    ]
    started.sort(key=lambda item: (share(item[1]), item[0]))
    return chosen + [f for _, f in started[: shown - len(chosen)]]


def share(faculty: FacultyView) -> float:
    """Connected over expected; never measured counts as none connected."""
    return (faculty.connected or 0.0) / faculty.expected if faculty.expected else 0.0


def share_series(
    store: Store, exercise: Exercise, sites: Sequence[FacultyView], at: float
) -> dict[str, list[Point]]:
    """Each site's share of its students connected from T+0 to `at`, by site id:
    one downsampled series read per site, none for the sites not drawn."""
    found: dict[str, list[Point]] = {}
    for site in sites:
        points = faculty_sessions(store, exercise, site.id, at)
        found[site.id] = [Point(p.at, p.value / max(1, site.expected)) for p in points]
    return found
