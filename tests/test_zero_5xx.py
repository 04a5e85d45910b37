"""The six ways to a 500 of issue 15, each a 4xx (or a plain answer) now, in open demo
mode and with accounts; and what is left of a 500: logged, with no traceback sent."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import Drilled, DrillFile
from tests.support.dash_client import (
    call,
    review_move_request,
    review_note_request,
    review_scrub_request,
    wall_request,
)
from tests.support.drilled import PASSWORD, drill_small
from vigie.accounts.tokens import new_token, token_hash
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.dashboard.auth import OPEN_DEMO_MODE, AuthSettings
from vigie.dashboard.pages.review import _seconds
from vigie.plan import PlanInvalid, parse_plan

CALLBACK = "/_dash-update-component"
DEEP = "[" * 30_000
MODES = ["open demo", "accounts"]


@dataclass
class Room:
    app: Any
    client: FlaskClient  # the demo operator, or a logged-in operator
    drilled: Drilled
    accounts: bool

    def notes(self) -> int:
        store, exercise_id, _ = self.drilled
        return len(store.annotations(exercise_id))

    def callback(self, body: Any) -> Any:
        raw = body if isinstance(body, str) else json.dumps(body)
        return self.client.post(CALLBACK, data=raw, content_type="application/json")


@pytest.fixture(scope="module")
def drilled_once(
    tmp_path_factory: pytest.TempPathFactory, small_drill_file: DrillFile
) -> Iterator[Drilled]:
    """Run once for the module: every test here only reads it, or counts what it wrote."""
    drilled = drill_small(tmp_path_factory.mktemp("zero5xx"), small_drill_file)
    yield drilled
    drilled[0].close()


@pytest.fixture(scope="module", params=MODES)
def room(request: pytest.FixtureRequest, drilled_once: Drilled) -> Room:
    store, exercise_id, t0 = drilled_once
    accounts = request.param == "accounts"
    auth = AuthSettings(open_demo=False, secret_key="test secret") if accounts else OPEN_DEMO_MODE
    app = create_app(store, VirtualClock(t0 + 11 * 60), exercise_id, auth=auth)
    client: FlaskClient = app.server.test_client()
    if accounts:
        login = client.post("/login", data={"name": "olga", "password": PASSWORD, "next": "/"})
        assert login.status_code == 302
    return Room(app, client, drilled_once, accounts)


def assert_refused(response: Any, status: int, fragment: str) -> None:
    text = response.get_data(as_text=True)
    assert response.status_code == status, text[:300]
    assert fragment in text and "Traceback" not in text


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


# 1) A registered callback with the wrong outputs (and the rest of the callback).
@pytest.mark.parametrize(
    "change, fragment",
    [
        ({"outputs": {"id": "wall-screen", "property": "children"}}, "outputs must list 2"),
        ({"outputs": [{"id": "wall-screen", "property": "children"}]}, "outputs must list 2"),
        (
            {"outputs": [{"id": "x", "property": "children"}, {"id": "y", "property": "data"}]},
            "expected wall-screen.children",
        ),
        ({"outputs": None}, "outputs must list 2"),
        ({"changedPropIds": ["{not json.n_intervals"]}, "changedPropIds"),
        ({"changedPropIds": [["wall-tick.n_intervals"]]}, "changedPropIds"),
        ({"inputs": [{"id": "wall-tick", "property": "n_intervals"}]}, "inputs must list 3"),
    ],
    ids=["one-for-two", "too-few", "wrong-ids", "none", "bad-prop-id", "unhashable", "inputs"],
)
def test_a_callback_with_wrong_outputs_or_triggers_is_a_400(
    room: Room, change: dict[str, Any], fragment: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert_refused(room.callback({**wall_request(), **change}), 400, fragment)
    assert no_tracebacks(caplog) == []


def test_a_single_output_is_checked_as_well(room: Room) -> None:
    request = review_move_request("review-next", 30)
    request["outputs"] = [request["outputs"]]  # a list where Dash sends one object
    assert_refused(room.callback(request), 400, "expected review-at.value")
    request["outputs"] = {"id": "review-at", "property": "max"}
    assert_refused(room.callback(request), 400, "expected review-at.value")


# 2) review-at.value: a 401-digit integer, NaN, infinities, huge floats, text.
@pytest.mark.parametrize(
    "literal",
    ["1" * 401, "-" + "9" * 401, "1e999", "NaN", "Infinity", "-Infinity"],
    ids=["401-digits", "minus-401-digits", "1e999", "NaN", "Infinity", "-Infinity"],
)
def test_review_at_as_a_huge_or_not_finite_number_is_a_400(room: Room, literal: str) -> None:
    body = json.dumps(review_scrub_request(30)).replace('"value": 30', f'"value": {literal}', 1)
    assert literal in body
    assert_refused(room.callback(body), 400, "bounded JSON")


@pytest.mark.parametrize("value", [1e308, -1e308, "120", "1" * 401, "nan", "", [1], {"a": 1}, True])
def test_review_at_as_any_other_value_shows_an_instant(room: Room, value: Any) -> None:
    shown = call(room.client, review_scrub_request(value))
    assert "T+" in json.dumps(shown["review-instant"])
    assert call(room.client, review_move_request("review-play", value))["review-at"]["value"] >= 0


def test_seconds_never_overflow_whatever_python_value_they_are_given() -> None:
    assert _seconds(10**400, 600.0) == 0.0  # float() cannot hold it: counts as 0
    assert _seconds(float("inf"), 600.0) == 0.0
    assert _seconds(1e308, 600.0) == 600.0
    assert _seconds("90", 600.0) == 90.0


# 3) A review note that is not text, an author that is a lone surrogate.
@pytest.mark.parametrize("note", [["a", "list"], {"a": 1}, 42, True])
def test_a_review_note_that_is_not_text_is_refused_with_a_message(room: Room, note: Any) -> None:
    before = room.notes()
    said = call(room.client, review_note_request(30, note, "Rita"))
    assert said["review-note-result"]["children"] == "Only plain text can be written here."
    assert room.notes() == before


@pytest.mark.parametrize(
    "author, note", [("\ud800", "hot"), ("Rita", "gw \udfff hot"), ("Rita\udbff", "x")]
)
def test_lone_surrogates_in_a_note_or_its_author_are_a_400(
    room: Room, author: str, note: str
) -> None:
    before = room.notes()
    assert_refused(room.callback(review_note_request(30, note, author)), 400, "lone surrogate")
    assert room.notes() == before


def test_console_notes_refuse_what_is_not_text(room: Room) -> None:
    from tests.test_access import act_request

    # the operator's name (with accounts, the account's name is used), the note
    for field in (1,) if room.accounts else (0, 1):
        request = act_request()
        request["state"][field]["value"] = {"name": "x"}
        said = call(room.client, request)
        refused = said["console-action-result"]["children"]
        assert refused == "Only plain text can be written here.", field
    request = act_request()
    request["state"][1]["value"] = "a \ud800 note"
    assert_refused(room.callback(request), 400, "lone surrogate")


def test_a_paired_surrogate_is_ordinary_text(room: Room) -> None:
    said = call(room.client, review_note_request(30, "gw is hot \U0001f525", "Rita"))
    assert said["review-note-result"]["children"].startswith("Review note added")


# 4) 30,000 nested [ in a callback body; anonymous too, before the access check.
def test_a_deeply_nested_callback_body_is_a_400(
    room: Room, caplog: pytest.LogCaptureFixture
) -> None:
    for body in (DEEP, '{"output": ' + DEEP, '{"output": "wall-screen", "x": ' + DEEP + "]" * 3):
        assert_refused(room.callback(body), 400, "levels deep; the limit is 32")
    anonymous = room.app.server.test_client()
    response = anonymous.post(CALLBACK, data=DEEP, content_type="application/json")
    assert_refused(response, 400, "nested")
    assert no_tracebacks(caplog) == []


# 5) The same in a push body, with a valid token.
@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "plain"])
def test_a_deeply_nested_push_body_with_a_valid_token_is_a_400(
    room: Room, gzipped: bool, caplog: pytest.LogCaptureFixture
) -> None:
    store = room.drilled[0]
    token = new_token()
    store.add_agent_token("alpha", token_hash(token))
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for document in (DEEP, '{"faculty": "alpha", "samples": ' + DEEP):
        body = document.encode()
        if gzipped:
            body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
        response = room.client.post("/api/v1/push", data=body, headers=headers)
        assert_refused(response, 400, "levels deep; the limit is 32")
    labels = '{"faculty":"alpha","host":"gw-1","samples":[{"name":"host_x","labels":'
    surrogate = labels + '{"a":"\\ud800"},"at":1,"value":1}]}'
    headers.pop("Content-Encoding", None)
    response = room.client.post("/api/v1/push", data=surrogate, headers=headers)
    assert_refused(response, 400, "lone surrogate")
    assert no_tracebacks(caplog) == []


# 6) Unknown asset paths, without logging in: a 404 and one line in the log.
@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/%2e%2e/%2e%2e/x.js",
        "/_dash-component-suites/dash/%2e%2e/%2e%2e/etc/passwd",
        "/_dash-component-suites/dash/deps/nothing.v1_0_0m1.js",
        "/_dash-component-suites/not_a_package/x.js",
        "/_dash-component-suites/os/x.js",
        "/assets/%2e%2e/%2e%2e/pyproject.toml",
    ],
)
def test_unknown_asset_paths_are_a_404_without_a_traceback(
    room: Room, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for client in (room.app.server.test_client(), room.client):
        response = client.get(path)
        assert response.status_code == 404, response.get_data(as_text=True)[:300]
        assert "Traceback" not in response.get_data(as_text=True)
    assert no_tracebacks(caplog) == []


def test_anything_else_unexpected_is_a_logged_500_with_no_traceback_sent(
    drilled_once: Drilled, caplog: pytest.LogCaptureFixture
) -> None:
    store, exercise_id, t0 = drilled_once
    app = create_app(store, VirtualClock(t0), exercise_id)

    def broken() -> str:
        raise RuntimeError("the secret detail of a bug")

    app.server.add_url_rule("/broken", view_func=broken)
    response = app.server.test_client().get("/broken")
    body = response.get_json()
    assert response.status_code == 500 and set(body) == {"error", "incident"}
    assert "secret detail" not in response.get_data(as_text=True)
    (logged,) = [r for r in caplog.records if r.exc_info]
    assert body["incident"] in logged.getMessage() and "secret detail" in caplog.text
    assert app.server.test_client().get("/no/such/page/at/all.txt").status_code in (200, 404)


# Plans: every TOML a plan is read from (files, stored plans) is bounded too.
@pytest.mark.parametrize(
    "line, fragment",
    [
        ("x = " + "1" * 5000, "thousands of digits"),
        ("x = 0x" + "f" * 5000, "64-bit"),  # int(x, 16) has no digit limit
        ("x = " + "9" * 30, "64-bit"),
        ("x = 1e999", "not a finite number"),
        ("x = nan", "not a finite number"),
        ("x = [" * 5000 + "]" * 5000, "nested 5000 levels deep"),
    ],
    ids=["5000-digits", "5000-hex-digits", "30-digits", "1e999", "nan", "5000-deep"],
)
def test_a_plan_with_huge_numbers_or_deep_nesting_is_a_plan_error(line: str, fragment: str) -> None:
    with pytest.raises(PlanInvalid) as refused:
        parse_plan(line, "stored plan")
    assert fragment in str(refused.value)
