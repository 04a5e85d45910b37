"""The compare page over HTTP, as a browser calls it: two drills of the small plan,
the second with another seed, a later wave 2 and a name that looks like markup."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import SMALL_PLAN, Drilled
from tests.support.dash_client import by_id, call, callback_request, compare_request
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.plan import parse_plan
from vigie.review.summary import summarize
from vigie.run.drill import run_drill
from vigie.series import Sample
from vigie.store import Store

MARKUP_NAME = "<script>alert(1)</script>"

Pair = tuple[Store, int, int]  # the store, the first drill, the second


@pytest.fixture
def pair(sqlite_store: Store) -> Iterator[Pair]:
    first_toml = SMALL_PLAN.read_text(encoding="utf-8")
    second_toml = (
        first_toml.replace('name = "Small drill"', f'name = "{MARKUP_NAME}"')
        .replace("seed = 7", "seed = 8")
        .replace("start_min = 3", "start_min = 4")
    )
    first = run_drill(parse_plan(first_toml, "first"), first_toml, sqlite_store)
    second = run_drill(parse_plan(second_toml, "second"), second_toml, sqlite_store)
    yield sqlite_store, first.exercise_id, second.exercise_id


def client_for(store: Store) -> FlaskClient:
    record = store.exercises()[0]
    client: FlaskClient = create_app(store, VirtualClock(record.t0 + 600)).server.test_client()
    return client


def compared(client: FlaskClient, a: Any, b: Any, **choice: str) -> tuple[Any, Any]:
    out = call(client, compare_request(a, b, **choice))
    return out["compare-chart"]["figure"], out["compare-message"]["children"]


def runs(figure: Any) -> list[Any]:
    return [trace for trace in figure["data"] if trace.get("meta") != "limit"]


def wave_2_start_s(store: Store, exercise_id: int) -> float:
    record = store.exercise(exercise_id)
    assert record is not None
    plan = parse_plan(record.plan_toml, "stored")
    wave = next(w for w in summarize(store, exercise_id, plan).waves if w.wave == 2)
    assert wave.started_at_s is not None
    return wave.started_at_s


def test_two_drills_are_overlaid_as_two_lines_named_by_exercise(pair: Pair) -> None:
    store, a, b = pair
    figure, message = compared(client_for(store), a, b)
    assert message == ""
    lines = runs(figure)
    assert [line["name"] for line in lines] == [
        f"#{a} Small drill",
        f"#{b} &lt;script&gt;alert(1)&lt;/script&gt;",  # shown as text, never as markup
    ]
    assert all(line["x"][0] >= 0 and max(line["y"]) > 200 for line in lines)
    assert figure["layout"]["title"]["text"] == "Active sessions"


def test_aligning_on_wave_2_shifts_each_run_by_its_own_observed_start(pair: Pair) -> None:
    store, a, b = pair
    client = client_for(store)
    on_t0 = runs(compared(client, a, b)[0])
    on_wave = runs(compared(client, a, b, align="wave:2")[0])
    shifts = []
    for exercise_id, t0_line, wave_line in zip((a, b), on_t0, on_wave, strict=True):
        shift = wave_2_start_s(store, exercise_id)
        assert wave_line["x"] == pytest.approx([x - shift for x in t0_line["x"]])
        shifts.append(shift)
    assert shifts[1] - shifts[0] > 30  # the second drill opened wave 2 a minute later


def test_a_server_s_connections_show_each_run_s_limit(pair: Pair) -> None:
    store, a, b = pair
    figure, _ = compared(client_for(store), a, b, signal="server:gw")
    limits = [trace for trace in figure["data"] if trace.get("meta") == "limit"]
    assert [trace["y"] for trace in limits] == [[440, 440], [440, 440]]
    assert [trace["line"]["color"] for trace in limits] == [
        line["line"]["color"] for line in runs(figure)
    ]
    assert max(runs(figure)[0]["y"]) > 440  # the small drill breaks the gateway
    assert figure["layout"]["title"]["text"] == "Connections of gw"


def test_the_choice_is_read_from_the_store_once_then_shared(pair: Pair, monkeypatch: Any) -> None:
    store, a, b = pair
    client = client_for(store)
    compared(client, a, b, signal="server:app")
    monkeypatch.setattr(store, "downsampled", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    compared(client, a, b, signal="server:app")


def test_an_unknown_exercise_is_named_in_a_clear_message(pair: Pair) -> None:
    store, a, _ = pair
    figure, message = compared(client_for(store), a, 999)
    assert figure["data"] == []
    assert message == "No such exercise in the store: 999"


def test_with_one_side_unchosen_the_page_asks_for_two_exercises(pair: Pair) -> None:
    store, a, _ = pair
    figure, message = compared(client_for(store), None, a)
    assert figure["data"] == [] and message == "Choose two exercises to compare."
    assert figure["layout"]["paper_bgcolor"] == "rgba(0,0,0,0)"  # dark, never white


def test_with_one_run_in_the_store_the_page_says_so_on_a_dark_empty_chart(
    drilled: Drilled,
) -> None:
    store, exercise_id, _ = drilled
    figure, message = compared(client_for(store), None, exercise_id)
    assert message.startswith("Only one run in the store: drill or run another")
    assert figure["data"] == [] and figure["layout"]["annotations"][0]["text"] == message
    assert figure["layout"]["paper_bgcolor"] == "rgba(0,0,0,0)"


def test_the_page_opens_on_the_exercises_in_the_address(pair: Pair) -> None:
    store, a, b = pair
    client = client_for(store)
    assert client.get(f"/compare?a={b}&b={a}").status_code == 200
    request = callback_request(
        [("_pages_content", "children"), ("_pages_store", "data")],
        [
            ("_pages_location", "pathname", "/compare"),
            ("_pages_location", "search", f"?a={b}&b={a}"),
        ],
    )
    page = call(client, request)["_pages_content"]["children"]
    assert by_id(page, "compare-a")["props"]["value"] == b
    assert by_id(page, "compare-b")["props"]["value"] == a
    label = by_id(page, "compare-a")["props"]["options"][0]["label"]
    # what tells runs of one plan apart first, the name they share last
    assert label.startswith(f"#{b} · drill · 20") and label.endswith(f" UTC · {MARKUP_NAME}")
    signals = [o["value"] for o in by_id(page, "compare-signal")["props"]["options"]]
    assert signals == ["sessions", "server:app", "server:gw"]
    aligns = [o["value"] for o in by_id(page, "compare-align")["props"]["options"]]
    assert aligns == ["t0", "wave:1", "wave:2"]


def test_the_review_page_links_to_the_comparison_of_its_exercise(pair: Pair) -> None:
    store, _, b = pair
    request = callback_request(
        [("_pages_content", "children"), ("_pages_store", "data")],
        [("_pages_location", "pathname", "/review"), ("_pages_location", "search", "")],
    )
    page = call(client_for(store), request)["_pages_content"]["children"]
    assert by_id(page, "review-compare")["props"]["href"] == f"/compare?b={b}"


def test_a_running_exercise_shows_what_was_written_since_within_a_minute(pair: Pair) -> None:
    store, first, _ = pair
    toml = SMALL_PLAN.read_text(encoding="utf-8")
    t0 = 1_800_000_000.0
    running = store.create_exercise(
        plan_id="small-drill", name="Running", mode="live", plan_toml=toml, t0=t0
    )

    def connected(start: int, end: int, value: float) -> None:
        for second in range(start, end):
            batch = [Sample("sessions_active", (("faculty", "alpha"),), t0 + second, value)]
            store.write_cycle(running, batch)

    connected(0, 60, 10.0)
    clock = VirtualClock(t0 + 60)
    client = create_app(store, clock).server.test_client()
    before = runs(compared(client, first, running)[0])[1]
    assert max(before["y"]) == 10.0
    connected(60, 120, 50.0)
    clock.advance(61)  # the review's and the comparison's live rebuild period
    after = runs(compared(client, first, running)[0])[1]
    assert max(after["y"]) == 50.0 and len(after["x"]) > len(before["x"])
