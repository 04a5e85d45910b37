"""The wall at 35, 1,000 and 3,000 sites: past a grid's size it lists the sites
needing a person, worst first, counts the rest and sums the regions; every number
fits its box. Through the wall's callback over HTTP, and in a real Chromium at
1920x1080 and 3840x2160 (screenshots kept in artifacts/screens/, `wall-<n>-sites-*`).

The stores are made once per module (tests/support/scale_store.py, polled every
30 s to halve their making; the outcome on paper is the same)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import require
from tests.support.chromium import chromium_binary
from tests.support.dash_client import (
    by_id,
    call,
    faculty_request,
    review_scrub_request,
    texts,
    wall_request,
)
from tests.support.scale_store import scaled_exercise
from tests.support.waiting import wait_until
from tests.test_control_room import ARTIFACTS, open_page
from tests.test_pages_screens import WALL_4K
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.plan import Plan
from vigie.plan.scaled import scaled_plan
from vigie.store import Store, sqlite_url

POLL_S = 30.0
BREACH_S = 1530.0  # T+25:30: the first poll at which waf-1 is at its limit (capacity 1.0)
LAGGED_S = 1800.0  # T+30: wave 4 (launched T+24) is past the lag rule's 5 minutes
WALL_KIB = 64  # the bound on the wall's answer at 3,000 sites


@dataclass(frozen=True)
class Scaled:
    store: Store
    exercise_id: int
    t0: float
    at: float
    lagging: tuple[str, ...]
    stale: tuple[str, ...]

    def client(self) -> FlaskClient:
        app = create_app(self.store, VirtualClock(self.at), self.exercise_id)
        client: FlaskClient = app.server.test_client()
        return client


def wave_4_picks(plan: Plan) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Five wave-4 sites that lag and two that go stale (wave 4 is the one that breaks)."""
    ids = [f.id for f in plan.faculties_in_wave(4)]
    return tuple(ids[1:6]), (ids[7], ids[9])


def many_stale(plan: Plan) -> tuple[str, ...]:
    """Twelve wave-4 sites and two of wave 1 stale: more than the wall's rows, and the
    wave-4 ones (nothing measured since their wave began) are the worst."""
    wave_4 = [f.id for f in plan.faculties_in_wave(4)][:12]
    return tuple(wave_4 + [f.id for f in plan.faculties_in_wave(1)][:2])


def make(
    tmp: pytest.TempPathFactory,
    seed_plan: Plan,
    sites: int,
    at_s: float,
    capacity: float,
    many: bool = False,
) -> Iterator[Scaled]:
    store = Store.open(sqlite_url(tmp.mktemp(f"scale{sites}") / "vigie.db"))
    plan = scaled_plan(seed_plan, sites)
    lagging, stale = wave_4_picks(plan)
    if many:
        lagging, stale = (), many_stale(plan)
    made = scaled_exercise(store, seed_plan, sites, at_s, POLL_S, lagging, stale, capacity=capacity)
    yield Scaled(store, made.exercise_id, made.t0, made.at, lagging, stale)
    store.close()


@pytest.fixture(scope="module")
def thousand_lagging(tmp_path_factory: pytest.TempPathFactory, seed_plan: Plan) -> Iterator[Scaled]:
    """1,000 sites at T+30, the platform holding (capacity 1.5): 5 lag, 2 are stale."""
    yield from make(tmp_path_factory, seed_plan, 1000, LAGGED_S, 1.5)


@pytest.fixture(scope="module")
def breach_35(tmp_path_factory: pytest.TempPathFactory, seed_plan: Plan) -> Iterator[Scaled]:
    yield from make(tmp_path_factory, seed_plan, 35, BREACH_S, 1.0)


@pytest.fixture(scope="module")
def breach_1000(tmp_path_factory: pytest.TempPathFactory, seed_plan: Plan) -> Iterator[Scaled]:
    """1,000 sites at the breach, 14 of them stale: more than the wall's rows."""
    yield from make(tmp_path_factory, seed_plan, 1000, BREACH_S, 1.0, many=True)


