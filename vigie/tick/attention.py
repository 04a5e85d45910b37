"""What state a site is in, and which sites need a person: worst first.

One judgement for the tick builder (which ranks every site once per poll) and
for the screens (which say each shown site's state at their own instant, so a
site whose numbers aged since the tick turns blind on screen).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from enum import StrEnum

from vigie.tick.state import FacultyView, GroupView, WaveState, WaveView

LOSS_SHARE = 0.02  # a loss worth saying: 2% of the students concerned...
LOSS_MIN = 5  # ...and at least a few students
ATTENTION_SHOWN = 40  # the sites a tick names, worst first; the rest are counted


class SiteState(StrEnum):
    """In the order a screen shows sites: what needs a person first."""

    BLIND = "blind"  # no fresh value since its wave began: stale, or never measured
    LOSING = "losing"  # lost students in the last few minutes
    LAGGING = "lagging"  # the faculty-lag rule says it is behind its wave
    CONNECTING = "connecting"
    OK = "ok"
    PLANNED = "planned"
    STOPPED = "stopped"

    @property
    def needs_attention(self) -> bool:
        return self in NEEDS_ATTENTION

    @property
    def rank(self) -> int:
        return ORDER.index(self)


ORDER = tuple(SiteState)
NEEDS_ATTENTION = frozenset({SiteState.BLIND, SiteState.LOSING, SiteState.LAGGING})


def losing(lost: int, expected: int) -> bool:
    return lost >= max(LOSS_MIN, LOSS_SHARE * expected)


def site_state(
    faculty: FacultyView,
    wave: WaveView | None,
    at: float,
    stale_after_s: float,
    stopped: bool = False,
) -> SiteState:
    """`faculty`'s state at `at`; a value older than `stale_after_s` is no value."""
    started = wave is None or wave.state is not WaveState.PLANNED
    if stopped:
        return SiteState.STOPPED
    measured = faculty.measured_at
    if started and (measured is None or at - measured > stale_after_s):
        return SiteState.BLIND
    if started and losing(faculty.lost, faculty.expected):
        return SiteState.LOSING
    if faculty.lagging:
        return SiteState.LAGGING
    if not started:
        return SiteState.PLANNED
    if wave is not None and wave.state is WaveState.CONNECTING:
        return SiteState.CONNECTING
    return SiteState.OK


def worst_first(
    states: Sequence[tuple[FacultyView, SiteState]],
) -> list[tuple[FacultyView, SiteState]]:
    """Blind, then losing (most lost first), then lagging (least connected first);
    ties in the plan's order, so the list does not shuffle between ticks."""

    def key(item: tuple[int, tuple[FacultyView, SiteState]]) -> tuple[int, float, int]:
        index, (faculty, state) = item
        if state is SiteState.LOSING:
            within = -faculty.lost / max(1, faculty.expected)
        else:
            within = _share(faculty)
        return state.rank, within, index

    return [item for _, item in sorted(enumerate(states), key=key)]


def attention(
    states: Sequence[tuple[FacultyView, SiteState]], shown: int = ATTENTION_SHOWN
) -> tuple[FacultyView, ...]:
    """The sites needing a person, worst first, at most `shown`."""
    needing = [item for item in states if item[1].needs_attention]
    return tuple(faculty for faculty, _ in worst_first(needing)[:shown])


def state_counts(states: Iterable[SiteState]) -> dict[str, int]:
    """Sites per state, every state present (0 when none)."""
    counted = Counter(states)
    return {state.value: counted.get(state, 0) for state in SiteState}


def groups(states: Sequence[tuple[FacultyView, SiteState]], fallback: str) -> tuple[GroupView, ...]:
    """Per region (or the plan's grouping), in the order they first appear; sites
    without one are summed under `fallback`."""
    by_name: dict[str, list[tuple[FacultyView, SiteState]]] = {}
    for faculty, state in states:
        by_name.setdefault(faculty.region or fallback, []).append((faculty, state))
    return tuple(_group(name, members) for name, members in by_name.items())


def _group(name: str, members: list[tuple[FacultyView, SiteState]]) -> GroupView:
    return GroupView(
        name=name,
        sites=len(members),
        expected=sum(f.expected for f, _ in members),
        connected=round(sum(f.connected or 0.0 for f, _ in members)),
        attention=sum(1 for _, s in members if s.needs_attention),
        blind=sum(1 for _, s in members if s is SiteState.BLIND),
        lost=sum(f.lost for f, _ in members),
    )


def _share(faculty: FacultyView) -> float:
    if faculty.connected is None or not faculty.expected:
        return 0.0
    return faculty.connected / faculty.expected
