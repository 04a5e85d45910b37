"""Schema versions: every released store upgrades to today's schema, on SQLite and PostgreSQL.

Each historical schema module (tests/fixtures/schemas/vN.py) makes a store as
that release did (create_all, no version recorded), with a row in every table;
`vigie db upgrade`'s code brings it to the newest version. The result must equal
vigie.store.schema.metadata (Alembic's comparison) and a fresh store's catalogue
(which also sees PostgreSQL's INCLUDE and SQLite's WITHOUT ROWID), keep its rows,
and work with Store. A change to schema.py without its revision fails here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import Column, Engine, MetaData, String, create_engine, inspect, select, text

from tests.fixtures.schemas import v1, v2, v3, v4, v5, v6, v7, v8, v9
from tests.support.cli import run_vigie
from tests.support.postgres import PostgresServer
from tests.support.schema_shape import schema_shape
from vigie.cli.db import db_group
from vigie.series import Sample
from vigie.store import Store, StoreUnavailable, sqlite_url
from vigie.store.database import connect_engine, shown_url
from vigie.store.errors import StoreOutdated, StoreTooNew, StoreUnrecognised
from vigie.store.migrations.history import alembic_config, head_version, revision_id, scripts
from vigie.store.migrations.versioning import (
    StoreVersion,
    exclusive,
    read_version,
    upgrade,
    version_table,
)
from vigie.store.records import labels_key
from vigie.store.schema import metadata

# Add the next version's copy of schema.py here with its revision.
SCHEMAS: dict[int, ModuleType] = {
    1: v1,
    2: v2,
    3: v3,
    4: v4,
    5: v5,
    6: v6,
    7: v7,
    8: v8,
    9: v9,
}
LAST_UNRECORDED = 5  # the releases before this module recorded no version in their stores
HEAD = head_version()
# Version 4 changed only PostgreSQL: a SQLite store of version 3 has version 4's shape.
SAME_SHAPE_ON_SQLITE = {3: 4}
LYON = (("faculty", "lyon"),)
T0_MS = 1_642_770_000_000

# One row per table a release can have; ids are left to the database (1 in a new store).
ROWS: dict[str, dict[str, Any]] = {
    "exercises": {
        "plan_id": "ecnp",
        "name": "ECNp 21 January",
        "mode": "live",
        "plan_toml": "[exercise]\nid = 'ecnp'",
        "t0_ms": T0_MS,
        "created_ms": T0_MS - 60_000,
        "ended_ms": None,
    },
    "series": {"exercise_id": 1, "name": "sessions_active", "labels": labels_key(LYON)},
    "samples": {"series_id": 1, "ts_ms": T0_MS + 1_000, "value": 2460.0},
    # The sample assert_store_works writes again: a no-op where it already is.
    "recent_samples": {"bucket": 0, "ts_ms": T0_MS + 2_000, "series_id": 1, "value": 2470.0},
    "sample_buckets": {"bucket": 0, "folded_ms": T0_MS + 1_000},
    "source_health": {
        "exercise_id": 1,
        "source": "prometheus",
        "up": False,
        "consecutive_failures": 3,
        "last_error": "timed out",
        "down_since_ms": T0_MS + 5_000,
        "updated_ms": T0_MS + 9_000,
    },
    "annotations": {
        "exercise_id": 1,
        "ts_ms": T0_MS + 1_000,
        "kind": "decision",
        "author": "régie",
        "text": "hold: wave 4",
        "wave": 4,
        "created_ms": T0_MS + 2_000,
    },
    "alert_transitions": {
        "exercise_id": 1,
        "ts_ms": T0_MS + 3_000,
        "rule": "wave_gate",
        "subject": "waf-1",
        "state": "firing",
        "severity": "critical",
        "message": "HOLD wave 4",
        "server": "waf-1",
        "facts": '{"fit": 804}',
    },
    "notifications": {
        "transition_id": 1,
        "notifier": "alertmanager",
        "status": "sent",
        "attempts": 1,
        "next_attempt_ms": T0_MS + 3_000,
        "sent_ms": T0_MS + 3_100,
    },
    "agent_tokens": {"faculty": "lyon", "token_hash": "a" * 64, "created_ms": T0_MS},
    "tick_states": {"exercise_id": 1, "ts_ms": T0_MS + 1_000, "body": b"\x00tick"},
    "tick_rosters": {"exercise_id": 1, "ts_ms": T0_MS + 1_000, "body": b"\x00roster"},
    "users": {
        "name": "operator",
        "role": "operator",
        "faculty": None,
        "password_hash": "$argon2id$v=19$...",
        "created_ms": T0_MS,
    },
    "kiosk_links": {"token_hash": "b" * 64, "scope": "national", "label": "wall", "created_ms": 1},
    "login_failures": {"key": "address:127.0.0.1", "window_ms": T0_MS, "failures": 2},
    "learned_facts": {
        "exercise_id": 1,
        "kind": "ratio",
        "key": "waf-1",
        "value": 2.0,
        "ts_ms": T0_MS + 4_000,
    },
    "known_addresses": {"user_id": 1, "address": "192.0.2.7", "last_ms": T0_MS},
    "login_sessions": {
        "id_hash": "c" * 64,
        "principal": "user:1",
        "created_ms": T0_MS,
        "seen_ms": T0_MS + 60_000,
        "revoked_ms": None,
    },
    "server_keys": {"name": "session", "value": "d" * 64, "created_ms": T0_MS},
    "collector_leases": {
        "exercise_id": 1,
        "holder": "vigie-1:4242",
        "epoch": 3,
        "expires_ms": T0_MS + 1_250,
        "renewed_ms": T0_MS,
    },
}

# Tables whose form changed at a version: a store from then on holds this row...
ROWS_SINCE: dict[int, dict[str, dict[str, Any]]] = {
    6: {"login_failures": {"account": "operator", "address": "192.0.2.7", "at_ms": T0_MS}},
}
# ...and an older store's rows of that table are dropped by the upgrade (throwaway
# counters of the last 15 minutes), not converted.
DROPPED_AT: dict[str, int] = {"login_failures": 6}


def row_of(table: str, version: int) -> dict[str, Any]:
    """The row a store of `version` holds in `table`."""
    newest = [v for v in sorted(ROWS_SINCE) if v <= version and table in ROWS_SINCE[v]]
    return ROWS_SINCE[newest[-1]][table] if newest else ROWS[table]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store with nothing in it yet: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "vigie.db")
    url: str = request.getfixturevalue("postgres").new_database_url()
    return url


@pytest.fixture
def engine_on(empty_url: str) -> Iterator[Engine]:
    engine = connect_engine(empty_url)
    yield engine
    engine.dispose()


def make_released_store(url: str, version: int) -> None:
    """The store that release made: its create_all, its version if it recorded one, rows."""
    engine = create_engine(url)
    old = SCHEMAS[version].metadata
    with engine.begin() as connection:
        old.create_all(connection)
        if version > LAST_UNRECORDED:
            version_table.create(connection)
            connection.execute(version_table.insert().values(version_num=revision_id(version)))
        for table in old.sorted_tables:
            assert table.name in ROWS, f"add a row of {table.name} to ROWS"
            connection.execute(table.insert().values(row_of(table.name, version)))
    engine.dispose()


def fresh_shape(url: str) -> dict[str, Any]:
    """The catalogue of a store this Vigie creates, in a sibling database or file."""
    store = Store.open(url)
    with store.engine.connect() as connection:
        shape = schema_shape(connection)
    store.close()
    return shape


def sibling_url(url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if url.startswith("sqlite"):
        return sqlite_url(tmp_path / "fresh.db")
    fresh: str = request.getfixturevalue("postgres").new_database_url()
    return fresh


def assert_is_todays_schema(engine: Engine, fresh: dict[str, Any]) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
        assert schema_shape(connection) == fresh
        assert context.get_current_revision() == scripts().get_current_head()
        if engine.dialect.name == "postgresql":  # autogenerate does not compare INCLUDE
            key = connection.execute(
                text("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = :name"),
                {"name": "pk_samples"},
            ).scalar_one()
            assert key == "PRIMARY KEY (series_id, ts_ms) INCLUDE (value)"


def assert_rows_survived(engine: Engine, version: int) -> None:
    with engine.connect() as connection:
        for table in SCHEMAS[version].metadata.sorted_tables:
            stored = connection.execute(select(metadata.tables[table.name])).mappings().all()
            if version < DROPPED_AT.get(table.name, 0):
                assert stored == [], f"{table.name}: the upgrade drops its old rows"
                continue
            expected = row_of(table.name, version)
            assert [{key: row[key] for key in expected} for row in stored] == [expected], table.name


def assert_store_works(url: str) -> None:
    store = Store.open(url)
    try:
        assert [e.name for e in store.exercises()] == ["ECNp 21 January"]
        store.write_cycle(1, [Sample("sessions_active", LYON, T0_MS / 1000 + 2, 2470.0)])
        points = store.history(1, "sessions_active")[LYON]
        assert [p.value for p in points] == [2460.0, 2470.0]
        other = store.create_exercise(
            plan_id="ecnp", name="second", mode="drill", plan_toml="[exercise]", t0=1.0
        )
        assert other == 2
    finally:
        store.close()


@pytest.mark.parametrize("version", sorted(SCHEMAS))
def test_a_released_store_upgrades_to_todays_schema_with_its_rows(
    version: int, empty_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    made = version
    make_released_store(empty_url, made)
    fresh = fresh_shape(sibling_url(empty_url, tmp_path, request))
    engine = connect_engine(empty_url)
    before, head = upgrade(engine, shown_url(empty_url))
    recorded = version > LAST_UNRECORDED
    if engine.dialect.name == "sqlite" and not recorded:
        version = SAME_SHAPE_ON_SQLITE.get(version, version)
    assert (before, head) == (StoreVersion(version, recorded=recorded), HEAD)
    assert_is_todays_schema(engine, fresh)
    assert_rows_survived(engine, made)
    engine.dispose()
    assert_store_works(empty_url)


@pytest.mark.postgres
def test_a_postgresql_store_that_kept_its_old_key_under_later_tables_gets_the_new_key(
    postgres: PostgresServer, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = postgres.new_database_url()
    make_released_store(url, 3)  # the samples key without the value...
    engine = connect_engine(url)
    v5.metadata.create_all(engine)  # ...then opened by a Vigie of version 5: create_all
    assert upgrade(engine, shown_url(url))[0] == StoreVersion(3, recorded=False)
    assert_is_todays_schema(engine, fresh_shape(sibling_url(url, tmp_path, request)))
    engine.dispose()
    assert_store_works(url)


def test_the_revisions_alone_build_todays_schema(
    engine_on: Engine, empty_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with engine_on.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert_is_todays_schema(engine_on, fresh_shape(sibling_url(empty_url, tmp_path, request)))


def test_a_store_at_a_recorded_version_runs_only_the_later_revisions(
    engine_on: Engine, empty_url: str
) -> None:
    with engine_on.begin() as connection:
        command.upgrade(alembic_config(connection), "0002")
    assert upgrade(engine_on, shown_url(empty_url)) == (StoreVersion(2, recorded=True), HEAD)
    with engine_on.connect() as connection:
        assert read_version(connection, "") == StoreVersion(HEAD, recorded=True)


def test_a_fresh_store_opens_at_the_newest_version(empty_url: str) -> None:
    Store.open(empty_url).close()
    engine = connect_engine(empty_url)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == revision_id(HEAD)
        assert read_version(connection, "") == StoreVersion(HEAD, recorded=True)
    engine.dispose()


def test_opening_an_older_store_is_refused_with_the_command_that_upgrades_it(
    empty_url: str,
) -> None:
    make_released_store(empty_url, 2)
    with pytest.raises(StoreOutdated) as refused:
        Store.open(empty_url)
    shown = shown_url(empty_url)
    assert str(refused.value) == (
        f"store is at version 2, this Vigie needs {HEAD}: run `vigie db upgrade --db {shown}`"
    )
    assert isinstance(refused.value, StoreUnavailable)


def test_a_store_of_the_last_release_without_versions_is_recognised_when_opened(
    empty_url: str,
) -> None:
    make_released_store(empty_url, LAST_UNRECORDED)
    if HEAD > LAST_UNRECORDED:
        with pytest.raises(StoreOutdated, match=f"store is at version {LAST_UNRECORDED},"):
            Store.open(empty_url)
        return
    assert_store_works(empty_url)  # today's shape: it opens, and its version is now recorded
    engine = connect_engine(empty_url)
    with engine.connect() as connection:
        assert read_version(connection, "") == StoreVersion(HEAD, recorded=True)
    engine.dispose()


def test_a_store_newer_than_this_vigie_is_refused(engine_on: Engine, empty_url: str) -> None:
    Store.open(empty_url).close()
    with engine_on.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(StoreTooNew, match=f"is at version 99, this Vigie knows only up to {HEAD}"):
        Store.open(empty_url)
    with pytest.raises(StoreTooNew, match="upgrade Vigie"):
        upgrade(engine_on, shown_url(empty_url))


def test_a_store_from_before_the_first_release_is_not_recognised(
    engine_on: Engine, empty_url: str
) -> None:
    unreleased = MetaData()
    for table in v1.metadata.sorted_tables:
        table.to_metadata(unreleased)
    unreleased.tables["series"].c.labels.type = String(512)  # as ed915e0 had it
    unreleased.create_all(engine_on)
    with pytest.raises(StoreUnrecognised, match="match no released Vigie schema"):
        Store.open(empty_url)


def test_a_failed_upgrade_leaves_the_store_as_it_was(engine_on: Engine, empty_url: str) -> None:
    with engine_on.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
        # A stray table revision 0003 will try to create: the upgrade fails there,
        # after 0002 made tick_states.
        connection.execute(text("CREATE TABLE users (x INTEGER)"))
    upgrading = CliRunner().invoke(db_group, ["upgrade", "--db", empty_url])
    assert upgrading.exit_code == 1
    assert f"vigie: cannot upgrade store {shown_url(empty_url)}: " in upgrading.output
    assert "users" in upgrading.output
    with engine_on.connect() as connection:
        assert read_version(connection, "") == StoreVersion(1, recorded=True)
        assert "tick_states" not in inspect(connection).get_table_names()


def test_a_table_rebuilt_in_batch_mode_keeps_the_rows_that_refer_to_it(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "vigie.db")
    make_released_store(url, LAST_UNRECORDED)
    engine = connect_engine(url)
    with exclusive(engine) as connection:
        operations = Operations(MigrationContext.configure(connection))
        # What a revision adding a constraint to alert_transitions does on SQLite:
        # copy, drop (which, foreign keys enforced, would cascade to notifications), rename.
        with operations.batch_alter_table("alert_transitions", recreate="always") as batch:
            batch.add_column(Column("dedup", String(64), nullable=True))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM notifications")).scalar() == 1
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_an_upgrade_that_would_leave_dangling_references_on_sqlite_changes_nothing(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path / "vigie.db")
    make_released_store(url, 1)
    engine = connect_engine(url)
    with engine.connect() as connection:  # a sample of no series, as a revision could leave it
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.execute(text("INSERT INTO samples VALUES (99, 0, 1.0)"))
        connection.commit()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    with pytest.raises(StoreUnavailable, match="refer to rows that do not exist"):
        upgrade(engine, shown_url(url))
    with engine.connect() as connection:
        assert read_version(connection, "") == StoreVersion(1, recorded=False)
    engine.dispose()


def test_openers_of_one_fresh_store_at_the_same_time_create_it_once(empty_url: str) -> None:
    """Each opener has its own engine and connection, as gunicorn's workers and the collector."""
    failures: list[BaseException] = []

    def open_it() -> None:
        try:
            Store.open(empty_url).close()
        except BaseException as exc:  # collected, then failed on below
            failures.append(exc)

    openers = [threading.Thread(target=open_it) for _ in range(4)]
    for opener in openers:
        opener.start()
    for opener in openers:
        opener.join(timeout=60)
    assert failures == []
    engine = connect_engine(empty_url)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    engine.dispose()
    assert versions == [(revision_id(HEAD),)]


