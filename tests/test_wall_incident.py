"""The wall tells the seed incident in a real Chromium, at the instants that
matter: before it (T+10, T+20), at the breach (T+24:54), during it (T+26, T+30)
and after the stop. Read from 5 m: the facts an operator acts on are at least
28 px at 1920x1080 and twice that at 3840x2160, nothing overlaps or is cut, and
every time on screen is on the exercise clock or labelled wall time.

Screenshots at both sizes are kept in artifacts/screens/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from PIL import Image

from tests.conftest import Drilled
from tests.test_control_room import ARTIFACTS, needs_a_browser, text_of
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app

__all__ = ["needs_a_browser"]  # the fixture, applied to every test here

SIZES = {"1080": (1920, 1080), "4k": (3840, 2160)}
BREACH_S, STOP_S = 24 * 60 + 54, 37 * 60
INSTANTS = {
    600: "T+10m00s-wave-2",
    1200: "T+20m00s-before-wave-4",
    BREACH_S: "T+24m54s-the-breach",
    1560: "T+26m00s-throttling",
    1800: "T+30m00s-collapse",
    2300: "after-the-stop",
}
ACTING = (  # what an operator acts on, read from across the room
    ".vigie-age",
    ".vigie-server-share",
    ".vigie-server-detail:not(.is-quiet)",
    ".vigie-gate-detail",
    ".vigie-wave-state",
    ".vigie-lost",
)
MIN_ACTING_PX = 28


def serve_seed(dash_duo: Any, seed: Drilled, clock_s: float = 38 * 60) -> None:
    store, exercise_id, t0 = seed
    dash_duo.start_server(create_app(store, VirtualClock(t0 + clock_s), exercise_id))


def at_size(dash_duo: Any, size: str) -> None:
    width, height = SIZES[size]
    dash_duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def wall_at(dash_duo: Any, seconds: int | None, size: str = "1080") -> None:
    at_size(dash_duo, size)
    query = "" if seconds is None else f"?at={seconds}"
    dash_duo.driver.get(f"{dash_duo.server_url}/wall{query}")
    dash_duo.wait_for_element("#wall-clock")


def shoot_at(dash_duo: Any, name: str, size: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / f"{name}-{size}.png"
    dash_duo.driver.save_screenshot(str(out))
    with Image.open(out) as image:
        assert image.size == SIZES[size]


def smallest_acting_px(dash_duo: Any) -> float:
    sizes = dash_duo.driver.execute_script(
        "return arguments[0].flatMap(s => [...document.querySelectorAll(s)])"
        ".filter(e => e.innerText.trim() !== '')"
        ".map(e => parseFloat(getComputedStyle(e).fontSize));",
        list(ACTING),
    )
    assert sizes, "no acting fact on the wall"
    return float(min(sizes))


def assert_laid_out(dash_duo: Any) -> None:
    """Panels do not intersect, no text leaves its panel or the screen, and no
    faculty name is cut."""
    problems = dash_duo.driver.execute_script(
        """
        const screen = document.querySelector('.vigie-wall-screen');
        const panels = [...screen.querySelectorAll(
            ':scope > header, :scope > .vigie-incident, :scope > .vigie-blind-banner, section')];
        const box = e => e.getBoundingClientRect();
        const problems = [];
        for (let i = 0; i < panels.length; i++) {
          for (let j = i + 1; j < panels.length; j++) {
            const a = box(panels[i]), b = box(panels[j]);
            const apart = a.right <= b.left + 1 || b.right <= a.left + 1
              || a.bottom <= b.top + 1 || b.bottom <= a.top + 1;
            const names = panels[i].className + ' / ' + panels[j].className;
            if (!apart) problems.push('overlap: ' + names);
          }
        }
        const W = innerWidth, H = innerHeight;
        for (const e of screen.querySelectorAll('*')) {
          if (e.children.length || !e.innerText || !e.innerText.trim()) continue;
          const r = box(e);
          const panel = e.closest('section, header, .vigie-incident, .vigie-blind-banner');
          const p = panel ? box(panel) : {left: 0, top: 0, right: W, bottom: H};
          const inside = r.left >= p.left - 1 && r.right <= p.right + 1
            && r.top >= p.top - 1 && r.bottom <= p.bottom + 1;
          if (!inside || r.right > W + 1 || r.bottom > H + 1)
            problems.push('outside its panel: ' + e.innerText.slice(0, 60));
        }
        for (const e of screen.querySelectorAll('.vigie-faculty-name'))
          if (e.scrollWidth > e.clientWidth + 1) problems.push('cut: ' + e.innerText);
        return problems;
        """
    )
    assert problems == []


WALL_TIME_FR = re.compile(r"\d{1,2} h \d{2}(?! min)")
CLOCK_LIKE = re.compile(r"(T[+-])?\d+:\d{2}(?::\d{2})?")


def assert_one_clock(dash_duo: Any) -> None:
    """Every time is T+mm:ss; wall time only where it is labelled as such."""
    text = dash_duo.driver.execute_script(
        "const copy = document.querySelector('.vigie-wall-screen').cloneNode(true);"
        "copy.querySelectorAll('.vigie-wall-time').forEach(e => e.remove());"
        "document.body.appendChild(copy);"
        "const text = copy.innerText; copy.remove(); return text;"
    )
    assert not WALL_TIME_FR.search(text), WALL_TIME_FR.search(text)
    bare = [m.group(0) for m in CLOCK_LIKE.finditer(text) if not m.group(1)]
    assert bare == []
    for label in dash_duo.driver.find_elements("css selector", ".vigie-wall-time"):
        assert label.text.startswith("heure ") and "UTC+01:00" in label.text


@pytest.mark.parametrize("seconds", list(INSTANTS), ids=list(INSTANTS.values()))
def test_the_wall_tells_the_incident_at_each_instant(
    dash_duo: Any, seed_drilled: Drilled, seconds: int
) -> None:
    serve_seed(dash_duo, seed_drilled)
    wall_at(dash_duo, seconds)
    stopped = seconds >= STOP_S
    shown = min(seconds, STOP_S)
    dash_duo.wait_for_text_to_equal("#wall-clock", f"T+{shown // 60:02d}:{shown % 60:02d}")
    incident = dash_duo.driver.find_elements("css selector", "#wall-incident")
    waf = dash_duo.find_element("#wall-server-waf-1").get_attribute("class")
    if seconds < BREACH_S:
        assert incident == []
    elif not stopped:
        assert "is-open" in incident[0].get_attribute("class")
        assert text_of(dash_duo, "#wall-incident").startswith("LIMITE FRANCHIE : waf-1 à T+24:54")
        assert "is-critical" in waf and "is-ok" not in waf  # never green while it refuses
    else:
        assert "is-over" in incident[0].get_attribute("class")
        assert "jusqu\u2019à l\u2019arrêt à T+37:00 (12 min 06 s)" in text_of(
            dash_duo, "#wall-incident"
        )
        assert "ARRÊTÉ à T+37:00" in text_of(dash_duo, "#wall-status")
        assert "plus aucune vague à lancer" in text_of(dash_duo, "#wall-gate")
        assert "levées à l\u2019arrêt" in text_of(dash_duo, "#wall-alerts")
    complete = [n for n, start in ((1, 0), (2, 480), (3, 960)) if seconds >= start + 240]
    for number in complete:  # launched, reached 95%: never back to "connecting"
        state = text_of(dash_duo, f"#wall-wave-{number} .vigie-wave-state")
        assert state == ("ARRÊTÉE" if stopped else "COMPLÈTE"), (number, state)
    if BREACH_S + 60 <= seconds < STOP_S:
        assert "perdus en 5 min" in text_of(dash_duo, "#wall-wave-1")
    assert_one_clock(dash_duo)
    for size in SIZES:
        at_size(dash_duo, size)
        scale = SIZES[size][0] / 1920
        dash_duo.wait_for_element("#wall-clock")
        wait_px = MIN_ACTING_PX * scale
        assert smallest_acting_px(dash_duo) >= wait_px - 0.5
        assert_laid_out(dash_duo)
        shoot_at(dash_duo, f"wall-seed-{INSTANTS[seconds]}", size)
    assert dash_duo.get_logs() == []


def test_the_clock_is_frozen_at_the_stop_however_late_the_wall_is_looked_at(
    dash_duo: Any, seed_drilled: Drilled
) -> None:
    serve_seed(dash_duo, seed_drilled, clock_s=3 * 3600)  # live, hours after the stop
    wall_at(dash_duo, None)
    dash_duo.wait_for_text_to_equal("#wall-clock", "T+37:00")
    assert text_of(dash_duo, ".vigie-wall-time") == "heure 14 h 37 UTC+01:00"
    assert text_of(dash_duo, "#wall-status") == "EXERCICE ARRÊTÉ à T+37:00"
    for number in (1, 2, 3, 4):
        assert text_of(dash_duo, f"#wall-wave-{number} .vigie-wave-state") == "ARRÊTÉE"


def test_the_gate_and_its_alert_give_the_same_students_that_fit(
    dash_duo: Any, seed_drilled: Drilled
) -> None:
    serve_seed(dash_duo, seed_drilled)
    wall_at(dash_duo, 1200)
    dash_duo.wait_for_contains_text("#wall-gate", "NE PAS LANCER")
    fit = re.search(r"([\d\u202f]+) étudiants passent", text_of(dash_duo, "#wall-gate"))
    assert fit is not None
    alerts = text_of(dash_duo, "#wall-alerts")
    assert f"Au plus {fit.group(1)} étudiants passent" in alerts
    assert "prévue dans 4 min 00 s" in text_of(dash_duo, "#wall-gate")  # the countdown
