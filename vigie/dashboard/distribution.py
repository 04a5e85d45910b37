"""Every site counted by the share of its students connected, per wave: the console's
heat strip. One pass over the tick's roster (decoded once per worker and tick), so
it costs the same whoever looks, and it reads as well at 35 sites as at 3,000."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from vigie.tick import FacultyView
from vigie.tick.attention import SiteState

STEPS = 10  # columns of 10 points of share: 0-10 %, ..., 90 % and over
NO_DATA = 0  # the first column: sites without a fresh value (blind)


@dataclass(frozen=True)
class Strip:
    """Per wave (in `waves` order), the number of sites in each column: NO_DATA,
    then share connected from 0 % in steps of 100/STEPS, the last holding 90 % and over."""

    waves: tuple[int, ...]
    counts: tuple[tuple[int, ...], ...]

    @property
    def sites(self) -> int:
        return sum(sum(row) for row in self.counts)


def column(faculty: FacultyView, state: SiteState) -> int:
    """Where `faculty` is counted: blind sites apart, the others by share connected."""
    if state is SiteState.BLIND:
        return NO_DATA
    share = (faculty.connected or 0.0) / faculty.expected if faculty.expected else 0.0
    return 1 + min(STEPS - 1, max(0, int(share * STEPS)))


def by_share(
    roster: Iterable[FacultyView],
    state_of: Callable[[FacultyView], SiteState],
    waves: Sequence[int],
) -> Strip:
    """`roster` counted per wave and column; `state_of` judges a site at the screen's
    instant (a value that aged since the tick is no value). A site of a wave not in
    `waves` is counted nowhere: there is none in a plan that validated."""
    rows = {wave: [0] * (STEPS + 1) for wave in waves}
    for faculty in roster:
        row = rows.get(faculty.wave)
        if row is not None:
            row[column(faculty, state_of(faculty))] += 1
    return Strip(tuple(waves), tuple(tuple(rows[wave]) for wave in waves))
