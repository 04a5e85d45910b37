"""The console's heat strip and worst sites as pure logic: every site counted once,
in the right column; the sites needing a person drawn first."""

from __future__ import annotations

from vigie.dashboard.distribution import NO_DATA, STEPS, by_share, column
from vigie.dashboard.worst_sites import worst_sites
from vigie.tick import FacultyView
from vigie.tick.attention import SiteState


def site(ident: str, wave: int, connected: float | None, expected: int = 100) -> FacultyView:
    return FacultyView(
        id=ident,
        name=ident,
        wave=wave,
        expected=expected,
        connected=connected,
        measured_at=None if connected is None else 1.0,
        lagging=False,
    )


def judged(faculty: FacultyView) -> SiteState:
    if faculty.connected is None:
        return SiteState.BLIND
    return SiteState.PLANNED if faculty.wave == 3 else SiteState.OK


def test_a_site_is_counted_by_its_share_in_steps_of_ten_points() -> None:
    assert column(site("a", 1, 0), SiteState.OK) == 1
    assert column(site("a", 1, 9.9), SiteState.OK) == 1
    assert column(site("a", 1, 40), SiteState.OK) == 5
    assert column(site("a", 1, 100), SiteState.OK) == STEPS  # 90 % and over
    assert column(site("a", 1, 130), SiteState.OK) == STEPS  # more than expected
    assert column(site("a", 1, 80), SiteState.BLIND) == NO_DATA  # its number is old


def test_the_strip_counts_every_site_once_per_wave_blind_ones_apart() -> None:
    roster = [site("a", 1, 100), site("b", 1, 45), site("c", 2, None), site("d", 2, 100)]
    roster += [site(f"e{i}", 3, 0) for i in range(3)]
    strip = by_share(roster, judged, [1, 2, 3])
    assert strip.sites == len(roster)
    assert strip.counts[0][STEPS] == 1 and strip.counts[0][5] == 1
    assert strip.counts[1][NO_DATA] == 1 and strip.counts[1][STEPS] == 1
    assert strip.counts[2][1] == 3


def test_worst_sites_are_the_attention_list_then_the_least_connected_started() -> None:
    roster = {f.id: f for f in [site("a", 1, 90), site("b", 1, 20), site("c", 3, 0)]}
    roster |= {"d": site("d", 2, 50), "e": site("e", 2, None)}
    needing = [roster["e"]]
    chosen = worst_sites(needing, roster, judged, shown=3)
    assert [f.id for f in chosen] == ["e", "b", "d"]  # c's wave has not started
    assert [f.id for f in worst_sites(needing, roster, judged, shown=1)] == ["e"]
