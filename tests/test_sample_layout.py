"""The write path's layout: recent samples appended per bucket, folded into `samples`.

Every read answers as if there were one table, across the boundary between the
two; a failed cycle leaves nothing of its batch and undoes its fold; writing a
sample again is a no-op on whichever side it lives; a store of version 7 holding
samples upgrades with all of them readable and rewritable. SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Table, create_engine, func, select

from tests.fixtures.schemas import v7
from tests.support.postgres import PostgresServer
from vigie.series import Labels, Sample
from vigie.store import Point, Store, sqlite_url
from vigie.store.database import connect_engine, shown_url
from vigie.store.migrations.history import revision_id
from vigie.store.migrations.versioning import upgrade, version_table
from vigie.store.records import labels_key
from vigie.store.sample_layout import BUCKET_SERIES, FOLD_EVERY_MS
from vigie.store.schema import recent_samples, sample_buckets, samples

T0 = 1_700_000_000.0
SITES = BUCKET_SERIES + 4  # two buckets of series (test_store.py has a batch through COPY)
STEP = 10  # seconds between cycles: few cycles, yet every bucket folds at least once
CYCLES = 3 * FOLD_EVERY_MS // 1000 // 2 // STEP  # 180 s
PLATFORM = (("source", "platform"),)


def site(k: int) -> Labels:
    return (("faculty", f"f{k:03d}"),)


def at(n: int) -> float:
    return T0 + n * STEP


def value_at(k: int, n: int) -> float:
    return float((k * 7 + n * 3) % 50)


def sessions(n: int) -> list[Sample]:
    """Cycle n's sessions, at T0 + n * STEP."""
    return [Sample("sessions_active", site(k), at(n), value_at(k, n)) for k in range(SITES)]


def cycle(n: int) -> list[Sample]:
    up = 0.0 if 10 <= n < 12 or n >= CYCLES - 2 else 1.0  # two failing streaks
    return [*sessions(n), Sample("source_up", PLATFORM, at(n), up)]


def drilled(store: Store) -> int:
    exercise = store.create_exercise(
        plan_id="scale", name="Scale", mode="drill", plan_toml="[exercise]", t0=T0
    )
    for n in range(CYCLES):
        store.write_cycle(exercise, cycle(n))
    return exercise


def rows_in(store: Store, table: Table) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_every_read_answers_across_the_boundary_as_one_table(store: Store) -> None:
    exercise = drilled(store)
    assert rows_in(store, samples) > 0 and rows_in(store, recent_samples) > 0  # both sides
    expected = {
        site(k): [Point(at(n), value_at(k, n)) for n in range(CYCLES)] for k in range(SITES)
    }
    assert store.history(exercise, "sessions_active") == expected
    window = store.window(exercise, "sessions_active", at(5), at(CYCLES))
    assert window == {k: points[5:] for k, points in expected.items()}
    newest = at(CYCLES - 1)
    latest = store.latest(exercise, "sessions_active", newest)
    assert latest == {k: points[-1] for k, points in expected.items()}
    assert store.latest(exercise, "sessions_active", at(3) + 5)[site(3)] == expected[site(3)][3]
    peaks = store.bucketed(
        exercise,
        "sessions_active",
        origin=T0,
        width=3 * STEP,
        start=T0,
        end=newest,
        aggregate="max",
    )
    assert peaks[site(0)] == [
        Point(at(3 * b), max(value_at(0, n) for n in range(3 * b, 3 * b + 3))) for b in range(6)
    ]
    means = store.bucketed(
        exercise, "sessions_active", origin=T0, width=6 * STEP, start=T0, end=newest, only=site(5)
    )
    assert means == {
        site(5): [
            Point(at(6 * b), sum(value_at(5, n) for n in range(6 * b, 6 * b + 6)) / 6)
            for b in range(3)
        ]
    }
    assert store.down_since(exercise, "platform", at(11)) == at(10)
    assert store.down_since(exercise, "platform", newest) == at(CYCLES - 2)
    assert store.sample_count(exercise) == CYCLES * (SITES + 1)
    assert len(list(store.every_sample(exercise))) == CYCLES * (SITES + 1)
    reductions = store.reductions
    sums = reductions.sums_by_instant(exercise, "sessions_active", {"all": list(expected)})
    assert sums["all"] == [
        Point(at(n), sum(value_at(k, n) for k in range(SITES))) for n in range(CYCLES)
    ]
    assert reductions.peaks(exercise, "sessions_active")[site(1)] == 49.0
    assert reductions.first_reaching(exercise, "source_up", PLATFORM, 1) == T0
    assert reductions.runs_above(exercise, "source_up", PLATFORM, 0.5) == [
        Point(T0, 1.0),
        Point(at(12), 1.0),
    ]


