"""What state a site is in, and which sites need a person: worst first.

One judgement for the tick builder (which ranks every site once per poll) and
for the screens (which say each shown site's state at their own instant, so a
site whose numbers aged since the tick turns blind on screen).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Protocol, TypeVar

from vigie.tick.state import GroupView, WaveState, WaveView

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


class SiteNumbers(Protocol):
    """What the judgement reads of a site: a FacultyView, or the builder's own row."""

    @property
    def expected(self) -> int: ...
    @property
    def connected(self) -> float | None: ...
    @property
    def measured_at(self) -> float | None: ...
    @property
    def lagging(self) -> bool: ...
    @property
    def lost(self) -> int: ...
    @property
    def region(self) -> str | None: ...


S = TypeVar("S", bound=SiteNumbers)


def losing(lost: int, expected: int) -> bool:
    return lost >= max(LOSS_MIN, LOSS_SHARE * expected)


def site_state(
    faculty: SiteNumbers,
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


def worst_first(states: Sequence[tuple[S, SiteState]]) -> list[tuple[S, SiteState]]:
    """Blind, then losing (most lost first), then lagging (least connected first);
    ties in the plan's order, so the list does not shuffle between ticks."""

    def key(item: tuple[int, tuple[S, SiteState]]) -> tuple[int, float, int]:
        index, (faculty, state) = item
        if state is SiteState.LOSING:
            within = -faculty.lost / max(1, faculty.expected)
        else:
            within = _share(faculty)
        return state.rank, within, index

    return [item for _, item in sorted(enumerate(states), key=key)]


def attention(states: Sequence[tuple[S, SiteState]], shown: int = ATTENTION_SHOWN) -> tuple[S, ...]:
    """The sites needing a person, worst first, at most `shown`."""
    needing = [item for item in states if item[1].needs_attention]
    return tuple(faculty for faculty, _ in worst_first(needing)[:shown])


def state_counts(states: Iterable[SiteState]) -> dict[str, int]:
    """Sites per state, every state present (0 when none)."""
    counted = Counter(states)
    return {state.value: counted.get(state, 0) for state in SiteState}


def groups(states: Iterable[tuple[SiteNumbers, SiteState]], fallback: str) -> tuple[GroupView, ...]:
    """Per region (or the plan's grouping), in the order they first appear; sites
    without one are summed under `fallback`. One pass: it runs every poll."""
    sums: dict[str, list[float]] = {}  # sites, expected, connected, attention, blind, lost
    for site, state in states:
        row = sums.get(site.region or fallback)
        if row is None:
            row = sums[site.region or fallback] = [0, 0, 0.0, 0, 0, 0]
        row[0] += 1
        row[1] += site.expected
        row[2] += site.connected or 0.0
        row[3] += state in NEEDS_ATTENTION
        row[4] += state is SiteState.BLIND
        row[5] += site.lost
    return tuple(
        GroupView(
            name=name,
            sites=int(row[0]),
            expected=int(row[1]),
            connected=round(row[2]),
            attention=int(row[3]),
            blind=int(row[4]),
            lost=int(row[5]),
        )
        for name, row in sums.items()
    )


def _share(faculty: SiteNumbers) -> float:
    if faculty.connected is None or not faculty.expected:
        return 0.0
    return faculty.connected / faculty.expected
