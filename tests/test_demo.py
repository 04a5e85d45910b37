"""`vigie demo`: one process serves the sped-up seed exercise on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.cli import run_vigie
from tests.support.dash_client import by_id, overview_request, texts
from tests.support.process import VigieProcess
from tests.support.waiting import wait_until


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


def refresh(base: str) -> dict[str, Any]:
    response = requests.post(f"{base}/_dash-update-component", json=overview_request(), timeout=10)
    assert response.status_code == 200
    return response.json()["response"]  # type: ignore[no-any-return]


def active_sessions(base: str) -> int:
    body = refresh(base)["overview-body"]["children"]
    return int(texts(by_id(body, "overview-active"))[0].replace(",", ""))


def test_demo_serves_the_page_and_sessions_climb(demo: tuple[VigieProcess, str]) -> None:
    _, base = demo
    page = requests.get(f"{base}/", timeout=10)
    assert page.status_code == 200 and "<title>Vigie</title>" in page.text
    wait_until(lambda: active_sessions(base) > 0)
    header = texts(refresh(base)["overview-header"]["children"])
    assert "EN DIRECT" in header  # the seed plan is in French, and the data is fresh
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
