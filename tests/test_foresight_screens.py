"""The wall in a real Chromium on plans unlike the seed: a per-source limit named with its
address and faculty, and a wave launched late shown with both its planned and actual times.
Screenshots are kept in artifacts/screens/ for a person to look at."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from benchmarks.plan_corpus import generate
from tests.conftest import require
from tests.support.chromium import chromium_binary
from tests.test_control_room import looks_right, open_page, text_of
from tests.test_launches import LATE_PLAN
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.plan import parse_plan
from vigie.run.drill import run_drill
from vigie.store import Store, sqlite_url


@pytest.fixture(autouse=True)
def needs_a_browser() -> None:
    require(chromium_binary() is not None, "Chromium is not installed (apt-get install chromium)")
    require(shutil.which("chromedriver") is not None, "apt-get install chromium-driver")


def drilled(tmp_path: Path, text: str) -> Iterator[tuple[Store, int, float]]:
    store = Store.open(sqlite_url(tmp_path / "drill.db"))
    run = run_drill(parse_plan(text), text, store)
    record = store.exercise(run.exercise_id)
    assert record is not None
    yield store, run.exercise_id, record.t0
    store.close()


@pytest.fixture
def per_source(tmp_path: Path) -> Iterator[tuple[Store, int, float]]:
    generated = generate(1)  # one faculty of 530 behind 192.0.2.186, a per-address limit of 976
    generated.plan["faculties"][0]["name"] = "Université de Nantes"
    yield from drilled(tmp_path, tomli_w.dumps(generated.plan))


@pytest.fixture
def late(tmp_path: Path) -> Iterator[tuple[Store, int, float]]:
    yield from drilled(tmp_path, LATE_PLAN)


def wall_at(dash_duo: Any, drill: tuple[Store, int, float], seconds: int) -> None:
    store, exercise_id, t0 = drill
    dash_duo.start_server(create_app(store, VirtualClock(t0 + 40 * 60), exercise_id))
    open_page(dash_duo, f"/wall?at={seconds}")


def test_the_wall_names_the_address_and_faculty_of_a_per_source_limit(
    dash_duo: Any, per_source: tuple[Store, int, float]
) -> None:
    wall_at(dash_duo, per_source, 300)  # T+05:00: Nantes's address is refused
    dash_duo.wait_for_contains_text("#wall-alerts", "192.0.2.186")
    alerts = text_of(dash_duo, "#wall-alerts")
    assert "per-address limit for 192.0.2.186 (Université de Nantes)" in alerts
    assert "HOLD new connections from that address" in alerts
    assert "not a capacity problem" not in alerts
    gate = text_of(dash_duo, "#wall-gate")
    assert "Already out" in gate and "192.0.2.186" in gate
    looks_right(dash_duo, "wall-per-source-t05.png")


def test_the_wall_shows_a_late_wave_as_planned_then_launched(
    dash_duo: Any, late: tuple[Store, int, float]
) -> None:
    wall_at(dash_duo, late, 9 * 60)
    dash_duo.wait_for_contains_text("#wall-wave-3", "NOT LAUNCHED")
    assert "planned at T+06:00" in text_of(dash_duo, "#wall-wave-3")
    assert "Wave 3" in text_of(dash_duo, "#wall-gate")
    looks_right(dash_duo, "wall-late-wave-t09.png")
    open_page(dash_duo, f"/wall?at={14 * 60}")
    dash_duo.wait_for_contains_text("#wall-wave-3", "launched T+12:00")
    assert "planned T+06:00" in text_of(dash_duo, "#wall-wave-3")
    looks_right(dash_duo, "wall-late-wave-t14.png")