@pytest.fixture(scope="module")
def breach_3000(tmp_path_factory: pytest.TempPathFactory, seed_plan: Plan) -> Iterator[Scaled]:
    yield from make(tmp_path_factory, seed_plan, 3000, BREACH_S, 1.0)


def attention_ids(component: Any, prefix: str = "wall") -> list[str]:
    """The site ids of the attention list's rows, in the order shown."""
    panel = by_id(component, f"{prefix}-attention")
    assert panel is not None, "no attention list"
    rows = panel["props"]["children"][1]["props"]["children"]
    marker = f"{prefix}-attention-"
    return [
        r["props"]["id"][len(marker) :]
        for r in rows
        if str(r["props"].get("id", "")).startswith(marker) and r["props"]["id"] != marker + "more"
    ]


def test_a_thousand_sites_list_the_stale_then_the_lagging_and_count_993_on_track(
    thousand_lagging: Scaled,
) -> None:
    answer = call(thousand_lagging.client(), wall_request(language="en"))
    screen = answer["wall-screen"]["children"]
    shown = attention_ids(screen)
    stale, lagging = thousand_lagging.stale, thousand_lagging.lagging
    assert shown == [*stale, *lagging]  # blind first; ties in the plan's order
    words = texts(screen)
    assert "993 sites on track" in words
    assert by_id(screen, "wall-faculties") is None  # no grid of 1,000 tiles
    assert "7 need attention" in words  # on wave 4's row, where they all are
    assert "Île-de-France" in texts(by_id(screen, "wall-groups"))
    french = call(thousand_lagging.client(), wall_request(language="fr"))
    assert "993 sites dans les temps" in texts(french["wall-screen"]["children"])


def test_two_quiet_sites_of_a_thousand_do_not_turn_the_whole_wall_stale(
    thousand_lagging: Scaled,
) -> None:
    """They are named, blind, on the attention list; the national total stays live."""
    answer = call(thousand_lagging.client(), wall_request(language="en"))
    words = texts(answer["wall-screen"]["children"])
    assert "LIVE" in words
    assert not any(w.startswith("STALE") for w in words)


def test_the_review_shows_the_large_wall_of_its_instant(thousand_lagging: Scaled) -> None:
    answer = call(thousand_lagging.client(), review_scrub_request(LAGGED_S, "?lang=en"))
    wall = answer["review-wall"]["children"]
    assert attention_ids(wall, "review")[:2] == list(thousand_lagging.stale)
    assert "993 sites on track" in texts(wall)


def test_the_faculty_page_of_one_site_among_3000_reads_its_own_view(breach_3000: Scaled) -> None:
    client = breach_3000.client()
    stale = call(client, faculty_request(breach_3000.stale[0]))
    body = stale["faculty-body"]["children"]
    assert by_id(body, f"faculty-faculty-{breach_3000.stale[0]}")["props"]["className"].endswith(
        "is-blind"
    )
    copy = call(client, faculty_request("lille-3"))  # a generated copy of Lille
    assert by_id(copy["faculty-body"]["children"], "faculty-active") is not None
    unknown = call(client, faculty_request("nowhere-9999"))
    assert "nowhere-9999" in " ".join(texts(unknown["faculty-body"]["children"]))


def test_the_wall_answer_stays_small_at_3000_sites(breach_3000: Scaled) -> None:
    request = wall_request(language="en")
    response = breach_3000.client().post("/_dash-update-component", json=request)
    assert response.status_code == 200
    assert len(response.get_data()) <= WALL_KIB * 1024
    screen = json.loads(response.get_data())["response"]["wall-screen"]["children"]
    assert attention_ids(screen)[:2] == list(breach_3000.stale)
    assert "2,998 sites on track" in texts(screen)


# ---- in a real Chromium ----

FITS = """const bad = [];
const numbers = [...document.querySelectorAll('.vigie-wall-screen .vigie-fit')];
for (const e of numbers) {
  const r = e.getBoundingClientRect();
  const box = e.closest('section, .vigie-wall-screen').getBoundingClientRect();
  const inside = r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1
    && r.bottom <= box.bottom + 1 && r.bottom <= innerHeight && r.right <= innerWidth;
  if (e.scrollWidth > e.clientWidth || !inside || !e.textContent.trim()) {
    bad.push([e.id || e.className, e.textContent, e.scrollWidth, e.clientWidth]);
  }
}
return [numbers.length, bad];"""

