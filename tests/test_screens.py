"""What people see: the page rendered by a real Chromium at 1920x1080, saved as artifacts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import ROOT, SEED_PLAN, require
from tests.support.chromium import chromium_binary, rendered_dom, screenshot
from tests.support.serving import served
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.drill import run_drill
from vigie.plan import Plan
from vigie.store import Store

ARTIFACTS = ROOT / "artifacts" / "screens"


@pytest.fixture(scope="module")
def seed_drill(
    tmp_path_factory: pytest.TempPathFactory, seed_plan: Plan
) -> Iterator[tuple[Store, int, float]]:
    from vigie.store import sqlite_url

    store = Store.open(sqlite_url(tmp_path_factory.mktemp("screens") / "seed.db"))
    run = run_drill(seed_plan, SEED_PLAN.read_text(encoding="utf-8"), store)
    record = store.exercise(run.exercise_id)
    assert record is not None
    yield store, run.exercise_id, record.t0
    store.close()


@pytest.fixture(autouse=True)
def needs_chromium() -> None:
    require(chromium_binary() is not None, "Chromium is not installed (apt-get install chromium)")


def distinct_colours(path: Path) -> int:
    with Image.open(path) as image:
        assert image.size == (1920, 1080)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
        return len(colours or [])


def test_overview_during_wave_4_as_the_room_saw_it(seed_drill: tuple[Store, int, float]) -> None:
    store, exercise_id, t0 = seed_drill
    app = create_app(store, VirtualClock(t0 + 37 * 60), exercise_id)
    with served(app) as base:
        url = f"{base}/?at={24 * 60 + 50}"
        dom = rendered_dom(url)
        out = ARTIFACTS / "overview-seed-T+24m50s.png"
        screenshot(url, out)
    assert "Sessions actives" in dom and "Vague 4" in dom
    assert "9\u202f800" in dom  # the plan total, written the French way
    assert "REJEU" in dom
    assert distinct_colours(out) > 50  # a rendered page, not a blank or error screen


def test_overview_after_the_stop(seed_drill: tuple[Store, int, float]) -> None:
    store, exercise_id, t0 = seed_drill
    app = create_app(store, VirtualClock(t0 + 38 * 60), exercise_id)
    with served(app) as base:
        dom = rendered_dom(f"{base}/")
        out = ARTIFACTS / "overview-seed-stopped.png"
        screenshot(f"{base}/", out)
    assert "EXERCICE ARRÊTÉ à T+37:00" in dom
    assert distinct_colours(out) > 50


def test_text_from_a_plan_is_shown_as_text_never_run_as_html(tmp_path: Path) -> None:
    from tests.conftest import SMALL_PLAN
    from vigie.store import sqlite_url

    hostile = (
        '<img src=x onerror="document.title=1">javascript:alert(1)<script>document.title=2</script>'
    )
    text = SMALL_PLAN.read_text(encoding="utf-8").replace(
        'name = "Small drill"', f"name = '{hostile}'"
    )
    plan_path = tmp_path / "hostile.toml"
    plan_path.write_text(text, encoding="utf-8")
    from vigie.plan import load_plan

    plan = load_plan(plan_path)
    store = Store.open(sqlite_url(tmp_path / "h.db"))
    run = run_drill(plan, text, store)
    record = store.exercise(run.exercise_id)
    assert record is not None
    with served(create_app(store, VirtualClock(record.t0 + 60), run.exercise_id)) as base:
        dom = rendered_dom(f"{base}/")
    store.close()
    assert "&lt;img src=x onerror=" in dom and "&lt;script&gt;" in dom  # shown, escaped
    assert '<img src="x"' not in dom and "<title>Vigie</title>" in dom  # never parsed or run
