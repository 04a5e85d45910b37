"""The first page, served by the real Dash app: live, stale, replayed and stopped states."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import SMALL_PLAN
from tests.support.dash_client import by_id, overview_request, texts
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.dashboard.context import ViewContext
from vigie.dashboard.state import WaveState, overview
from vigie.drill import run_drill
from vigie.plan import Plan
from vigie.series import Sample
from vigie.store import HealthUpdate, Store


@pytest.fixture
def drilled(sqlite_store: Store, small_plan: Plan) -> Iterator[tuple[Store, int, float]]:
    run = run_drill(small_plan, SMALL_PLAN.read_text(encoding="utf-8"), sqlite_store)
    record = sqlite_store.exercise(run.exercise_id)
    assert record is not None
    yield sqlite_store, run.exercise_id, record.t0


def client_at(store: Store, exercise_id: int, at: float) -> tuple[FlaskClient, VirtualClock]:
    clock = VirtualClock(at)
    app = create_app(store, clock, exercise_id)
    return app.server.test_client(), clock


def refresh(client: FlaskClient, search: str = "") -> dict[str, Any]:
    response = client.post("/_dash-update-component", json=overview_request(search))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]  # type: ignore[no-any-return]


def test_wave_states_follow_the_exercise_clock(drilled: tuple[Store, int, float]) -> None:
    store, exercise_id, t0 = drilled
    context = ViewContext(store, VirtualClock(t0), exercise_id)
    exercise = context.exercise()
    assert exercise is not None
    early = overview(store, exercise, t0 + 120)
    assert [w.state for w in early.waves] == [WaveState.COMPLETE, WaveState.PLANNED]
    assert early.active == early.waves[0].connected == 200
    assert not early.freshness.stale and early.stopped_at_s is None
    stopped = overview(store, exercise, t0 + 11 * 60)
    assert stopped.stopped_at_s == 600
    assert stopped.active == 0


def test_page_shows_active_sessions_against_the_plan(drilled: tuple[Store, int, float]) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0 + 120)
    assert client.get("/").status_code == 200
    response = refresh(client)
    body = response["overview-body"]["children"]
    assert texts(by_id(body, "overview-active")) == ["200"]
    assert "of 300 expected" in texts(body)
    assert texts(by_id(body, "overview-wave-2"))[0:2] == ["Wave 2", "0 / 100"]
    assert "LIVE" in texts(response["overview-header"]["children"])
    assert "T+02:00" in texts(response["overview-header"]["children"])


def test_data_older_than_two_polls_is_shown_stale_not_live(
    drilled: tuple[Store, int, float],
) -> None:
    store, exercise_id, t0 = drilled
    # The drill's store ends at T+10:00; a live clock at T+10:03 sees 3 s old data.
    store.end_exercise(exercise_id, t0 + 10_000)  # pretend it is still running
    client, _ = client_at(store, exercise_id, t0 + 603)
    header = texts(refresh(client)["overview-header"]["children"])
    assert any(t.startswith("STALE: last data at") for t in header)
    assert "LIVE" not in header


def test_replay_shows_the_exercise_as_it_was(drilled: tuple[Store, int, float]) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0 + 11 * 60)
    response = refresh(client, "?at=120")
    assert texts(by_id(response["overview-body"]["children"], "overview-active")) == ["200"]
    assert any(t.startswith("REPLAY at") for t in texts(response["overview-header"]["children"]))


def test_a_bad_instant_is_explained_and_the_page_stays_live(
    drilled: tuple[Store, int, float],
) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0 + 60)
    header = texts(refresh(client, "?at=<b>soon</b>")["overview-header"]["children"])
    assert any("is not a number of seconds from T+0" in t for t in header)


def test_stopped_exercise_says_so(drilled: tuple[Store, int, float]) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0 + 700)
    header = texts(refresh(client)["overview-header"]["children"])
    assert "EXERCISE STOPPED at T+10:00" in header


def test_chart_draws_total_sessions_and_the_plan_total(drilled: tuple[Store, int, float]) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0 + 300)
    figure = refresh(client)["overview-chart"]["figure"]
    (trace,) = figure["data"]
    assert 0 < len(trace["y"]) <= 300
    assert max(trace["y"]) > 200
    assert any(shape.get("y0") == 300 for shape in figure["layout"]["shapes"])


def test_empty_store_says_there_is_no_exercise(sqlite_store: Store) -> None:
    app = create_app(sqlite_store, VirtualClock(0.0))
    response = refresh(app.server.test_client())
    assert "No exercise in the store yet." in texts(response["overview-body"]["children"])


def test_health_endpoint_reports_the_source(drilled: tuple[Store, int, float]) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0)
    body = client.get("/healthz").get_json()
    assert body["exercise"] == exercise_id and body["sources"]["platform"]["up"] is True


def test_a_source_that_went_down_makes_the_screen_say_monitoring_blind(
    drilled: tuple[Store, int, float],
) -> None:
    store, exercise_id, t0 = drilled
    store.end_exercise(exercise_id, t0 + 10_000)  # still running, as far as the screen knows
    for second in (601, 602, 603):
        store.write_cycle(
            exercise_id,
            [Sample("source_up", (("source", "platform"),), t0 + second, 0.0)],
            [HealthUpdate("platform", t0 + second, False, 2.0, "cannot connect")],
        )
    client, _ = client_at(store, exercise_id, t0 + 603.5)
    header = texts(refresh(client)["overview-header"]["children"])
    went_down = datetime.fromtimestamp(t0 + 601, UTC).strftime("%H:%M:%S")
    assert f"MONITORING BLIND: platform since {went_down}" in header
    assert store.down_since(exercise_id, "platform", t0 + 600) is None  # it was up then


def test_firing_alerts_are_listed_most_severe_first_as_they_were_then(
    drilled: tuple[Store, int, float],
) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0 + 11 * 60)
    early = texts(by_id(refresh(client, "?at=30")["overview-body"]["children"], "overview-alerts"))
    assert early[0:2] == ["Alerts", "CRITICAL"]
    gate = next(line for line in early if line.startswith("Wave 2 (100 students) would take gw"))
    assert gate.endswith("HOLD. At most 9 students fit; split the wave.")
    before_start = texts(
        by_id(refresh(client, "?at=-5")["overview-body"]["children"], "overview-alerts")
    )
    assert before_start == ["Alerts", "No alert firing"]


def test_viewers_of_the_same_tick_share_one_computation(drilled: tuple[Store, int, float]) -> None:
    store, exercise_id, t0 = drilled
    reads: list[float] = []
    original = store.downsampled

    def counting(*args: object, **kwargs: object) -> object:
        reads.append(1.0)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    store.downsampled = counting  # type: ignore[method-assign, assignment]
    client, clock = client_at(store, exercise_id, t0 + 120.1)
    for _ in range(20):  # twenty viewers refresh within the same poll interval
        refresh(client)
    assert len(reads) == 1
    clock.advance(1.0)  # the next tick is computed afresh
    refresh(client)
    assert len(reads) == 2
