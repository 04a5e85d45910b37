"""The desk pages of the seed drill in a real Chromium (dash_duo): the console, a
server, a faculty, the review and the compare page, as an operator sees them at
1920x1080 and at 3840x2160. Screenshots are kept in artifacts/screens/ for a person
to look at (`<page>.png` and `<page>-4k.png`)."""

from __future__ import annotations

from typing import Any

from PIL import Image

from tests.conftest import SEED_PLAN
from tests.support.waiting import wait_until
from tests.test_control_room import ARTIFACTS, at_wall_size, open_page, text_of
from tests.test_control_room import needs_a_browser as needs_a_browser  # the fixture, shared
from tests.test_control_room import seed as seed  # the fixture, shared
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.dashboard.auth import AuthSettings
from vigie.i18n import exercise_clock
from vigie.plan import load_plan
from vigie.review.timeline import LimitBreached, build_timeline
from vigie.store import Store

Seed = tuple[Store, int, float]
WALL_4K = {"width": 3840, "height": 2160, "deviceScaleFactor": 1, "mobile": False}


def serve_seed(dash_duo: Any, seed: Seed, path: str) -> None:
    """The seed exercise (over) served with its clock past the stop, opened at `path`."""
    store, exercise_id, t0 = seed
    dash_duo.start_server(create_app(store, VirtualClock(t0 + 38 * 60), exercise_id))
    open_page(dash_duo, path)


CHART_WIDTH = """const chart = document.querySelector('.js-plotly-plot .main-svg');
return chart ? chart.clientWidth : 0;"""


CHARTS = """return [...document.querySelectorAll('.js-plotly-plot')].map(e => {
  const r = e.getBoundingClientRect();
  return [r.left, r.top, r.right, r.bottom].map(Math.round);
}).filter(([l, t, r, b]) => r > l && b > t && t < window.innerHeight);"""


def shoot_both(dash_duo: Any, name: str) -> None:
    """`name`.png at 1920x1080, then `name`-4k.png at 3840x2160 once the charts are
    redrawn at that size; no chart on either may be Plotly's white canvas."""
    driver = dash_duo.driver
    _save(driver, f"{name}.png", 1920)
    before = driver.execute_script(CHART_WIDTH)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", WALL_4K)
    driver.execute_script("window.dispatchEvent(new Event('resize'));")
    wait_until(lambda: not before or driver.execute_script(CHART_WIDTH) != before, 10)
    _save(driver, f"{name}-4k.png", 3840)
    assert dash_duo.get_logs() == []


