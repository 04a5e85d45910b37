"""The control room in a real Chromium (dash_duo): what the wall and the console show,
and how they behave when data goes stale, an operator acts, or the server goes away.

Screenshots of the wall at three instants of the seed exercise are kept in
artifacts/screens/ for a person to look at.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

from tests.conftest import ROOT, SMALL_PLAN, Drilled, require
from tests.support.chromium import chromium_binary
from tests.support.postgres import free_port
from tests.support.process import VigieProcess
from tests.support.waiting import wait_until
from tests.test_dashboard import still_running
from vigie.clock import VirtualClock
from vigie.collectors.cycle import CycleResult
from vigie.dashboard.app import create_app
from vigie.plan import Plan, load_plan
from vigie.run.drill import run_drill
from vigie.series import Sample
from vigie.store import HealthUpdate, Store, sqlite_url
from vigie.tick.recorder import TickRecorder

ARTIFACTS = ROOT / "artifacts" / "screens"
NARROW_SPACE = "\u202f"


@pytest.fixture(autouse=True)
def needs_a_browser() -> None:
    require(chromium_binary() is not None, "Chromium is not installed (apt-get install chromium)")
    require(shutil.which("chromedriver") is not None, "apt-get install chromium-driver")


@pytest.fixture(scope="module")
def seed(seed_module_copy: Drilled) -> Drilled:
    """The seed exercise, over: the session's one drill, in a store of this module's own."""
    return seed_module_copy


@pytest.fixture
def small(drilled: Drilled) -> Drilled:
    """The small drill, over: a copy of the session's one, which the test may write to."""
    return drilled