ON_SCREEN = """const marker = arguments[0];
return [...document.querySelectorAll(arguments[1])].filter(e => {
  const r = e.getBoundingClientRect();
  const box = e.closest('section').getBoundingClientRect();
  return r.height > 0 && r.top >= box.top && r.bottom <= box.bottom && r.bottom <= innerHeight;
}).map(e => e.id.slice(marker.length));"""


def numbers_fit(driver: Any) -> bool:
    count, bad = driver.execute_script(FITS)
    return bool(count > 10 and not bad)


def shown_worst_first(driver: Any, large: bool) -> list[str]:
    if large:
        return list(driver.execute_script(ON_SCREEN, "wall-attention-", ".vigie-attention-row"))
    return list(driver.execute_script(ON_SCREEN, "wall-faculty-", ".vigie-faculty"))


def at_both_sizes(dash_duo: Any, scaled: Scaled, name: str, expected: list[str]) -> None:
    """The wall at 1920x1080 then 3840x2160: every number fits its box, the sites
    needing a person are on screen first, and a screenshot of each is kept."""
    require(chromium_binary() is not None, "Chromium is not installed (apt-get install chromium)")
    large = name != "wall-35-sites-T+25m30s"
    dash_duo.start_server(create_app(scaled.store, VirtualClock(scaled.at), scaled.exercise_id))
    open_page(dash_duo, "/wall")
    dash_duo.wait_for_element("#wall-gate")
    driver = dash_duo.driver
    for suffix, size in (("", None), ("-4k", WALL_4K)):
        if size is not None:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", size)
            driver.execute_script("window.dispatchEvent(new Event('resize'));")
        wait_until(lambda: numbers_fit(driver), 10)
        assert shown_worst_first(driver, large)[: len(expected)] == expected
        width, height = (3840, 2160) if size else (1920, 1080)
        overflow = driver.execute_script(
            "return [document.documentElement.scrollHeight, document.documentElement.scrollWidth];"
        )
        assert overflow[0] <= height and overflow[1] <= width, overflow
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / f"{name}{suffix}.png"))
    assert dash_duo.get_logs() == []


def test_in_chromium_35_sites_keep_the_grid_stale_tiles_first(
    dash_duo: Any, breach_35: Scaled
) -> None:
    at_both_sizes(dash_duo, breach_35, "wall-35-sites-T+25m30s", list(breach_35.stale))
    assert dash_duo.find_element("#wall-faculties")


def test_in_chromium_1000_sites_at_the_breach_show_what_fits_and_count_the_rest(
    dash_duo: Any, breach_1000: Scaled
) -> None:
    stale = list(breach_1000.stale)  # worst first already: wave 4's, then wave 1's
    at_both_sizes(dash_duo, breach_1000, "wall-1000-sites-T+25m30s", stale[:8])
    shown = shown_worst_first(dash_duo.driver, True)
    more = dash_duo.driver.execute_script(
        "return document.querySelector('#wall-attention-more').textContent;"
    )
    assert (
        shown == stale[: len(shown)]
        and more == f"+{14 - len(shown)} autres demandent de l'attention"
    )


def test_in_chromium_3000_sites_at_the_breach(dash_duo: Any, breach_3000: Scaled) -> None:
    at_both_sizes(dash_duo, breach_3000, "wall-3000-sites-T+25m30s", list(breach_3000.stale))
    on_track = dash_duo.driver.execute_script(
        "return document.querySelector('#wall-on-track').textContent;"
    )  # read in one go: the element is redrawn every second
    assert on_track == "2\u202f998 sites dans les temps"


def test_in_chromium_1000_sites_lagging_and_stale_on_screen(
    dash_duo: Any, thousand_lagging: Scaled
) -> None:
    shown = [*thousand_lagging.stale, *thousand_lagging.lagging]
    at_both_sizes(dash_duo, thousand_lagging, "wall-1000-sites-T+30m00s-lagging", shown[:2])
    on_screen = shown_worst_first(dash_duo.driver, True)
    assert sorted(on_screen) == sorted(shown)