def _save(driver: Any, name: str, width: int) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / name
    driver.save_screenshot(str(out))
    with Image.open(out) as image:
        assert image.size == (width, width * 9 // 16)
        assert len(image.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 50
        for left, top, right, bottom in driver.execute_script(CHARTS):
            chart = image.convert("L").crop((left, top, right, min(bottom, image.size[1])))
            white = sum(chart.histogram()[241:])
            assert white < chart.size[0] * chart.size[1] * 0.02, f"{name}: a white chart"


def box(dash_duo: Any, selector: str) -> dict[str, float]:
    found: dict[str, float] = dash_duo.driver.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return {top: r.top, bottom: r.bottom, left: r.left, right: r.right};",
        selector,
    )
    return found


def test_console_decision_form_is_right_under_the_gate_and_above_the_fold(
    dash_duo: Any, seed: Seed
) -> None:
    serve_seed(dash_duo, seed, "/?at=1500&lang=fr")  # T+25:00, wave 4 held
    dash_duo.wait_for_element("#console-connections .main-svg")
    dash_duo.wait_for_contains_text("#console-gate", "NE PAS LANCER")
    gate, record = box(dash_duo, "#console-gate"), box(dash_duo, "#console-decision-add")
    assert gate["bottom"] <= record["top"] and record["bottom"] <= 1080  # no scrolling
    assert box(dash_duo, "#console-decision-choice")["bottom"] <= 1080
    legend = text_of(dash_duo, "#console-connections")
    assert "web-1 = web-2 = web-3 = web-4" in legend  # one line, named for all four
    assert "T+10:00" in legend and "2022" not in legend  # the exercise clock, not dates
    shoot_both(dash_duo, "console")


def test_review_opens_on_the_breach_and_the_address_says_so(dash_duo: Any, seed: Seed) -> None:
    store, exercise_id, _ = seed
    facts = build_timeline(store, exercise_id, load_plan(SEED_PLAN)).facts
    breach = round(min(f.at_s for f in facts if isinstance(f, LimitBreached)))
    serve_seed(dash_duo, seed, f"/review?exercise={exercise_id}")
    dash_duo.wait_for_text_to_equal("#review-clock", f"T+{exercise_clock(breach)}")
    wait_until(lambda: f"at={breach}" in dash_duo.driver.current_url, 10)
    assert "Pas encore de données" not in text_of(dash_duo, "#review-wall")
    share = dash_duo.find_element("#review-share").get_attribute("href")
    assert share.endswith(f"/review?exercise={exercise_id}&at={breach}")
    dash_duo.wait_for_element("#review-timeline .main-svg")
    assert "T+20:00" in text_of(dash_duo, "#review-timeline")
    shoot_both(dash_duo, "review")


def test_compare_with_one_run_says_so_on_a_dark_page(dash_duo: Any, seed: Seed) -> None:
    serve_seed(dash_duo, seed, "/compare?lang=en")
    dash_duo.wait_for_contains_text("#compare-message", "Only one run in the store")
    dash_duo.wait_for_element("#compare-chart .main-svg")
    choice = dash_duo.driver.execute_script(
        "const e = document.querySelector('#compare-b');"
        "return [e.scrollWidth, e.clientWidth, e.innerText];"
    )
    assert choice[0] <= choice[1] and "drill · 2022-01-21" in choice[2]  # nothing cut off
    shoot_both(dash_duo, "compare")


def test_server_page_charts_refusals_and_says_its_role_in_french(dash_duo: Any, seed: Seed) -> None:
    serve_seed(dash_duo, seed, "/server/waf-1?at=1620&lang=fr")  # T+27:00, throttling
    dash_duo.wait_for_contains_text(".vigie-page-title", "waf-1 · passerelle")
    dash_duo.wait_for_element("#server-refusals .main-svg")
    refusals = text_of(dash_duo, "#server-refusals")
    assert "Connexions refusées et coupées en 30 s" in refusals
    assert "refusées" in refusals and "coupées" in refusals and "T+25:00" in refusals
    traces = dash_duo.driver.execute_script(
        "return document.querySelector('#server-refusals .js-plotly-plot').data"
        ".map(d => Math.max(...d.y));"
    )
    assert max(traces) > 0  # waf-1 refuses after the breach
    shoot_both(dash_duo, "server")


BIGGEST_TEXT = """let best = [0, ''];
for (const e of document.querySelectorAll('body *')) {
  const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  const size = parseFloat(getComputedStyle(e).fontSize);
  if (own && size > best[0]) { best = [size, e.id]; }
}
return best;"""


def test_faculty_page_shows_its_own_count_as_its_biggest_figure(dash_duo: Any, seed: Seed) -> None:
    serve_seed(dash_duo, seed, "/faculty/paris-cite?at=1500&lang=fr")
    dash_duo.wait_for_text_to_equal("#faculty-active", "626")
    assert "NOS ÉTUDIANTS CONNECTÉS" in text_of(dash_duo, ".vigie-faculty-count")
    size, owner = dash_duo.driver.execute_script(BIGGEST_TEXT)
    assert owner == "faculty-active" and size >= 120
    dash_duo.wait_for_element("#faculty-chart .main-svg")
    assert "T+10:00" in text_of(dash_duo, "#faculty-chart")
    shoot_both(dash_duo, "faculty")


def test_login_page_in_french_at_both_sizes(dash_duo: Any, seed: Seed) -> None:
    store, exercise_id, t0 = seed
    accounts = AuthSettings(open_demo=False, secret_key="screens")
    app = create_app(store, VirtualClock(t0), exercise_id, auth=accounts)
    dash_duo.start_server(app, navigate=False)  # its home page asks to log in
    at_wall_size(dash_duo.driver)
    dash_duo.driver.get(f"{dash_duo.server.url}/login?lang=fr")
    assert "Connectez-vous à la salle de contrôle" in text_of(dash_duo, "main")
    assert dash_duo.find_element("button").text == "Se connecter"
    shoot_both(dash_duo, "login")
