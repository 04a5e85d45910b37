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
from vigie.store.engine import connect_engine, shown_url
from vigie.store.migrations.versioning import upgrade, version_table
from vigie.store.migrations.history import revision_id
from vigie.store.records import labels_key
from vigie.store.sample_layout import BUCKET_SERIES, FOLD_EVERY_MS
from vigie.store.schema import recent_samples, sample_buckets, samples

T0 = 1_700_000_000.0
SITES = 2 * BUCKET_SERIES + 4  # three buckets of series
CYCLES = 3 * FOLD_EVERY_MS // 1000 // 2  # 180 s: every bucket folds at least once


def site(k: int) -> Labels:
    return (("faculty", f"f{k:03d}"),)


def value_at(k: int, second: int) -> float:
    return float((k * 7 + second * 3) % 50)


def cycle(second: int) -> list[Sample]:
    at = T0 + second
    batch = [Sample("sessions_active", site(k), at, value_at(k, second)) for k in range(SITES)]
    up = 0.0 if 100 <= second < 110 or second >= CYCLES - 5 else 1.0  # two failing streaks
    return [*batch, Sample("source_up", (("source", "platform"),), at, up)]


def drilled(store: Store) -> int:
    exercise = store.create_exercise("scale", "Scale", "drill", "[exercise]", T0)
    for second in range(CYCLES):
        store.write_cycle(exercise, cycle(second))
    return exercise


def rows_in(store: Store, table: Table) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_every_read_answers_across_the_boundary_as_one_table(store: Store) -> None:
    exercise = drilled(store)
    assert rows_in(store, samples) > 0 and rows_in(store, recent_samples) > 0  # both sides
    expected = {
        site(k): [Point(T0 + s, value_at(k, s)) for s in range(CYCLES)] for k in range(SITES)
    }
    assert store.history(exercise, "sessions_active") == expected
    window = store.window(exercise, "sessions_active", T0 + 50, T0 + CYCLES)
    assert window == {k: points[50:] for k, points in expected.items()}
    newest = T0 + CYCLES - 1
    latest = store.latest(exercise, "sessions_active", newest)
    assert latest == {k: points[-1] for k, points in expected.items()}
    assert store.latest(exercise, "sessions_active", T0 + 10)[site(3)] == expected[site(3)][10]
    peaks = store.bucketed(exercise, "sessions_active", T0, 30, T0, newest, aggregate="max")
    assert peaks[site(0)] == [
        Point(T0 + 30 * b, max(value_at(0, s) for s in range(30 * b, 30 * b + 30)))
        for b in range(6)
    ]
    means = store.bucketed(exercise, "sessions_active", T0, 60, T0, newest, only=site(5))
    assert means == {
        site(5): [
            Point(T0 + 60 * b, sum(value_at(5, s) for s in range(60 * b, 60 * b + 60)) / 60)
            for b in range(3)
        ]
    }
    assert store.down_since(exercise, "platform", T0 + 105) == T0 + 100
    assert store.down_since(exercise, "platform", newest) == T0 + CYCLES - 5
    assert store.sample_count(exercise) == CYCLES * (SITES + 1)
    exported = list(store.every_sample(exercise))
    assert len(exported) == CYCLES * (SITES + 1)
    reductions = store.reductions
    sums = reductions.sums_by_instant(exercise, "sessions_active", {"all": list(expected)})
    assert sums["all"] == [
        Point(T0 + s, sum(value_at(k, s) for k in range(SITES))) for s in range(CYCLES)
    ]
    assert reductions.peaks(exercise, "sessions_active")[site(1)] == 49.0
    assert reductions.first_reaching(exercise, "source_up", (("source", "platform"),), 1) == T0
    runs = reductions.runs_above(exercise, "source_up", (("source", "platform"),), 0.5)
    assert runs == [Point(T0, 1.0), Point(T0 + 110, 1.0)]


def test_writing_a_cycle_again_adds_nothing_on_either_side(store: Store) -> None:
    exercise = drilled(store)
    counted = rows_in(store, samples), rows_in(store, recent_samples)
    store.write_cycle(exercise, cycle(3))  # long folded: goes back to `samples`
    store.write_cycle(exercise, cycle(CYCLES - 1))  # the newest: still recent, for some buckets
    assert (rows_in(store, samples), rows_in(store, recent_samples)) == counted
    assert store.sample_count(exercise) == CYCLES * (SITES + 1)


def test_a_failed_cycle_leaves_nothing_of_its_batch_and_undoes_its_fold(store: Store) -> None:
    exercise = drilled(store)
    with store.engine.connect() as connection:
        boundaries = connection.execute(select(sample_buckets)).all()
    counted = rows_in(store, samples), rows_in(store, recent_samples)
    late = T0 + CYCLES + FOLD_EVERY_MS / 1000  # every bucket falls due in this cycle
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
    store.end_exercise(exercise, T0 + CYCLES)
    assert rows_in(store, recent_samples) == 0
    assert store.history(exercise, "sessions_active") == before


def seven_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "v7.db")
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database_url()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def version_7_store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store as version 7 made it, holding samples of series in three buckets."""
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
                {"series_id": k + 1, "ts_ms": round((T0 + s) * 1000), "value": value_at(k, s)}
                for k in range(SITES)
                for s in range(5)
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
    assert boundaries == {b: round((T0 + 4) * 1000) for b in range(3)}
    store = Store.open(version_7_store)
    try:
        expected = {
            site(k): [Point(T0 + s, value_at(k, s)) for s in range(5)] for k in range(SITES)
        }
        assert store.history(1, "sessions_active") == expected
        store.write_cycle(1, cycle(4))  # written before the upgrade: only source_up is new
        store.write_cycle(1, cycle(5))  # a new instant: appended to the recent side
        assert rows_in(store, recent_samples) == SITES + 1
        assert store.sample_count(1) == 6 * SITES + 2
        assert store.latest(1, "sessions_active", T0 + 5)[site(7)] == Point(T0 + 5, value_at(7, 5))
    finally:
        store.close()
