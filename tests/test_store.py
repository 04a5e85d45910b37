"""The store round-trips on SQLite and on a real PostgreSQL, and fails to open in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.postgres import free_port
from vigie.series import Sample
from vigie.store import HealthUpdate, Point, Store, StoreUnavailable, sqlite_url

LYON = (("faculty", "lyon"),)
NICE = (("faculty", "nice"),)


def fill(store: Store, seconds: int = 100) -> int:
    exercise = store.create_exercise(
        plan_id="drill", name="Drill", mode="drill", plan_toml="[exercise]", t0=1000.0
    )
    for second in range(seconds):
        at = 1000.0 + second
        store.write_cycle(
            exercise,
            [
                Sample("sessions_active", LYON, at, float(second)),
                Sample("sessions_active", NICE, at, 2.0 * second),
            ],
        )
    return exercise


def test_exercise_round_trip(store: Store) -> None:
    exercise = store.create_exercise(
        plan_id="ecnp", name="ECNp", mode="drill", plan_toml="[exercise]\nid='x'", t0=1642770000.0
    )
    record = store.exercise(exercise)
    assert record is not None
    assert (record.plan_id, record.mode, record.t0, record.ended) == (
        "ecnp",
        "drill",
        1642770000.0,
        None,
    )
    assert record.plan_toml == "[exercise]\nid='x'"
    store.end_exercise(exercise, 1642772220.0)
    ended = store.exercise(exercise)
    assert ended is not None and ended.ended == 1642772220.0
    assert [e.id for e in store.exercises()] == [exercise]


def test_latest_value_per_series_now_and_in_the_past(store: Store) -> None:
    exercise = fill(store)
    assert store.latest(exercise, "sessions_active", at=2000.0) == {
        LYON: Point(1099.0, 99.0),
        NICE: Point(1099.0, 198.0),
    }
    assert store.latest(exercise, "sessions_active", at=1010.5)[NICE] == Point(1010.0, 20.0)
    assert store.latest(exercise, "sessions_active", at=999.0) == {}


def test_range_is_downsampled_to_at_most_the_points_asked(store: Store) -> None:
    exercise = fill(store)
    averaged = store.downsampled(exercise, "sessions_active", 1000.0, 1099.0, points=10)
    assert len(averaged[LYON]) == 10
    assert averaged[LYON][0] == Point(1000.0, 4.5)  # mean of 0..9
    peaks = store.downsampled(exercise, "sessions_active", 1000.0, 1099.0, 10, aggregate="max")
    assert [p.value for p in peaks[NICE]] == [2.0 * (10 * k + 9) for k in range(10)]


def test_writing_the_same_sample_twice_keeps_one(store: Store) -> None:
    exercise = fill(store, seconds=3)
    store.write_cycle(exercise, [Sample("sessions_active", LYON, 1001.0, 1.0)])
    assert store.sample_count(exercise) == 6


def test_a_large_batch_is_written_exactly_and_rewriting_it_adds_nothing(store: Store) -> None:
    """An import chunk's size: PostgreSQL takes it through COPY, values kept to the bit."""
    exercise = store.create_exercise(
        plan_id="import", name="Import", mode="import", plan_toml="[exercise]", t0=0.0
    )
    values = [0.1 * i for i in range(1000)] + [1e-300, 2.5e300, -0.0, 1 / 3]
    batch = [
        Sample("cpu", (("host", f"h{i % 50}"),), float(i // 50), v) for i, v in enumerate(values)
    ]
    store.write_cycle(exercise, batch)
    store.write_cycle(exercise, [*batch[500:], Sample("cpu", (("host", "h0"),), 999.0, 7.0)])
    assert store.sample_count(exercise) == len(values) + 1
    stored = store.history(exercise, "cpu")
    assert sorted(p.value for points in stored.values() for p in points) == sorted([*values, 7.0])


def test_sums_by_instant_add_each_group_s_members_where_any_has_a_sample(store: Store) -> None:
    exercise = fill(store, seconds=4)  # lyon: 0 1 2 3, nice: 0 2 4 6
    store.write_cycle(exercise, [Sample("sessions_active", (("faculty", "pau"),), 1010.0, 5.0)])
    sums = store.reductions.sums_by_instant(
        exercise,
        "sessions_active",
        {"all": [LYON, NICE], "lyon": [LYON], "nobody": [(("faculty", "absent"),)]},
    )
    assert sums["all"] == [Point(1000.0 + s, 3.0 * s) for s in range(4)]
    assert sums["lyon"] == [Point(1000.0 + s, float(s)) for s in range(4)]
    assert sums["nobody"] == []


def test_peaks_first_reaching_and_runs_above_a_level(store: Store) -> None:
    exercise = store.create_exercise(
        plan_id="drill", name="Drill", mode="drill", plan_toml="[exercise]", t0=0.0
    )
    gw = (("server", "gw"),)
    values = [1, 5, 9, 12, 11, 8, 13, 13, 2]  # above 10: from t=3 and again from t=6
    for second, value in enumerate(values):
        store.write_cycle(exercise, [Sample("server_connections", gw, float(second), value)])
    reductions = store.reductions
    assert reductions.peaks(exercise, "server_connections") == {gw: 13.0}
    assert reductions.first_reaching(exercise, "server_connections", gw, 9) == 2.0
    assert reductions.first_reaching(exercise, "server_connections", gw, 14) is None
    assert reductions.runs_above(exercise, "server_connections", gw, 10) == [
        Point(3.0, 12.0),
        Point(6.0, 13.0),
    ]
    assert reductions.runs_above(exercise, "server_connections", (("server", "x"),), 0) == []


def test_series_are_separate_per_exercise(store: Store) -> None:
    first, second = fill(store, 2), fill(store, 5)
    assert store.sample_count(first) == 4 and store.sample_count(second) == 10


def test_health_and_annotations_round_trip(store: Store) -> None:
    exercise = fill(store, 1)
    store.write_cycle(exercise, [], [HealthUpdate("prom", 1001.0, False, 2.0, "timeout")])
    (health,) = store.source_health(exercise)
    assert (health.up, health.last_error, health.consecutive_failures) == (False, "timeout", 1)
    note = store.add_annotation(exercise, 1500.0, "decision", "operator", "hold wave 4", wave=4)
    (annotation,) = store.annotations(exercise)
    assert (annotation.id, annotation.kind, annotation.wave, annotation.text) == (
        note,
        "decision",
        4,
        "hold wave 4",
    )


def test_sqlite_store_runs_in_wal_mode(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_unreachable_postgres_fails_in_one_line() -> None:
    url = f"postgresql+psycopg://vigie:secret@127.0.0.1:{free_port()}/vigie"
    with pytest.raises(StoreUnavailable) as caught:
        Store.open(url)
    message = str(caught.value)
    assert "\n" not in message and "secret" not in message
    assert message.startswith("cannot open store postgresql+psycopg://vigie:***@127.0.0.1:")


def test_sqlite_file_in_a_missing_folder_fails_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="cannot open store sqlite:///"):
        Store.open(sqlite_url(tmp_path / "no" / "such" / "dir" / "v.db"))


def test_unknown_url_scheme_is_refused() -> None:
    with pytest.raises(StoreUnavailable, match="not a usable URL"):
        Store.open("nosuchdb://x")


def test_a_failed_transaction_leaves_no_phantom_series_behind(sqlite_store: Store) -> None:
    exercise = sqlite_store.create_exercise(
        plan_id="drill", name="Drill", mode="drill", plan_toml="", t0=0.0
    )
    boom = Sample("sessions_active", LYON, 1.0, 1.0)
    broken_health = [None]  # fails after the series was inserted, inside the transaction
    with pytest.raises(AttributeError):
        sqlite_store.write_cycle(exercise, [boom], broken_health)  # type: ignore[arg-type]
    sqlite_store.write_cycle(exercise, [boom])  # the series is created again, not a dangling id
    assert sqlite_store.latest(exercise, "sessions_active", 2.0) == {LYON: Point(1.0, 1.0)}


def test_a_screen_reads_an_exercise_without_its_plan(store: Store) -> None:
    first = store.create_exercise(
        plan_id="ecnp", name="first", mode="drill", plan_toml="# plan one", t0=10.0
    )
    newest = store.create_exercise(
        plan_id="ecnp", name="second", mode="live", plan_toml="# plan two", t0=20.0
    )
    store.end_exercise(first, 30.0)
    light = store.exercise_without_plan(first)
    assert light is not None and (light.name, light.ended, light.plan_toml) == ("first", 30.0, "")
    newest_light = store.exercise_without_plan()
    assert newest_light is not None and (newest_light.id, newest_light.mode) == (newest, "live")
    assert store.exercise_without_plan(newest + 1) is None
