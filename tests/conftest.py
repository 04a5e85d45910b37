"""Shared fixtures: plans, stores on SQLite and on a real PostgreSQL started here."""

from __future__ import annotations

import os
import sqlite3
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.alertmanager import (
    AlertmanagerServer,
    alertmanager_binary,
    running_alertmanager,
)
from tests.support.chromium import CHROMIUM, OFFLINE_FLAGS
from tests.support.postgres import PostgresServer, start_postgres
from vigie.plan import Plan, load_plan
from vigie.store import Store, sqlite_url

ROOT = Path(__file__).resolve().parents[1]
SEED_PLAN = ROOT / "scenarios" / "ecnp-2022-01-21.toml"
SMALL_PLAN = ROOT / "scenarios" / "small-drill.toml"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def seed_data() -> dict[str, Any]:
    """The seed plan as raw TOML data, for tests that make variants of it."""
    return tomllib.loads(SEED_PLAN.read_text(encoding="utf-8"))


def require(condition: bool, why: str) -> None:
    """Skip on a developer's laptop; fail in CI, where nothing may be silently missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {why}", pytrace=False)
    pytest.skip(why)


@pytest.fixture(scope="session")
def seed_plan() -> Plan:
    return load_plan(SEED_PLAN)


@pytest.fixture(scope="session")
def small_plan() -> Plan:
    return load_plan(SMALL_PLAN)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(sqlite_url(tmp_path / "vigie.db"))
    yield store
    store.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server, missing = start_postgres()
    if server is None:
        require(False, f"PostgreSQL is not available: {missing}")
        raise AssertionError("unreachable")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def alertmanager() -> Iterator[AlertmanagerServer]:
    """A real Alertmanager on 127.0.0.1, one per test module, stopped by its PID."""
    require(
        alertmanager_binary() is not None,
        "Alertmanager is not installed (apt-get install prometheus-alertmanager)",
    )
    with running_alertmanager() as server:
        yield server


Drilled = tuple[Store, int, float]  # the store, the exercise, its T+0


@pytest.fixture(scope="session")
def small_drill_file(
    tmp_path_factory: pytest.TempPathFactory, small_plan: Plan
) -> tuple[Path, int, float]:
    """The small drill, run whole once per session: its SQLite file, exercise and T+0."""
    from vigie.drill import run_drill

    path = tmp_path_factory.mktemp("small-drill") / "vigie.db"
    store = Store.open(sqlite_url(path))
    try:
        run = run_drill(small_plan, SMALL_PLAN.read_text(encoding="utf-8"), store)
        record = store.exercise(run.exercise_id)
        assert record is not None
    finally:
        store.close()
    return path, run.exercise_id, record.t0


@pytest.fixture
def drilled(small_drill_file: tuple[Path, int, float], tmp_path: Path) -> Iterator[Drilled]:
    """The small drill, whole, in a SQLite store of the test's own (tmp_path/vigie.db):
    a copy of the session's one drill, so a test may write to it (~2 s saved a test)."""
    template, exercise, t0 = small_drill_file
    path = tmp_path / "vigie.db"
    with sqlite3.connect(template) as source, sqlite3.connect(path) as copy:
        source.backup(copy)  # consistent whatever the WAL holds
    source.close()
    copy.close()
    store = Store.open(sqlite_url(path))
    yield store, exercise, t0
    store.close()


@pytest.fixture(scope="session")
def seed_drilled(tmp_path_factory: pytest.TempPathFactory, seed_plan: Plan) -> Iterator[Drilled]:
    """The seed exercise (21 January 2022), run whole once into a SQLite store (~10 s)."""
    from vigie.drill import run_drill

    store = Store.open(sqlite_url(tmp_path_factory.mktemp("seed") / "seed.db"))
    run = run_drill(seed_plan, SEED_PLAN.read_text(encoding="utf-8"), store)
    record = store.exercise(run.exercise_id)
    assert record is not None
    yield store, run.exercise_id, record.t0
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The same test on the embedded default and on a real PostgreSQL."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "vigie.db")
    else:
        url = request.getfixturevalue("postgres").new_database_url()
    opened = Store.open(url)
    yield opened
    opened.close()


def pytest_setup_options() -> Any:
    """dash_duo's Chromium: Debian's real binary, kept off the network, at wall size."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in [*OFFLINE_FLAGS, "--window-size=1920,1080"]:
        options.add_argument(flag)  # type: ignore[no-untyped-call]
    return options
