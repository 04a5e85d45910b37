"""Which sites need a person, worst first, on rosters whose answer is known by construction."""

from __future__ import annotations

import random

import pytest

from vigie.tick import FacultyView, WaveState, WaveView
from vigie.tick.attention import (
    SiteState,
    attention,
    groups,
    site_state,
    state_counts,
)

AT = 1_000.0
STALE_AFTER = 2.0


def wave(number: int, state: WaveState = WaveState.CONNECTING) -> WaveView:
    return WaveView(number=number, start_s=0, expected=0, connected=0, state=state)


def site(k: int, **changes: object) -> FacultyView:
    values: dict[str, object] = {
        "id": f"site-{k}",
        "name": f"Site {k}",
        "wave": 1,
        "expected": 100,
        "connected": 90.0,
        "measured_at": AT,
        "lagging": False,
        "region": f"region-{k % 7}",
    }
    return FacultyView.model_validate(values | changes)


def judged(views: list[FacultyView]) -> list[tuple[FacultyView, SiteState]]:
    return [(v, site_state(v, wave(v.wave), AT, STALE_AFTER)) for v in views]


@pytest.mark.parametrize("seed", range(5))
def test_every_troubled_site_is_named_worst_first_and_the_rest_counted(seed: int) -> None:
    rng = random.Random(seed)
    views = [site(k) for k in range(3_000)]
    troubled = rng.sample(range(3_000), 12)
    stale, losing_, lagging = troubled[:2], troubled[2:6], troubled[6:]
    for k in stale:
        views[k] = site(k, measured_at=AT - 30)
    for i, k in enumerate(losing_):
        views[k] = site(k, lost=10 + i)
    for k in lagging:
        views[k] = site(k, lagging=True, connected=float(rng.randint(5, 60)))
    states = judged(views)

    named = attention(states)

    ids = [f.id for f in named]
    assert set(ids) == {f"site-{k}" for k in troubled}
    assert set(ids[:2]) == {f"site-{k}" for k in stale}  # blind first
    assert ids[2:6] == [f"site-{k}" for k in reversed(losing_)]  # most lost first
    shares = [f.connected or 0.0 for f in named[6:]]
    assert shares == sorted(shares)  # least connected first
    counts = state_counts(s for _, s in states)
    assert (counts["blind"], counts["losing"], counts["lagging"]) == (2, 4, 6)
    assert counts["connecting"] == 3_000 - 12


def test_the_list_is_cut_but_every_site_is_counted() -> None:
    states = judged([site(k, lagging=True) for k in range(100)])
    assert len(attention(states, shown=10)) == 10
    assert sum(1 for _, s in states if s.needs_attention) == 100


def test_a_site_before_its_wave_is_planned_not_blind() -> None:
    never_measured = site(1, measured_at=None, connected=None, wave=2)
    assert site_state(never_measured, wave(2, WaveState.PLANNED), AT, STALE_AFTER) is (
        SiteState.PLANNED
    )
    assert site_state(never_measured, wave(2), AT, STALE_AFTER) is SiteState.BLIND
    assert site_state(never_measured, wave(2), AT, STALE_AFTER, stopped=True) is (SiteState.STOPPED)


def test_groups_sum_their_sites() -> None:
    views = [site(k, region=None if k == 0 else "Bretagne", lost=1) for k in range(5)]
    views[3] = site(3, region="Bretagne", measured_at=AT - 60)
    summed = {g.name: g for g in groups(judged(views), "region")}
    assert set(summed) == {"region", "Bretagne"}
    bretagne = summed["Bretagne"]
    assert (bretagne.sites, bretagne.expected, bretagne.connected) == (4, 400, 360)
    assert (bretagne.attention, bretagne.blind, bretagne.lost) == (1, 1, 3)
