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
from tests.support.dash_runner import FreePortThreadedRunner
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
DrillFile = tuple[Path, int, float]  # a drilled SQLite file, never written after the drill


def drill_into_file(path: Path, plan: Plan, plan_path: Path) -> DrillFile:
    """Run `plan` whole into a new SQLite file at `path`, then close it."""
    from vigie.run.drill import run_drill

    store = Store.open(sqlite_url(path))
    try:
        run = run_drill(plan, plan_path.read_text(encoding="utf-8"), store)
        record = store.exercise(run.exercise_id)
        assert record is not None
    finally:
        store.close()
    return path, run.exercise_id, record.t0


def copy_of(drill: DrillFile, path: Path) -> Drilled:
    """A store of its own at `path` holding the drill: the test may write to it. The
    sqlite3 backup API copies a consistent state whatever the WAL holds (~0.1 s for the
    small drill, where running it again takes ~2 s, and the seed's ~25 s of CPU)."""
    template, exercise, t0 = drill
    with sqlite3.connect(template) as source, sqlite3.connect(path) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    return Store.open(sqlite_url(path)), exercise, t0


@pytest.fixture(scope="session")
def small_drill_file(tmp_path_factory: pytest.TempPathFactory, small_plan: Plan) -> DrillFile:
    """The small drill, run whole once per session: its SQLite file, exercise and T+0."""
    return drill_into_file(
        tmp_path_factory.mktemp("small-drill") / "vigie.db", small_plan, SMALL_PLAN
    )


@pytest.fixture
def drilled(small_drill_file: DrillFile, tmp_path: Path) -> Iterator[Drilled]:
    """The small drill, whole, in a SQLite store of the test's own (tmp_path/vigie.db):
    a copy of the session's one drill, so a test may write to it (~2 s saved a test)."""
    store, exercise, t0 = copy_of(small_drill_file, tmp_path / "vigie.db")
    yield store, exercise, t0
    store.close()


@pytest.fixture(scope="session")
def seed_drill_file(tmp_path_factory: pytest.TempPathFactory, seed_plan: Plan) -> DrillFile:
    """The seed exercise (21 January 2022), run whole once per session (~25 s of CPU)."""
    return drill_into_file(tmp_path_factory.mktemp("seed-drill") / "seed.db", seed_plan, SEED_PLAN)


@pytest.fixture(scope="session")
def seed_drilled(
    tmp_path_factory: pytest.TempPathFactory, seed_drill_file: DrillFile
) -> Iterator[Drilled]:
    """The seed exercise in one store shared by the session's tests that only read it."""
    store, exercise, t0 = copy_of(seed_drill_file, tmp_path_factory.mktemp("seed") / "seed.db")
    yield store, exercise, t0
    store.close()


@pytest.fixture(scope="module")
def seed_module_copy(
    tmp_path_factory: pytest.TempPathFactory, seed_drill_file: DrillFile
) -> Iterator[Drilled]:
    """The seed exercise in a store of the test module's own, which it may write to."""
    store, exercise, t0 = copy_of(seed_drill_file, tmp_path_factory.mktemp("seed") / "seed.db")
    yield store, exercise, t0
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


@pytest.fixture
def dash_thread_server() -> Iterator[FreePortThreadedRunner]:
    """dash_duo's app server (overriding dash's own fixture): on a port of its own."""
    with FreePortThreadedRunner() as runner:
        yield runner


def pytest_setup_options() -> Any:
    """dash_duo's Chromium: Debian's real binary, kept off the network, at wall size."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in [*OFFLINE_FLAGS, "--window-size=1920,1080"]:
        options.add_argument(flag)  # type: ignore[no-untyped-call]
    return options
