"""The console at 35, 1,000 and 3,000 sites: what an operator acts on first, the worst
sites and a heat strip of all of them, a roster that finds any one site, and one
build per second whatever the number of viewers. Over HTTP as the browser calls it,
then in a real Chromium at 1920x1080 and 3840x2160 (screens kept in artifacts/screens/).

The 1,000-site store's platform holds (capacity 1.5): its 5 lagging sites (wave 3)
are judged lagging. The 35- and 3,000-site screens have the seed's capacity (1.0):
at T+25 wave 4 is a minute in, its 5 lagging sites not yet told from the others;
the 2 stale ones are blind.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.dash_client import by_id, call, console_found_request, console_request, texts
from tests.support.scale_store import ScaledExercise, scaled_exercise
from tests.support.waiting import wait_until
from tests.test_control_room import (
    ARTIFACTS,
    at_wall_size,
    click,
    needs_a_browser,
    open_page,
    text_of,
)
from tests.test_pages_screens import box, shoot_both
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.dashboard.pages import console
from vigie.plan import Plan
from vigie.plan.scaled import scaled_plan
from vigie.store import Store, sqlite_url

AT_S = 1500.0  # T+25:00
EN = "?lang=en"  # the seed plan speaks French
Scaled = tuple[Store, ScaledExercise, list[str], list[str]]  # store, exercise, lagging, stale


def scaled(
    tmp: Path, base: Plan, sites: int, capacity: float, lag_wave: int, poll_s: float = 15.0
) -> Scaled:
    plan = scaled_plan(base, sites)
    lagging = [f.id for f in plan.faculties if f.wave == lag_wave][:5]
    stale = [f.id for f in plan.faculties if f.wave == 4][-2:]
    store = Store.open(sqlite_url(tmp / "scale.db"))
    made = scaled_exercise(
        store, base, sites, AT_S, poll_s, lagging=lagging, stale=stale, capacity=capacity
    )
    return store, made, lagging, stale


@pytest.fixture(scope="module")
def thousand(tmp_path_factory: pytest.TempPathFactory, seed_plan: Plan) -> Iterator[Scaled]:
    """1,000 sites at T+25:00; 5 of wave 3 lag, 2 of wave 4 went stale; the platform holds."""
    made = scaled(tmp_path_factory.mktemp("thousand"), seed_plan, 1000, 1.5, lag_wave=3)
    yield made
    made[0].close()


def client_for(made: Scaled) -> Any:
    store, exercise, _, _ = made
    return create_app(
        store, VirtualClock(exercise.at + 0.5), exercise.exercise_id
    ).server.test_client()


def test_the_attention_list_names_the_stale_then_the_lagging_sites(thousand: Scaled) -> None:
    _, exercise, lagging, stale = thousand
    response = call(client_for(thousand), console_request("?lang=en"))
    panel = response["console-attention"]["children"]
    names = {exercise.plan.faculty(f).name for f in [*lagging, *stale]}
    shown = [t for t in texts(panel) if t in names]
    assert set(shown) == names
    assert {exercise.plan.faculty(f).name for f in stale} == set(shown[:2])  # blind first
    assert "993 sites on track" in texts(panel)


def test_the_worst_sites_chart_draws_those_sites_and_no_other_series(thousand: Scaled) -> None:
    _, exercise, lagging, stale = thousand
    response = call(client_for(thousand), console_request("?lang=en", view="faculties"))
    figure = response["console-sessions"]["figure"]
    lines = [trace for trace in figure["data"] if trace.get("mode") == "lines"]
    labels = {
        exercise.plan.faculty(f).short_name or exercise.plan.faculty(f).name
        for f in [*lagging, *stale]
    }
    assert len(lines) == 8 and labels <= {line["name"] for line in lines}
    lagging_line = next(
        line for line in lines if line["name"] == exercise.plan.faculty(lagging[0]).short_name
    )
    assert max(lagging_line["y"]) == pytest.approx(0.4, abs=0.01)  # a share, as drawn
    assert "8 worst of 1,000 sites" in figure["layout"]["title"]["text"]


def test_the_heat_strip_counts_every_site_and_puts_the_stale_ones_apart(
    thousand: Scaled,
) -> None:
    response = call(client_for(thousand), console_request("?lang=en"))
    strip = response["console-distribution"]["figure"]["data"][0]
    counts = strip["customdata"]
    assert sum(map(sum, counts)) == 1000
    assert counts[3][0] == 2  # wave 4: the two stale sites have no fresh data
    assert counts[2][5] == 5  # wave 3: the five lagging sites at 40 %


def test_the_roster_below_is_the_sums_per_region_not_a_thousand_tiles(thousand: Scaled) -> None:
    response = call(client_for(thousand), console_request("?lang=en"))
    below = response["console-more"]["children"]
    assert by_id(below, "console-groups") is not None
    assert by_id(below, "console-faculties") is None
    assert len(response["console-more"]["children"].__repr__()) < 20_000


def test_a_search_finds_a_site_by_name_and_stops_at_fifty(thousand: Scaled) -> None:
    _, exercise, lagging, _ = thousand
    client = client_for(thousand)
    wanted = exercise.plan.faculty(lagging[0]).name
    found = texts(
        call(client, console_found_request(wanted.upper(), EN))["console-found"]["children"]
    )
    assert wanted in found and "LAGGING" in found  # the wall's word for the state
    broad = call(client, console_found_request("universit", EN))["console-found"]["children"]
    rows = by_id(broad, "console-found") or broad[0]
    assert len(rows["props"]["children"]) == 50
    assert any(t.endswith("type more to narrow") for t in texts(broad))


def test_a_search_is_shown_as_text_never_as_markup(thousand: Scaled) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    said = call(client_for(thousand), console_found_request(hostile, EN))["console-found"][
        "children"
    ]
    assert texts(said) == [f"No site matches {hostile}"]  # a string child: React escapes it
    odd = call(client_for(thousand), console_found_request({"not": "text"}, EN))
    assert texts(odd["console-found"]["children"]) == ["A search is text."]


def test_viewers_of_the_same_second_share_one_console(
    thousand: Scaled, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    original = console._console

    def counting(*args: Any) -> Any:
        built.append(1)
        return original(*args)

    monkeypatch.setattr(console, "_console", counting)
    client = client_for(thousand)
    first = call(client, console_request("?lang=en"))
    for _ in range(9):
        assert call(client, console_request("?lang=en")) == first
    assert built == [1]


# ---- in a real Chromium -------------------------------------------------------------

CHARTS_THEN_ROSTER = """const top = s => document.querySelector(s).getBoundingClientRect().top;
return [top('#console-charts'), top('#console-more'), window.innerHeight];"""


def serve(dash_duo: Any, made: Scaled) -> None:
    store, exercise, _, _ = made
    dash_duo.start_server(create_app(store, VirtualClock(exercise.at + 0.5), exercise.exercise_id))
    open_page(dash_duo, "/")
    dash_duo.wait_for_element("#console-distribution .main-svg", timeout=30)
    dash_duo.wait_for_element("#console-sessions .main-svg", timeout=30)


@pytest.mark.usefixtures(needs_a_browser.__name__)
def test_at_1000_sites_the_charts_start_on_the_first_screen_above_the_roster(
    dash_duo: Any, thousand: Scaled
) -> None:
    serve(dash_duo, thousand)
    dash_duo.wait_for_contains_text("#console-attention", "993 sites dans les temps")  # in French
    charts, roster, height = dash_duo.driver.execute_script(CHARTS_THEN_ROSTER)
    assert charts < height == 1080 and charts < roster
    assert box(dash_duo, "#console-decision-add")["bottom"] <= 1080
    assert "SITES PAR RÉGION" in text_of(dash_duo, "#console-more")
    shoot_both(dash_duo, "console-1000-sites-T+25m00s")
    # The charts themselves, per site, for a person to look at: the worst sites, the strip.
    at_wall_size(dash_duo.driver)
    click(dash_duo, "#console-view input[value='faculties']")
    title = "return document.querySelector('#console-sessions').textContent;"
    wait_until(lambda: "8 pires sur 1" in dash_duo.driver.execute_script(title), timeout=20)
    dash_duo.driver.execute_script("document.querySelector('#console-charts').scrollIntoView();")
    dash_duo.driver.save_screenshot(str(ARTIFACTS / "console-1000-sites-T+25m00s-charts.png"))


@pytest.mark.usefixtures(needs_a_browser.__name__)
@pytest.mark.parametrize("sites", [35, 3000])
def test_the_console_at_t_plus_25_in_chromium_names_its_stale_sites(
    dash_duo: Any, tmp_path: Path, seed_plan: Plan, sites: int
) -> None:
    made = scaled(tmp_path, seed_plan, sites, 1.0, lag_wave=4, poll_s=15.0 if sites < 100 else 30.0)
    try:
        serve(dash_duo, made)
        # The wrapper, not the panel: Dash 4 remounts a callback's children each refresh.
        dash_duo.wait_for_contains_text("#console-attention", "AVEUGLE")
        charts, roster, _ = dash_duo.driver.execute_script(CHARTS_THEN_ROSTER)
        assert charts < roster
        shoot_both(dash_duo, f"console-{sites}-sites-T+25m00s")
    finally:
        made[0].close()
