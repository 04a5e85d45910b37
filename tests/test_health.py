"""/healthz: the collector's freshness against the plan's fastest poll, on the app's clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import SMALL_PLAN
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.store import HealthUpdate, Store, sqlite_url
from vigie.store.database import open_engine

T0 = 1_750_000_000.0


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(T0)


@pytest.fixture
def store(tmp_path: Path, clock: VirtualClock) -> Iterator[Store]:
    """A store whose exercises are created on the virtual clock, as the app judges them."""
    store = Store(open_engine(sqlite_url(tmp_path / "vigie.db")), wall_clock=clock.now)
    yield store
    store.close()


def exercise(store: Store, mode: str = "live") -> int:
    plan = SMALL_PLAN.read_text(encoding="utf-8")  # one source, polled every second
    return store.create_exercise(
        plan_id="small-drill", name="Small", mode=mode, plan_toml=plan, t0=T0
    )


def poll(store: Store, exercise_id: int, at: float) -> None:
    store.write_cycle(exercise_id, [], [HealthUpdate("platform", at, False, 0.02, "refused")])


def health(client: FlaskClient) -> tuple[int, dict[str, Any]]:
    response = client.get("/healthz")
    body = response.get_json()
    assert isinstance(body, dict)
    return response.status_code, body


def test_healthz_is_200_while_the_collector_writes_even_when_its_source_is_down(
    store: Store, clock: VirtualClock
) -> None:
    exercise_id = exercise(store)
    client = create_app(store, clock, exercise_id).server.test_client()
    for _ in range(3):
        clock.advance(1)
        poll(store, exercise_id, clock.now())
        status, body = health(client)
        assert status == 200 and body["status"] == "ok"
    assert body["collector"]["state"] == "fresh"
    assert body["collector"]["newest_write"] == clock.now()
    assert body["sources"]["platform"]["up"] is False  # a source down is the blind rule's


def test_healthz_is_503_once_nothing_was_written_for_two_polls(
    store: Store, clock: VirtualClock
) -> None:
    exercise_id = exercise(store)
    client = create_app(store, clock, exercise_id).server.test_client()
    poll(store, exercise_id, T0 + 1)
    clock.set(T0 + 3)  # 2 s: two polls, not yet more
    assert health(client)[0] == 200
    clock.set(T0 + 8)
    status, body = health(client)
    assert status == 503 and body["status"] == "stale"
    assert body["collector"]["reason"] == "nothing written for 7 s, polls every 1 s"
    assert body["collector"]["age_s"] == 7.0
    poll(store, exercise_id, clock.now())  # the collector is back
    assert health(client)[0] == 200


def test_a_collector_that_never_wrote_is_stale_two_polls_after_the_exercise_opened(
    store: Store, clock: VirtualClock
) -> None:
    client = create_app(store, clock, exercise(store)).server.test_client()
    clock.advance(2)
    assert health(client)[0] == 200
    clock.advance(3)
    status, body = health(client)
    assert status == 503
    assert body["collector"]["reason"] == (
        "nothing written since the exercise opened 5 s ago, polls every 1 s"
    )


def test_an_ended_exercise_is_not_stale_and_says_when_it_ended(
    store: Store, clock: VirtualClock
) -> None:
    exercise_id = exercise(store)
    poll(store, exercise_id, T0 + 1)
    store.end_exercise(exercise_id, T0 + 600)
    clock.set(T0 + 3600)
    status, body = health(create_app(store, clock, exercise_id).server.test_client())
    assert status == 200 and body["status"] == "ok"
    assert body["collector"] == {
        "state": "ended",
        "reason": "the exercise ended at 2025-06-15T15:16:40Z",
        "newest_write": None,
        "age_s": None,
        "poll_interval_s": 1.0,
    }


@pytest.mark.parametrize("mode", ["drill", "import"])
def test_a_store_written_whole_has_no_collector_to_wait_for(
    store: Store, clock: VirtualClock, mode: str
) -> None:
    exercise_id = exercise(store, mode)
    clock.advance(3600)
    status, body = health(create_app(store, clock, exercise_id).server.test_client())
    assert status == 200
    assert body["collector"]["state"] == "not_collected"
    assert (
        body["collector"]["reason"]
        == f"a {mode} exercise is stored whole: no collector runs for it"
    )


def test_an_empty_store_is_healthy(store: Store, clock: VirtualClock) -> None:
    assert health(create_app(store, clock).server.test_client()) == (
        200,
        {"status": "ok", "exercise": None},
    )