def at_wall_size(driver: Any) -> None:
    """The page's own viewport at 1920x1080, as on a wall screen (no browser frame)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False},
    )


def open_page(dash_duo: Any, path: str) -> None:
    at_wall_size(dash_duo.driver)
    dash_duo.driver.get(f"{dash_duo.server_url}{path}")


def text_of(dash_duo: Any, selector: str) -> str:
    """The element's text; found again if Dash replaced it between find and read
    (Dash 4.2+ remounts a callback's children at every refresh)."""
    for _ in range(STALE_RETRIES):
        try:
            return str(dash_duo.find_element(selector).text)
        except StaleElementReferenceException:
            continue
    return str(dash_duo.find_element(selector).text)


STALE_RETRIES = 5


def shoot(dash_duo: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / name
    dash_duo.driver.save_screenshot(str(out))
    with Image.open(out) as image:
        assert image.size == (1920, 1080)
        assert len(image.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 50
    return out


def click(dash_duo: Any, selector: str) -> None:
    """Click what the screen's next refresh may redraw: try again on a redrawn element."""

    def clicked() -> bool:
        try:
            dash_duo.find_element(selector).click()
        except StaleElementReferenceException:
            return False
        return True

    wait_until(clicked, timeout=20)


def number(text: str) -> int:
    return int(text.replace(NARROW_SPACE, "").replace(",", ""))


def nothing_cut_off(dash_duo: Any) -> None:
    """The wall never scrolls: everything fits in 1920x1080."""
    overflow = dash_duo.driver.execute_script(
        "return [document.documentElement.scrollHeight, document.documentElement.scrollWidth];"
    )
    assert overflow[0] <= 1080 and overflow[1] <= 1920, overflow


def seed_wall_at(dash_duo: Any, seed: tuple[Store, int, float], seconds: int) -> None:
    """The seed exercise's wall as it was `seconds` after T+0 (the exercise is over)."""
    store, exercise_id, t0 = seed
    dash_duo.start_server(create_app(store, VirtualClock(t0 + 38 * 60), exercise_id))
    open_page(dash_duo, f"/wall?at={seconds}")


def looks_right(dash_duo: Any, screenshot: str) -> None:
    """Fits the screen, is kept for a person to look at, and the browser saw no error."""
    nothing_cut_off(dash_duo)
    shoot(dash_duo, screenshot)
    assert dash_duo.get_logs() == []


def test_wall_before_wave_4_says_hold_with_the_students_that_fit(
    dash_duo: Any, seed: tuple[Store, int, float]
) -> None:
    seed_wall_at(dash_duo, seed, 1200)  # T+20:00: wave 3 is in, wave 4 is 4 minutes away
    dash_duo.wait_for_contains_text("#wall-status", "REJEU")
    gate = text_of(dash_duo, "#wall-gate")
    assert "Vague 4 : 2\u202f650 étudiants" in gate and "NE PAS LANCER" in gate
    fit = re.search(r"([\d\u202f]+) étudiants passent", gate)
    assert fit is not None and 0 < number(fit.group(1)) < 2650
    assert "waf-1 atteindrait" in gate
    assert number(text_of(dash_duo, "#wall-active")) > 7000
    assert "waf-1" in text_of(dash_duo, "#wall-server-waf-1")
    looks_right(dash_duo, "wall-seed-T+20m00s-before-wave-4.png")


def test_wall_after_the_breach_shows_the_throttling_and_the_collapse(
    dash_duo: Any, seed: tuple[Store, int, float]
) -> None:
    seed_wall_at(dash_duo, seed, 1700)  # T+28:20, after the breach at T+24:54
    dash_duo.wait_for_contains_text("#wall-alerts", "refuse des connexions")
    alerts = text_of(dash_duo, "#wall-alerts")
    assert "sa couche de sécurité bride les connexions" in alerts
    assert alerts.index("CRITIQUE") < alerts.index("waf-1 refuse")
    assert number(text_of(dash_duo, "#wall-active")) < 4000  # students thrown out
    looks_right(dash_duo, "wall-seed-T+28m20s-after-the-breach.png")


def test_wall_early_in_the_exercise_says_go(dash_duo: Any, seed: tuple[Store, int, float]) -> None:
    seed_wall_at(dash_duo, seed, 510)  # T+08:30: wave 2 connecting
    dash_duo.wait_for_contains_text("#wall-gate", "LANCER")
    gate = text_of(dash_duo, "#wall-gate")
    # Wave 3 fits, above the critical level: a warning, not a plain green GO.
    assert "Vague 3" in gate and "au-dessus du seuil critique de 90" in gate
    assert "is-go-tight" in dash_duo.find_element("#wall-gate").get_attribute("class")
    looks_right(dash_duo, "wall-seed-T+08m30s-wave-2.png")


def test_console_draws_history_and_has_no_browser_errors(
    dash_duo: Any, seed: tuple[Store, int, float]
) -> None:
    store, exercise_id, t0 = seed
    dash_duo.start_server(create_app(store, VirtualClock(t0 + 38 * 60), exercise_id))
    open_page(dash_duo, "/?at=1500")
    dash_duo.wait_for_element("#console-sessions .main-svg")
    dash_duo.wait_for_element("#console-connections .main-svg")
    assert "waf-1" in text_of(dash_duo, "#console-connections")
    shoot(dash_duo, "console-seed-T+25m00s.png")
    click(dash_duo, "#console-server-waf-1 a")  # drill down to the server
    dash_duo.wait_for_contains_text("#server-server-waf-1", "16\u202f000")
    assert dash_duo.get_logs() == []


def serve_running(
    dash_duo: Any, small: tuple[Store, int, float], plan: Plan
) -> tuple[TickRecorder, VirtualClock]:
    """The small drill served as if still running at T+10:00.5, its collector at hand."""
    store, exercise_id, t0 = small
    recorder = still_running(store, exercise_id, t0, plan)
    recorder.evaluate(t0 + 600.5)
    clock = VirtualClock(t0 + 600.5)
    dash_duo.start_server(create_app(store, clock, exercise_id))
    return recorder, clock


def test_a_stale_source_turns_into_the_blind_banner(
    dash_duo: Any, small: tuple[Store, int, float], small_plan: Plan
) -> None:
    store, exercise_id, t0 = small
    recorder, clock = serve_running(dash_duo, small, small_plan)
    open_page(dash_duo, "/wall")
    dash_duo.wait_for_text_to_equal("#wall-status", "LIVE")
    for second in (601, 602, 603):  # the platform stops answering
        down = CycleResult(
            [Sample("source_up", (("source", "platform"),), t0 + second, 0.0)],
            [HealthUpdate("platform", t0 + second, False, 2.0, "cannot connect")],
        )
        store.write_cycle(exercise_id, down.samples, down.health)
        recorder.after_cycle(t0 + second, down)
        clock.advance(1.0)
    dash_duo.wait_for_contains_text("#wall-blind", "MONITORING BLIND: platform since")
    assert "LIVE" not in text_of(dash_duo, "#wall-status")
    shoot(dash_duo, "wall-small-blind.png")


def test_acknowledging_an_alert_in_the_console_updates_the_wall(
    dash_duo: Any, small: tuple[Store, int, float], small_plan: Plan
) -> None:
    _, _, t0 = small
    recorder, clock = serve_running(dash_duo, small, small_plan)
    open_page(dash_duo, "/")
    dash_duo.find_element("#console-operator").send_keys("alice")
    dash_duo.wait_for_element(".vigie-ack").click()
    dash_duo.wait_for_text_to_equal("#console-action-result", "Acknowledged by alice.")
    recorder.evaluate(t0 + 601)  # the collector's next poll
    clock.advance(1.0)
    open_page(dash_duo, "/wall")
    dash_duo.wait_for_contains_text("#wall-alerts", "seen by alice at")
    assert dash_duo.get_logs() == []


def test_hostile_text_in_a_plan_and_a_note_is_shown_never_run(
    dash_duo: Any, tmp_path: Path
) -> None:
    hostile = (
        '<img src=x onerror="document.title=1">javascript:alert(1)<script>document.title=2</script>'
    )
    text = SMALL_PLAN.read_text(encoding="utf-8").replace(
        'name = "Small drill"', f"name = '{hostile}'"
    )
    plan = load_plan_text(text, tmp_path)
    store = Store.open(sqlite_url(tmp_path / "h.db"))
    run = run_drill(plan, text, store)
    record = store.exercise(run.exercise_id)
    assert record is not None
    recorder = still_running(store, run.exercise_id, record.t0, plan)
    recorder.evaluate(record.t0 + 600.5)
    clock = VirtualClock(record.t0 + 600.5)
    dash_duo.start_server(create_app(store, clock, run.exercise_id))
    open_page(dash_duo, "/")
    dash_duo.find_element("#console-operator").send_keys("<b>mallory</b>")
    dash_duo.find_element("#console-note-text").send_keys(hostile)
    dash_duo.find_element("#console-note-add").click()
    dash_duo.wait_for_contains_text("#console-action-result", "Note added")
    recorder.evaluate(record.t0 + 601)
    clock.advance(1.0)
    open_page(dash_duo, "/wall")
    dash_duo.wait_for_contains_text("#wall-notes", "javascript:alert(1)")
    assert hostile in text_of(dash_duo, "#wall-notes")  # shown as written
    assert hostile in text_of(dash_duo, ".vigie-exercise-name")
    assert "<b>mallory</b>" in text_of(dash_duo, "#wall-notes")
    assert dash_duo.driver.title == "Vigie · wall"  # no handler or script ran
    assert not dash_duo.driver.find_elements(By.CSS_SELECTOR, ".vigie-wall-screen img")
    store.close()


def load_plan_text(text: str, tmp_path: Path) -> Plan:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return load_plan(path)


def test_the_wall_says_when_it_loses_the_server_and_recovers_by_itself(
    dash_duo: Any, tmp_path: Path
) -> None:
    """`vigie serve` stopped by its PID, then started again on the same address."""
    address = f"127.0.0.1:{free_port()}"

    def serve() -> VigieProcess:
        process = VigieProcess(
            "serve", "--plan", str(SMALL_PLAN), "--db", str(tmp_path / "s.db"),
            "--bind", address, "--workers", "1", "--no-collect", "--open",
        )  # fmt: skip
        process.wait_for_line(lambda line: line.startswith("Open http://"))
        return process

    server = serve()
    try:
        at_wall_size(dash_duo.driver)
        dash_duo.driver.get(f"http://{address}/wall")
        dash_duo.wait_for_element("#wall-status")
        banner = dash_duo.find_element("#wall-disconnected")
        assert "is-hidden" in banner.get_attribute("class")
        assert server.stop() == 0  # the server goes away
        wait_until(lambda: "is-hidden" not in banner.get_attribute("class"), timeout=20)
        assert "DISCONNECTED FROM VIGIE" in banner.text
        # The last answer on the exercise clock, never in the browser's own time zone.
        assert re.fullmatch(r"T\+\d+:\d{2}(:\d{2})? \(wall time \d{2}:\d{2}:\d{2} \S+\)",
                            text_of(dash_duo, "#wall-disconnected-since"))  # fmt: skip
        shoot(dash_duo, "wall-small-disconnected.png")
        server = serve()  # and comes back on the same address
        wait_until(lambda: "is-hidden" in banner.get_attribute("class"), timeout=20)
    finally:
        server.stop()


def test_review_scrubs_the_seed_exercise_and_jumps_to_the_next_event(
    dash_duo: Any, seed: tuple[Store, int, float]
) -> None:
    store, exercise_id, t0 = seed
    dash_duo.start_server(create_app(store, VirtualClock(t0 + 38 * 60), exercise_id))
    open_page(dash_duo, f"/review?exercise={exercise_id}&at=1200")  # T+20:00
    dash_duo.wait_for_text_to_equal("#review-clock", "T+20:00")
    dash_duo.wait_for_contains_text("#review-gate", "NE PAS LANCER")
    dash_duo.wait_for_contains_text("#review-gate", "Vague 4")
    dash_duo.wait_for_element("#review-timeline .main-svg")
    dash_duo.find_element("#review-next").click()
    clock = "return (document.querySelector('#review-clock') || {}).textContent;"
    wait_until(lambda: dash_duo.driver.execute_script(clock) not in (None, "T+20:00"), timeout=10)
    after = dash_duo.driver.execute_script(clock)
    dash_duo.wait_for_contains_text("#review-event", after.removeprefix("T+"))
    assert after > "T+20:00"
    looks_right(dash_duo, "review-seed.png")


WATCH_SLIDER = """
const handle = document.querySelector(arguments[0]);
window.vigieSliderPositions = [];
new MutationObserver(() => window.vigieSliderPositions.push(handle.getAttribute("aria-valuenow")))
    .observe(handle, {attributes: true, attributeFilter: ["aria-valuenow"]});
"""


def test_review_plays_at_60x_in_the_browser_and_pauses_itself_at_the_end(
    dash_duo: Any, seed: tuple[Store, int, float]
) -> None:
    store, exercise_id, t0 = seed
    dash_duo.start_server(create_app(store, VirtualClock(t0 + 38 * 60), exercise_id))
    open_page(dash_duo, f"/review?exercise={exercise_id}&at=2100")  # T+35:00, stop at T+37:00
    dash_duo.wait_for_text_to_equal("#review-clock", "T+35:00")
    # The slider's every position, seen by the browser itself: on a loaded machine the
    # clock's redraw of one step can be overtaken by the next, and a poll would miss it.
    dash_duo.driver.execute_script(WATCH_SLIDER, "#review-at [role=slider]")
    click(dash_duo, "#review-speed input[value='60']")
    click(dash_duo, "#review-play-toggle")
    dash_duo.wait_for_text_to_equal("#review-clock", "T+37:00")
    toggle = dash_duo.find_element("#review-play-toggle")
    wait_until(lambda: "is-playing" not in toggle.get_attribute("class"), timeout=10)
    positions = dash_duo.driver.execute_script("return window.vigieSliderPositions;")
    # One step: one exercise minute, T+35:00 -> T+36:00 -> T+37:00, then it stops.
    assert [int(p) for p in dict.fromkeys(positions)] == [2160, 2220]
    assert dash_duo.get_logs() == []
