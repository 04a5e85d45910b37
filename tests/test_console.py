"""Operators' actions from the console: acknowledge, note, decide; shown on every screen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import Drilled
from tests.support.dash_client import by_id, call, callback_request, texts, wall_request
from tests.test_dashboard import client_at, still_running
from vigie.plan import Plan
from vigie.store import Store
from vigie.tick.recorder import TickRecorder

ACTION_STATE = [
    "console-operator",
    "console-note-text",
    "console-decision-wave",
    "console-decision-choice",
    "console-decision-comment",
]


@pytest.fixture
def live(
    drilled: Drilled, small_plan: Plan
) -> Iterator[tuple[FlaskClient, Store, int, TickRecorder, float]]:
    """The drilled exercise, still running at T+10:05, its collector writing each poll."""
    store, exercise_id, t0 = drilled
    recorder = still_running(store, exercise_id, t0, small_plan)
    # Judging since T+10:03: past the blind rule's grace after a collector's (re)start.
    recorder.evaluate(t0 + 603)
    recorder.evaluate(t0 + 605)
    client, _ = client_at(store, exercise_id, t0 + 605)
    yield client, store, exercise_id, recorder, t0


def act(
    client: FlaskClient,
    trigger: str,
    values: dict[str, Any],
    acks: list[dict[str, str]] = (),  # type: ignore[assignment]
    search: str = "",
) -> str:
    ack_inputs = [
        {
            "id": a,
            "property": "n_clicks",
            "value": 1 if trigger == json.dumps(a, sort_keys=True, separators=(",", ":")) else None,
        }
        for a in acks
    ]
    request = callback_request(
        [("console-action-result", "children")],
        [
            ("console-note-add", "n_clicks", 1 if trigger == "console-note-add" else None),
            ("console-decision-add", "n_clicks", 1 if trigger == "console-decision-add" else None),
        ],
        [(name, "value", values.get(name)) for name in ACTION_STATE]
        + [("url", "search", search), ("vigie-language", "data", None)],
    )
    request["inputs"] = [ack_inputs, *request["inputs"]]
    request["changedPropIds"] = [f"{trigger}.n_clicks"]
    response = call(client, request)
    return str(response["console-action-result"]["children"])


def ack_id(rule: str, subject: str) -> dict[str, str]:
    return {"rule": rule, "subject": subject, "type": "console-ack"}


def pattern(identity: dict[str, str]) -> str:
    return json.dumps(identity, sort_keys=True, separators=(",", ":"))


def firing(client: FlaskClient) -> list[str]:
    return texts(by_id(call(client, wall_request())["wall-screen"]["children"], "wall-alerts"))


def test_an_acknowledgement_from_the_console_shows_on_the_wall(live: Any) -> None:
    client, store, exercise_id, recorder, t0 = live
    (alert, *_) = [t for t in store.alerts.last_states(exercise_id) if t.state == "firing"]
    identity = ack_id(alert.rule, alert.subject)
    said = act(client, pattern(identity), {"console-operator": "alice"}, [identity])
    assert said == "Acknowledged by alice."
    recorder.evaluate(t0 + 606)  # the collector's next poll
    client_next, _ = client_at(store, exercise_id, t0 + 606)
    assert any(line.startswith("seen by alice at") for line in firing(client_next))


def test_an_action_without_a_name_is_refused_and_writes_nothing(live: Any) -> None:
    client, store, exercise_id, _, _ = live
    said = act(client, "console-note-add", {"console-note-text": "wave 4 waits"})
    assert said == "Write your name first: every action says who took it."
    assert store.annotations(exercise_id) == []


@pytest.mark.parametrize(
    ("values", "refusal"),
    [
        ({"console-note-text": "   "}, "The note is empty."),
        ({"console-note-text": "x" * 2001}, "A note has at most 2,000 characters."),
        (
            {"console-operator": "n" * 65, "console-note-text": "ok"},
            "A name has at most 64 characters.",
        ),
    ],
)
def test_a_bad_note_is_refused_with_what_is_wrong(
    live: Any, values: dict[str, Any], refusal: str
) -> None:
    client, store, exercise_id, _, _ = live
    said = act(client, "console-note-add", {"console-operator": "bob"} | values)
    assert said == refusal
    assert store.annotations(exercise_id) == []


def test_a_note_reaches_every_screen_as_text(live: Any) -> None:
    client, store, exercise_id, recorder, t0 = live
    hostile = '<script>document.title="pwned"</script> javascript:alert(1)'
    said = act(
        client, "console-note-add", {"console-operator": "bob", "console-note-text": hostile}
    )
    assert said.startswith("Note added")
    recorder.evaluate(t0 + 606)
    later, _ = client_at(store, exercise_id, t0 + 606)
    wall = call(later, wall_request())["wall-screen"]["children"]
    assert hostile in texts(by_id(wall, "wall-notes"))  # a plain string child: React escapes it


@pytest.mark.parametrize(
    ("values", "refusal"),
    [
        (
            {"console-decision-wave": 9, "console-decision-choice": "go"},
            "Choose the wave the decision is about.",
        ),
        (
            {"console-decision-wave": "2", "console-decision-choice": "go"},
            "Choose the wave the decision is about.",
        ),
        (
            {"console-decision-wave": 2, "console-decision-choice": "launch"},
            "Choose GO, HOLD or SPLIT.",
        ),
    ],
)
def test_a_bad_decision_is_refused(live: Any, values: dict[str, Any], refusal: str) -> None:
    client, store, exercise_id, _, _ = live
    said = act(client, "console-decision-add", {"console-operator": "carol"} | values)
    assert said == refusal
    assert store.annotations(exercise_id) == []


def test_a_decision_shows_on_the_wall_beside_the_gate(live: Any) -> None:
    client, store, exercise_id, recorder, t0 = live
    said = act(
        client,
        "console-decision-add",
        {
            "console-operator": "carol",
            "console-decision-wave": 2,
            "console-decision-choice": "split",
            "console-decision-comment": "half now, half at T+12",
        },
    )
    assert said.startswith("Decision recorded")
    recorder.evaluate(t0 + 606)
    later, _ = client_at(store, exercise_id, t0 + 606)
    gate = texts(by_id(call(later, wall_request())["wall-screen"]["children"], "wall-gate"))
    assert any(
        line.startswith("Decision for wave 2: SPLIT by carol at")
        and line.endswith("half now, half at T+12")
        for line in gate
    )


def test_no_action_is_taken_on_a_replay(live: Any) -> None:
    client, store, exercise_id, _, _ = live
    said = act(
        client,
        "console-note-add",
        {"console-operator": "dave", "console-note-text": "late"},
        search="?at=60",
    )
    assert said == "This is a replay: actions are taken on the live exercise only."
    assert store.annotations(exercise_id) == []
