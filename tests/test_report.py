"""The HTML report in a real Chromium, kept off the network: it loads, its plots render,
its timeline reads, and nothing from a plan or a note is ever read as markup.

One report of the seed drill (and its 1920x1080 screenshot) is kept in
artifacts/reports/ for a person to read as a post-mortem reviewer would.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.conftest import ROOT, SMALL_PLAN, Drilled, require
from tests.support.chromium import chromium_binary, rendered_dom, screenshot
from tests.support.cli import run_vigie
from vigie.plan import parse_plan
from vigie.review.make import make_report
from vigie.run.drill import run_drill
from vigie.store import Store

ARTIFACTS = ROOT / "artifacts" / "reports"
HOSTILE_NAME = "<script>document.title='pwned'</script>"
HOSTILE_EXERCISE = "<img src=x onerror=\"document.title='pwned'\">"


@pytest.fixture(autouse=True)
def needs_a_browser() -> None:
    require(chromium_binary() is not None, "Chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def seed_report(seed_drilled: Drilled) -> Path:
    """`vigie report` of the seed drill, written where a person can open it."""
    store, exercise_id, _ = seed_drilled
    out = ARTIFACTS / "ecnp-2022-01-21.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    db = str(store.engine.url.database)
    result = run_vigie("report", str(exercise_id), "--db", db, "--out", str(out), "--lang", "en")
    assert result.returncode == 0, result.stderr
    return out


def test_seed_report_is_one_file_with_no_outside_resource(seed_report: Path) -> None:
    html = seed_report.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", html)
    assert html.count("plotly.js v") == 1  # Plotly's bundle inlined once, every chart uses it


def test_seed_report_renders_its_plots_and_timeline_offline(seed_report: Path) -> None:
    dom = rendered_dom(seed_report.as_uri())
    assert dom.count('class="main-svg"') >= 2 * 7  # active sessions and the 6 servers
    assert "LIMIT BREACHED: waf-1 at 16,002 connections, over its limit of 16,000" in dom
    assert "First warned by wave_gate on wave-4 at T+00:00, 24 min 54 s ahead." in dom
    assert "Exercise stopped" in dom and "T+37:00" in dom
    assert "Université de Bordeaux never connected 90% of its 420 students" in dom
    screenshot(seed_report.as_uri(), ARTIFACTS / "ecnp-2022-01-21.png")


def test_seed_report_loads_with_no_browser_console_error(seed_report: Path, dash_duo: Any) -> None:
    require(shutil.which("chromedriver") is not None, "apt-get install chromium-driver")
    dash_duo.driver.get(seed_report.as_uri())
    dash_duo.wait_for_element("#chart-server-0 .main-svg", timeout=20)
    assert len(dash_duo.driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")) == 7
    assert dash_duo.get_logs() == []


def test_names_and_notes_from_a_plan_or_an_operator_show_as_text_never_as_markup(
    sqlite_store: Store, tmp_path: Path
) -> None:
    toml = (
        SMALL_PLAN.read_text(encoding="utf-8")
        .replace('name = "Faculté Gamma"', f'name = "{_toml(HOSTILE_NAME)}"')
        .replace('name = "Small drill"', f'name = "{_toml(HOSTILE_EXERCISE)}"')
    )
    run = run_drill(parse_plan(toml), toml, sqlite_store)
    sqlite_store.add_annotation(run.exercise_id, 1_700_000_200, "note", "Marc", HOSTILE_EXERCISE)
    out = tmp_path / "report.html"
    make_report(sqlite_store, run.exercise_id, out, None, "en")
    html = out.read_text(encoding="utf-8")
    assert HOSTILE_NAME not in html and HOSTILE_EXERCISE not in html
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt; never connected" in html
    dom = rendered_dom(out.as_uri())
    assert "main-svg" in dom  # the page ran
    assert "<title>pwned</title>" not in dom and '<img src="x"' not in dom
    assert "Note by Marc: &lt;img src=x onerror=" in dom


def _toml(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
