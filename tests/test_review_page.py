"""The review page over HTTP, as a browser calls it: scrub the small drill, jump between
its facts, annotate it after the fact, download its report."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from flask.testing import FlaskClient

from tests.conftest import SMALL_PLAN, Drilled
from tests.support.dash_client import (
    by_id,
    call,
    callback_request,
    review_move_request,
    review_note_request,
    review_scrub_request,
    review_timeline_request,
    texts,
)
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.dashboard.figures import MAX_CLOCK_LABELS, review_timeline_figure
from vigie.dashboard.pages.review import slider_marks
from vigie.dashboard.replay import DRAWN, Review
from vigie.i18n import texts as language
from vigie.plan import Plan, parse_plan
from vigie.review.timeline import (
    AlertFired,
    LimitBreached,
    PeakSessions,
    ReviewNoteWritten,
    build_timeline,
)
from vigie.run.drill import run_drill


def client_after(drilled: Drilled, exercise_id: int | None = None) -> FlaskClient:
    store, drilled_id, t0 = drilled
    app = create_app(store, VirtualClock(t0 + 11 * 60), exercise_id or drilled_id)
    client: FlaskClient = app.server.test_client()
    return client


def scrub(client: FlaskClient, seconds: float, search: str = "") -> dict[str, Any]:
    out = call(client, review_scrub_request(seconds, search))
    return {"wall": out["review-wall"]["children"], "instant": out["review-instant"]["children"]}


def moved(client: FlaskClient, button: str, seconds: float, speed: int = 10) -> Any:
    return call(client, review_move_request(button, seconds, speed))["review-at"]["value"]


def test_the_review_page_opens_on_the_newest_exercise(drilled: Drilled) -> None:
    client = client_after(drilled)
    assert client.get("/review").status_code == 200
    request = callback_request(
        [("_pages_content", "children"), ("_pages_store", "data")],
        [("_pages_location", "pathname", "/review"), ("_pages_location", "search", "")],
    )
    page = call(client, request)["_pages_content"]["children"]
    choice = by_id(page, "review-exercise")["props"]
    assert choice["value"] == drilled[1]
    assert choice["options"][0]["label"].startswith("Small drill · drill · ")
    store, exercise_id, t0 = drilled
    record = store.exercise(exercise_id)
    assert record is not None and record.ended is not None
    assert by_id(page, "review-at")["props"]["max"] == record.ended - t0  # up to the stop


def review_page(client: FlaskClient, search: str) -> Any:
    request = callback_request(
        [("_pages_content", "children"), ("_pages_store", "data")],
        [("_pages_location", "pathname", "/review"), ("_pages_location", "search", search)],
    )
    return call(client, request)["_pages_content"]["children"]


def test_without_an_instant_the_review_opens_on_the_first_breach(
    drilled: Drilled, small_plan: Plan
) -> None:
    store, exercise_id, _ = drilled
    facts = build_timeline(store, exercise_id, small_plan).facts
    breach = min(f.at_s for f in facts if isinstance(f, LimitBreached))
    client = client_after(drilled)
    assert by_id(review_page(client, ""), "review-at")["props"]["value"] == breach > 0
    asked = by_id(review_page(client, "?at=30"), "review-at")["props"]["value"]
    assert asked == 30  # an instant asked for is kept


def test_with_no_breach_the_review_opens_on_the_first_critical_alert_else_the_peak() -> None:
    alert = AlertFired(95.0, cast(Any, SimpleNamespace(severity="critical")))
    careful = AlertFired(40.0, cast(Any, SimpleNamespace(severity="careful")))
    peak = PeakSessions(300.0, 250, 300)

    def opening(*facts: Any) -> float:
        timeline = cast(Any, SimpleNamespace(facts=list(facts)))
        return Review(timeline, [], []).opening_instant()

    assert opening(careful, alert, peak) == 95.0
    assert opening(careful, peak) == 300.0
    assert opening() == 0.0


def test_scrubbing_to_t30_shows_the_wave_gate_hold_as_the_wall_showed_it(drilled: Drilled) -> None:
    shown = scrub(client_after(drilled), 30)
    gate = texts(by_id(shown["wall"], "review-gate"))
    assert gate[0:3] == ["Wave gate", "Wave 2: 100 students · planned in 2 min 30 s", "HOLD"]
    assert texts(by_id(shown["wall"], "review-status"))[0].startswith("REPLAY at")
    assert texts(by_id(shown["instant"], "review-clock")) == ["T+00:30"]
    event = call(client_after(drilled), review_timeline_request(30))["review-event"]["children"]
    assert event.startswith("T+00:") and "CRITICAL alert wave_gate" in event
    assert texts(by_id(scrub(client_after(drilled), 120)["wall"], "review-active")) == ["200"]


def test_scrubbing_reads_one_tick_per_instant(drilled: Drilled, monkeypatch: Any) -> None:
    store, _, _ = drilled
    client = client_after(drilled)
    scrub(client, 10)
    reads: list[float] = []
    seek = store.ticks.at

    def counted(exercise_id: int, at: float) -> Any:
        reads.append(at)
        return seek(exercise_id, at)

    monkeypatch.setattr(store.ticks, "at", counted)
    monkeypatch.setattr(store, "downsampled", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    monkeypatch.setattr(store.reductions, "sums_by_instant", lambda *a, **k: 1 / 0)
    for seconds in (30, 95, 200):
        scrub(client, seconds)  # the wall of the instant never waits for the timeline
    assert len(reads) == 3


def test_next_and_previous_event_jump_to_the_timeline_facts(
    drilled: Drilled, small_plan: Plan
) -> None:
    store, exercise_id, _ = drilled
    timeline = build_timeline(store, exercise_id, small_plan).facts
    facts = [f.at_s for f in timeline]
    drawn = sorted({f.at_s for f in timeline if type(f) in DRAWN})
    client = client_after(drilled)
    after_30 = moved(client, "review-next", 30)
    assert after_30 == min(s for s in drawn if s > 30) and after_30 in facts
    assert moved(client, "review-previous", after_30) == max(s for s in drawn if s < after_30)
    assert moved(client, "review-next", after_30) == min(s for s in drawn if s > after_30)


def test_playing_steps_the_instant_by_its_speed_and_stops_at_the_end(drilled: Drilled) -> None:
    client = client_after(drilled)
    assert moved(client, "review-play", 30, speed=60) == 90
    assert moved(client, "review-play", 30, speed=1) == 31
    store, exercise_id, t0 = drilled
    record = store.exercise(exercise_id)
    assert record is not None and record.ended is not None
    end = record.ended - t0
    assert moved(client, "review-play", end - 5, speed=60) == end


def test_a_note_written_after_the_fact_is_stored_marked_and_drawn(
    drilled: Drilled, small_plan: Plan
) -> None:
    store, exercise_id, t0 = drilled
    client = client_after(drilled)
    said = call(client, review_note_request(200, "gw <b>was</b> already hot", "Rita"))
    assert said["review-note-result"]["children"].startswith("Review note added at T+03:20")
    (note,) = store.annotations(exercise_id)
    assert (note.kind, note.at, note.author) == ("review", t0 + 200, "Rita")
    record = store.exercise(exercise_id)
    assert record is not None and record.ended is not None and note.created > record.ended
    (fact,) = [
        f
        for f in build_timeline(store, exercise_id, small_plan).facts
        if isinstance(f, ReviewNoteWritten)
    ]
    assert (fact.at_s, fact.author) == (200, "Rita")
    figure = call(client, review_timeline_request(200))["review-timeline"]["figure"]
    (lane,) = [d for d in figure["data"] if d.get("name") == "Review notes"]
    assert lane["x"] == [200]
    assert "written after the fact" in lane["text"][0]
    assert "&lt;b&gt;was&lt;/b&gt;" in lane["text"][0]  # shown as written, never markup
    # The room never saw it: the wall of that instant shows no such note.
    assert "gw <b>was</b> already hot" not in texts(scrub(client, 300)["wall"])


def test_a_note_needs_a_name_and_some_text(drilled: Drilled) -> None:
    client = client_after(drilled)
    nameless = call(client, review_note_request(200, "something", None))
    assert "Write your name first" in nameless["review-note-result"]["children"]
    empty = call(client, review_note_request(200, "  ", "Rita"))
    assert empty["review-note-result"]["children"] == "The note is empty."
    assert drilled[0].annotations(drilled[1]) == []


def test_moving_the_cursor_patches_the_figure_instead_of_rebuilding_it(drilled: Drilled) -> None:
    request = review_timeline_request(95)
    request["changedPropIds"] = ["review-at.value"]
    patch = call(client_after(drilled), request)["review-timeline"]["figure"]
    assert patch["__dash_patch_update"]
    assert {op["params"]["value"] for op in patch["operations"]} == {95}


def test_another_stored_exercise_is_reviewed_by_its_id(drilled: Drilled) -> None:
    store, first, _ = drilled
    text = SMALL_PLAN.read_text(encoding="utf-8").replace(
        'name = "Small drill"', 'name = "Small re-test"'
    )
    second = run_drill(parse_plan(text, "re-test"), text, store).exercise_id
    client = client_after(drilled, first)  # the app's own exercise is the first
    assert texts(scrub(client, 30, f"?exercise={second}")["wall"])[0] == "Small re-test"
    assert texts(scrub(client, 30)["wall"])[0] == "Small drill"
    # Only the app's own exercise is offered on the live pages' replay links.
    assert "Open the wall at this instant" in texts(scrub(client, 30)["instant"])
    assert "Open the wall at this instant" not in texts(
        scrub(client, 30, f"?exercise={second}")["instant"]
    )


def test_the_report_downloads_for_the_chosen_exercise(drilled: Drilled) -> None:
    _, exercise_id, _ = drilled
    client = client_after(drilled)
    response = client.get(f"/review/{exercise_id}/report.html?lang=fr")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "attachment" in response.headers["Content-Disposition"]
    page = response.get_data(as_text=True)
    assert "Rapport post-mortem" in page and "Small drill" in page
    assert client.get("/review/999/report.html").status_code == 404


def test_the_slider_s_labels_stay_few_enough_to_read_whatever_the_span() -> None:
    """37 minutes, the demo's 2 hours, a 4-hour exam: at most one label per ~150 pixels."""
    t = language("en")
    for span, every in ((2220, 300), (7200, 600), (14400, 1800)):
        marks = slider_marks(t, span)
        assert sorted(marks) == list(range(0, span + 1, every))
        assert len(marks) <= MAX_CLOCK_LABELS
    assert slider_marks(t, 7200)[3600] == "T+1:00:00"
    figure = review_timeline_figure([], [], ["Waves"], 7200, 0.0, t)
    assert figure["layout"]["xaxis"]["tickvals"] == list(range(0, 7201, 600))  # the same labels
