"""The screens over HTTP, as a browser calls them: wall and console from the per-tick state."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Drilled
from tests.support.dash_client import (
    by_id,
    call,
    callback_request,
    classes,
    console_request,
    texts,
    wall_request,
)
from vigie.alerts.engine import AlertEngine
from vigie.clock import VirtualClock
from vigie.collectors.cycle import CycleResult
from vigie.dashboard.app import create_app
from vigie.plan import Plan
from vigie.series import Sample
from vigie.store import HealthUpdate, Store
from vigie.tick import TickState
from vigie.tick.recorder import TickRecorder


def client_at(store: Store, exercise_id: int, at: float) -> tuple[FlaskClient, VirtualClock]:
    clock = VirtualClock(at)
    app = create_app(store, clock, exercise_id)
    return app.server.test_client(), clock


def wall(client: FlaskClient, search: str = "", language: str | None = None) -> Any:
    return call(client, wall_request(search, language))["wall-screen"]["children"]


def still_running(store: Store, exercise_id: int, t0: float, plan: Plan) -> TickRecorder:
    """The drill is over; make the store look like a live exercise whose collector goes on."""
    store.end_exercise(exercise_id, t0 + 100_000)
    engine = AlertEngine(plan, store, exercise_id, t0, plan.poll_interval_s)
    engine.prime(t0 + 600)
    return TickRecorder(store, exercise_id, engine)


def test_wall_shows_active_sessions_against_the_plan(drilled: Drilled) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0 + 120)
    assert client.get("/wall").status_code == 200
    screen = wall(client)
    assert texts(by_id(screen, "wall-active")) == ["200"]
    assert "of 300 expected" in texts(screen)
    assert texts(by_id(screen, "wall-wave-2"))[0:3] == ["Wave 2", "in 1 min 00 s", "0 / 100"]
    assert "LIVE" in texts(by_id(screen, "wall-status"))
    assert "T+02:00" in texts(screen)


def test_wall_shows_every_server_against_its_limit_coloured_by_severity(drilled: Drilled) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0 + 11 * 60)
    calm = by_id(wall(client, "?at=20"), "wall-server-gw")
    gw_calm = texts(calm)
    assert gw_calm[0] == "gw" and gw_calm[1].endswith("%") and gw_calm[2].endswith(" / 440")
    assert "headroom" in gw_calm[3]
    assert "is-ok" in classes(calm)
    rows = [
        classes(by_id(wall(client, f"?at={at}"), "wall-server-gw")).split()
        for at in range(20, 600, 20)
    ]
    assert {"is-ok", "is-warning", "is-critical"} <= {
        row[1] for row in rows
    }  # wave 1 takes gw near its limit
    refusing = [row for row in rows if "is-refusing" in row]
    assert refusing and all("is-ok" not in row for row in refusing)  # never green while refusing


def test_wave_gate_says_hold_with_the_students_that_fit(drilled: Drilled) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0 + 11 * 60)
    gate = texts(by_id(wall(client, "?at=30"), "wall-gate"))
    assert gate[0:3] == ["Wave gate", "Wave 2: 100 students · planned in 2 min 30 s", "HOLD"]
    # The verdict of the instant shown (measured ratios), not the numbers it fired with.
    fit = next(line for line in gate if line.endswith(" students fit"))
    assert 0 < int(fit.split()[0]) < 100
    assert any(line.startswith("gw would reach") for line in gate)


def test_alerts_are_listed_most_severe_first_as_they_were_then(drilled: Drilled) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0 + 11 * 60)
    early = texts(by_id(wall(client, "?at=30"), "wall-alerts"))
    assert early[0:2] == ["Alerts", "CRITICAL"]
    assert any(
        line.startswith("Wave 2 (100 students) would take gw")
        and line.endswith("HOLD. At most 9 students fit; split the wave.")
        for line in early
    )
    before = wall(client, "?at=-5")  # nothing was judged before T+0
    assert by_id(before, "wall-alerts") is None and "No data yet" in texts(before)


def test_replay_shows_the_exercise_as_it_was(drilled: Drilled) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0 + 11 * 60)
    screen = wall(client, "?at=120")
    assert texts(by_id(screen, "wall-active")) == ["200"]
    assert texts(by_id(screen, "wall-status"))[0].startswith("REPLAY at")


def test_a_bad_instant_is_explained_and_the_screen_stays_live(drilled: Drilled) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0 + 60)
    screen = texts(wall(client, "?at=<b>soon</b>"))
    assert any("is not a number of seconds from T+0; showing live" in t for t in screen)
    assert "LIVE" in screen


def test_stopped_exercise_says_so_and_its_last_numbers_are_final(drilled: Drilled) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0 + 700)
    screen = wall(client)
    assert "EXERCISE STOPPED at T+10:00" in texts(by_id(screen, "wall-status"))
    assert by_id(screen, "wall-blind") is None


def test_a_collector_that_stopped_writing_makes_the_wall_blind_not_live(
    drilled: Drilled, small_plan: Plan
) -> None:
    store, exercise_id, t0 = drilled
    still_running(store, exercise_id, t0, small_plan)
    client, _ = client_at(store, exercise_id, t0 + 603)  # the last state is of T+10:00
    screen = wall(client)
    banner = texts(by_id(screen, "wall-blind"))
    assert banner and banner[0].startswith("MONITORING BLIND: Vigie collector since")
    assert "LIVE" not in texts(screen)


def test_a_source_that_went_down_makes_the_wall_say_monitoring_blind(
    drilled: Drilled, small_plan: Plan
) -> None:
    store, exercise_id, t0 = drilled
    recorder = still_running(store, exercise_id, t0, small_plan)
    for second in (601, 602, 603):
        down = CycleResult(
            [Sample("source_up", (("source", "platform"),), t0 + second, 0.0)],
            [HealthUpdate("platform", t0 + second, False, 2.0, "cannot connect")],
        )
        store.write_cycle(exercise_id, down.samples, down.health)
        recorder.after_cycle(t0 + second, down)
    client, _ = client_at(store, exercise_id, t0 + 603.5)
    screen = wall(client)
    banner = texts(by_id(screen, "wall-blind"))
    assert banner and banner[0].startswith("MONITORING BLIND: platform since")
    # the numbers are three polls old: shown struck through, with their age
    assert "is-stale" in classes(by_id(screen, "wall-server-gw"))
    assert any(line.startswith("last seen at") for line in texts(by_id(screen, "wall-server-gw")))


def test_language_comes_from_the_plan_and_a_browser_may_choose_another(drilled: Drilled) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0 + 120)
    french = texts(wall(client, "?lang=fr"))
    assert "Sessions actives" in french and "sur 300 attendus" in french
    remembered = texts(wall(client, "", language="fr"))  # chosen once, kept by the browser
    assert "Sessions actives" in remembered
    assert "Active sessions" in texts(wall(client, "?lang=xx"))  # unknown: English


def test_console_charts_are_downsampled_and_draw_the_limits(drilled: Drilled) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0 + 300)
    response = call(client, console_request())
    sessions = response["console-sessions"]["figure"]
    total = sessions["data"][0]
    assert 0 < len(total["y"]) <= 300 and max(total["y"]) > 200
    assert any(shape.get("y0") == 300 for shape in sessions["layout"]["shapes"])
    connections = response["console-connections"]["figure"]
    assert any(shape.get("y0") == 440 for shape in connections["layout"]["shapes"])
    markers = [t for t in connections["data"] if t.get("mode") == "markers"]
    assert markers and len(markers[0]["x"]) >= 1  # alerts drawn where they fired
    per_wave = call(client, console_request(view="waves"))["console-sessions"]["figure"]
    assert [t["name"] for t in per_wave["data"] if t.get("mode") == "lines"] == ["Wave 1", "Wave 2"]


def test_empty_store_says_there_is_no_exercise(sqlite_store: Store) -> None:
    app = create_app(sqlite_store, VirtualClock(0.0))
    assert wall(app.server.test_client()) == {
        "namespace": "dash_html_components",
        "props": {"children": "No exercise in the store yet."},
        "type": "H1",
    }


def test_health_endpoint_reports_the_source(drilled: Drilled) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0)
    body = client.get("/healthz").get_json()
    assert body["exercise"] == exercise_id and body["sources"]["platform"]["up"] is True


def test_wall_viewers_of_the_same_second_share_one_state_and_read_no_history(
    drilled: Drilled, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, exercise_id, t0 = drilled
    decoded: list[int] = []
    original = TickState.decode.__func__  # type: ignore[attr-defined]

    def counting(cls: type[TickState], body: bytes) -> TickState:
        decoded.append(1)
        return original(cls, body)  # type: ignore[no-any-return]

    monkeypatch.setattr(TickState, "decode", classmethod(counting))
    history_reads: list[int] = []
    monkeypatch.setattr(store, "downsampled", lambda *a, **k: history_reads.append(1))
    monkeypatch.setattr(store.alerts, "last_states", lambda *a, **k: history_reads.append(1))
    client, clock = client_at(store, exercise_id, t0 + 120.1)
    for _ in range(20):  # twenty wall screens refresh within the same poll interval
        wall(client)
    assert decoded == [1] and history_reads == []
    clock.advance(1.0)  # the next tick is read afresh
    wall(client)
    assert decoded == [1, 1] and history_reads == []


def test_a_malformed_callback_is_refused_with_a_4xx(drilled: Drilled) -> None:
    store, exercise_id, t0 = drilled
    client, _ = client_at(store, exercise_id, t0 + 120)
    bad = callback_request([("wall-screen", "children")], [("wall-tick", "n_intervals", 1)])
    response = client.post("/_dash-update-component", json=bad)
    assert 400 <= response.status_code < 500, response.status_code


# Values within vigie.bounded's limits (64-bit integers, finite floats): past them a
# body is a 400 before any callback runs (tests/test_zero_5xx.py).
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture
def wall_client(drilled: Drilled) -> FlaskClient:
    """One app for all of a property's examples, as a server answers many requests
    (create_app is ~35 ms of CPU: 5 s over 150 examples)."""
    store, exercise_id, t0 = drilled
    return client_at(store, exercise_id, t0 + 120)[0]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=JSON, search=JSON, language=JSON)
def test_no_callback_body_gets_a_server_error(
    wall_client: FlaskClient, body: Any, search: Any, language: Any
) -> None:
    client = wall_client
    assert client.post("/_dash-update-component", json=body).status_code < 500
    wall_body = wall_request()
    wall_body["inputs"][1]["value"] = search
    wall_body["inputs"][2]["value"] = language
    assert client.post("/_dash-update-component", json=wall_body).status_code == 200