def test_every_command_refuses_an_older_store_in_one_line_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    make_released_store(sqlite_url(path), 1)
    refused = run_vigie("alerts", "list", "--db", str(path), "--exercise", "1")
    assert (refused.returncode, refused.stderr.strip()) == (
        1,
        f"vigie: store is at version 1, this Vigie needs {HEAD}:"
        f" run `vigie db upgrade --db {sqlite_url(path)}`",
    )


def test_vigie_db_upgrade_says_from_which_version_and_twice_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    make_released_store(sqlite_url(path), 1)
    first = CliRunner().invoke(db_group, ["upgrade", "--db", str(path)])
    assert (first.exit_code, first.output.strip()) == (
        0,
        f"upgraded the store from version 1 (recognised by its tables, made before versions)"
        f" to {HEAD}",
    )
    again = CliRunner().invoke(db_group, ["upgrade", "--db", str(path)])
    assert (again.exit_code, again.output.strip()) == (
        0,
        f"the store is at version {HEAD} already: nothing to upgrade",
    )
    version = CliRunner().invoke(db_group, ["version", "--db", str(path)])
    assert version.output.strip() == f"the store is at version {HEAD}, this Vigie needs {HEAD}"


def test_vigie_db_refuses_a_store_file_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    done = CliRunner().invoke(db_group, ["version", "--db", str(missing)])
    assert (done.exit_code, done.output.strip()) == (
        1,
        f"vigie: no store at {missing}: the file does not exist",
    )
    assert not missing.exists()


def test_the_newest_version_is_alembics_head_and_the_revisions_follow_each_other() -> None:
    revisions = {r.revision: r.down_revision for r in scripts().walk_revisions()}
    numbers = sorted(int(revision) for revision in revisions)
    assert numbers == list(range(1, head_version() + 1))
    for number in numbers:
        expected = None if number == 1 else f"{number - 1:04d}"
        assert revisions[f"{number:04d}"] == expected
    assert sorted(SCHEMAS) == numbers, "each version needs its copy of schema.py in SCHEMAS"
