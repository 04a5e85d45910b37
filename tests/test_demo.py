"""`vigie demo`: one process serves the sped-up seed exercise on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.cli import run_vigie
from tests.support.dash_client import by_id, console_request, texts, wall_request
from tests.support.process import VigieProcess
from tests.support.waiting import wait_until
from vigie.plan import parse_plan
from vigie.store import Store, sqlite_url


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[VigieProcess, str]]:
    process = VigieProcess(
        "demo", "--port", "0", "--db", str(tmp_path / "demo.db"), "--speed", "60"
    )
    try:
        line = process.wait_for_line(lambda line: line.startswith("Open http://"))
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert match, line
        yield process, match.group(0)
    finally:
        process.stop()


def refresh(base: str, request: dict[str, Any]) -> dict[str, Any]:
    response = requests.post(f"{base}/_dash-update-component", json=request, timeout=10)
    assert response.status_code == 200
    return response.json()["response"]  # type: ignore[no-any-return]


def active_sessions(base: str) -> int:
    screen = refresh(base, wall_request())["wall-screen"]["children"]
    shown = texts(by_id(screen, "wall-active"))
    return int(shown[0].replace("\u202f", "")) if shown and shown[0].strip("\u2013") else 0


def test_demo_opens_on_the_console_with_the_wall_beside_it(
    demo: tuple[VigieProcess, str],
) -> None:
    _, base = demo
    page = requests.get(f"{base}/", timeout=10)
    assert page.status_code == 200 and "<title>Vigie</title>" in page.text
    assert requests.get(f"{base}/wall", timeout=10).status_code == 200
    wait_until(lambda: active_sessions(base) > 0)
    console = refresh(base, console_request())
    assert "EN DIRECT" in texts(console["console-header"]["children"])  # French plan, fresh data
    assert by_id(console["console-body"]["children"], "console-gate") is not None
    health = requests.get(f"{base}/healthz", timeout=10).json()
    assert health["sources"]["platform"]["up"] is True


def test_demo_stops_cleanly_on_sigterm(demo: tuple[VigieProcess, str]) -> None:
    process, base = demo
    assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
    assert process.stop() == 0
    process.wait_for_line(lambda line: line == "Stopping the demo.", timeout=5)


def test_demo_refuses_a_non_loopback_address() -> None:
    result = run_vigie("demo", "--host", "0.0.0.0", "--port", "0")
    assert result.returncode == 2
    assert "serves only on a loopback address (got 0.0.0.0)" in result.stderr


def test_the_seed_plans_demo_shows_t_plus_00_at_its_start_and_stores_that_start(
    tmp_path: Path,
) -> None:
    db = tmp_path / "demo.db"
    process = VigieProcess("demo", "--port", "0", "--db", str(db), "--speed", "1")
    try:
        line = process.wait_for_line(lambda line: line.startswith("Open http://"))
        base = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)  # type: ignore[union-attr]
        shown = texts(refresh(base, wall_request())["wall-screen"]["children"])
    finally:
        assert process.stop() == 0
    clock = next(text for text in shown if text.startswith("T+"))
    assert re.fullmatch(r"T\+00:[0-5]\d", clock), clock  # not T+42599:38:52
    store = Store.open(sqlite_url(db))
    (record,) = store.exercises()
    store.close()
    stored = parse_plan(record.plan_toml).exercise.starts_at
    assert stored is not None and stored.timestamp() == pytest.approx(record.t0, abs=1e-3)
    assert stored.utcoffset() == timedelta(hours=1)  # the plan's French wall time