def test_writing_a_cycle_again_adds_nothing_on_either_side(store: Store) -> None:
    exercise = drilled(store)
    counted = rows_in(store, samples), rows_in(store, recent_samples)
    store.write_cycle(exercise, cycle(1))  # long folded: goes back to `samples`
    store.write_cycle(exercise, cycle(CYCLES - 1))  # the newest: still recent, for some buckets
    assert (rows_in(store, samples), rows_in(store, recent_samples)) == counted
    assert store.sample_count(exercise) == CYCLES * (SITES + 1)


def test_a_failed_cycle_leaves_nothing_of_its_batch_and_undoes_its_fold(store: Store) -> None:
    exercise = drilled(store)
    with store.engine.connect() as connection:
        boundaries = connection.execute(select(sample_buckets)).all()
    counted = rows_in(store, samples), rows_in(store, recent_samples)
    late = at(CYCLES) + FOLD_EVERY_MS / 1000  # every bucket falls due in this cycle
    batch = [Sample(s.name, s.labels, late, s.value) for s in cycle(0)]
    with pytest.raises(AttributeError):  # fails after the samples and the folds, inside
        store.write_cycle(exercise, batch, [None])  # type: ignore[list-item]
    assert (rows_in(store, samples), rows_in(store, recent_samples)) == counted
    with store.engine.connect() as connection:
        assert connection.execute(select(sample_buckets)).all() == boundaries
    store.write_cycle(exercise, batch)  # the same batch, retried: all of it, once
    assert store.sample_count(exercise) == (CYCLES + 1) * (SITES + 1)
    assert store.latest(exercise, "sessions_active", late)[site(9)] == Point(late, value_at(9, 0))


def test_ending_an_exercise_folds_its_recent_samples(store: Store) -> None:
    exercise = drilled(store)
    before = store.history(exercise, "sessions_active")
    store.end_exercise(exercise, at(CYCLES))
    assert rows_in(store, recent_samples) == 0
    assert store.history(exercise, "sessions_active") == before


def seven_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "v7.db")
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database_url()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def version_7_store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store as version 7 made it, holding samples of series in two buckets."""
    url = seven_url(request, tmp_path)
    engine = create_engine(url)
    with engine.begin() as connection:
        v7.metadata.create_all(connection)
        version_table.create(connection)
        connection.execute(version_table.insert().values(version_num=revision_id(7)))
        tables = v7.metadata.tables
        connection.execute(
            tables["exercises"]
            .insert()
            .values(plan_id="scale", name="Scale", mode="live", plan_toml="", t0_ms=0, created_ms=0)
        )
        connection.execute(
            tables["series"].insert(),
            [
                {"exercise_id": 1, "name": "sessions_active", "labels": labels_key(site(k))}
                for k in range(SITES)
            ],
        )
        connection.execute(
            tables["samples"].insert(),
            [
                {"series_id": k + 1, "ts_ms": round(at(n) * 1000), "value": value_at(k, n)}
                for k in range(SITES)
                for n in range(5)
            ],
        )
    engine.dispose()
    return url


def test_a_version_7_store_holding_samples_upgrades_and_reads_and_rewrites_them(
    version_7_store: str,
) -> None:
    engine = connect_engine(version_7_store)
    upgrade(engine, shown_url(version_7_store))
    with engine.connect() as connection:
        boundaries = {b: ms for b, ms in connection.execute(select(sample_buckets))}
    engine.dispose()
    assert boundaries == {b: round(at(4) * 1000) for b in range(2)}
    store = Store.open(version_7_store)
    try:
        expected = {site(k): [Point(at(n), value_at(k, n)) for n in range(5)] for k in range(SITES)}
        assert store.history(1, "sessions_active") == expected
        store.write_cycle(1, sessions(4))  # written before the upgrade: nothing added
        assert rows_in(store, samples) == 5 * SITES and rows_in(store, recent_samples) == 0
        store.write_cycle(1, sessions(5))  # a new instant: appended to the recent side
        assert rows_in(store, recent_samples) == SITES
        assert store.sample_count(1) == 6 * SITES
        assert store.latest(1, "sessions_active", at(5))[site(7)] == Point(at(5), value_at(7, 5))
    finally:
        store.close()
