"""The review page: replay a stored exercise after the fact.

Choose an exercise (`?exercise=ID`, the newest by default), read its incident
timeline on the exercise clock, scrub or play it and see the wall exactly as it
was at that instant (the wall's own rendering, from the tick of that instant),
jump from one fact to the next, annotate it, and download its report. Without
`?at=SECONDS` it opens on the first breach (else the first critical alert, else the
peak), and says that instant in its address so that it can be shared.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode

import dash
from dash import Dash, Input, Output, Patch, State, ctx, dcc, html
from flask import Response, abort, request

from vigie.accounts.policy import STAFF
from vigie.bounded import whole_number
from vigie.dashboard import replay
from vigie.dashboard.actions import ActionRefused, add_review_note
from vigie.dashboard.auth import current_principal
from vigie.dashboard.context import Exercise, ViewContext
from vigie.dashboard.figures import clock_label, clock_step, empty_figure
from vigie.dashboard.page_registry import LANGUAGE, URL, Page, Refresh
from vigie.dashboard.pages import wall
from vigie.dashboard.screen import Screen, requested_language
from vigie.i18n import Texts, texts
from vigie.review.report import render_report

SPEEDS = (1, 10, 60)  # exercise seconds per second of playing


def _callbacks(app: Dash, context: ViewContext) -> None:
    """The report's route, the steps, the notes, and what the browser does alone."""
    _add_report_route(app, context)

    @app.callback(
        Output("review-at", "value"),
        Input("review-previous", "n_clicks"),
        Input("review-next", "n_clicks"),
        Input("review-play", "n_intervals"),
        State("review-at", "value"),
        State("review-speed", "value"),
        State(URL, "search"),
        prevent_initial_call=True,
    )
    def move(_p: Any, _n: Any, _tick: Any, seconds: Any, speed: Any, search: str | None) -> Any:
        return moved(context, ctx.triggered_id, seconds, speed, search)

    @app.callback(
        Output("review-note-result", "children"),
        Input("review-note-add", "n_clicks"),
        State("review-author", "value"),
        State("review-note-text", "value"),
        State("review-at", "value"),
        State(URL, "search"),
        State(LANGUAGE, "data"),
        prevent_initial_call=True,
    )
    def annotate(
        clicked: Any,
        author: str | None,
        note: str | None,
        seconds: Any,
        search: str | None,
        remembered: str | None,
    ) -> Any:
        if not clicked:
            return dash.no_update
        return annotated(context, author, note, seconds, search, remembered)

    _clientside(app)


def _clientside(app: Dash) -> None:
    # Play and pause are the browser's business; the steps themselves are `move`.
    app.clientside_callback(
        """function (clicks, seconds, paused, end) {
            const atEnd = Number(seconds) >= Number(end);
            let pause = paused;
            const trigger = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id;
            if (trigger === "review-play-toggle.n_clicks") { pause = atEnd ? true : !paused; }
            else if (atEnd) { pause = true; }
            return [pause, pause ? "vigie-play" : "vigie-play is-playing"];
        }""",
        Output("review-play", "disabled"),
        Output("review-play-toggle", "className"),
        Input("review-play-toggle", "n_clicks"),
        Input("review-at", "value"),
        State("review-play", "disabled"),
        State("review-at", "max"),
    )
    # Opened with no instant asked for, the address is given the one chosen (the
    # breach), to share it; scrubbing on does not rewrite it (that would redraw
    # the page): the links beside the instant carry the instant scrubbed to.
    app.clientside_callback(
        """function (seconds, search) {
            const query = new URLSearchParams(search || "");
            if (seconds === null || seconds === undefined || query.has("at")) {
                return window.dash_clientside.no_update;
            }
            query.set("at", String(Math.round(seconds)));
            return "?" + query.toString();
        }""",
        Output(URL, "search", allow_duplicate=True),
        Input("review-at", "value"),
        State(URL, "search"),
        prevent_initial_call="initial_duplicate",
    )
    # Choosing another exercise opens its review (the address says which).
    app.clientside_callback(
        """function (chosen, search) {
            const query = new URLSearchParams(search || "");
            const shown = query.get("exercise");
            if (!chosen || shown === String(chosen)) {
                return window.dash_clientside.no_update;
            }
            if (shown !== null) {
                query.delete("at");  // another exercise: its own start, not this instant
            }
            query.set("exercise", String(chosen));
            return "?" + query.toString();
        }""",
        Output(URL, "search"),
        Input("review-exercise", "value"),
        State(URL, "search"),
    )


def chosen_exercise(search: object) -> int | None:
    """`?exercise=ID`; None (the app's exercise, else the newest) when absent or not a number."""
    if not isinstance(search, str):
        return None
    return whole_number(parse_qs(search.lstrip("?")).get("exercise", [""])[0])


def _seconds(value: Any, span: float | None = None) -> float:
    """The slider's value (or `?at=`) as exercise seconds, within [0, span].

    Whatever the request carried: a number, a string of one (`?at=` is text), or
    anything else (0). A value float() cannot hold (a 401-digit integer) or that is
    not finite counts as 0, never an OverflowError."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return 0.0
    try:
        seconds = float(value)
    except (ValueError, OverflowError):
        seconds = 0.0
    if not math.isfinite(seconds):
        seconds = 0.0
    seconds = max(seconds, 0.0)
    return seconds if span is None else min(seconds, span)


def review_screen(
    context: ViewContext, search: Any, remembered: Any, seconds: Any
) -> Screen | None:
    """The chosen exercise at `seconds` from T+0: one tick read, like the wall's."""
    exercise = context.exercise(chosen_exercise(search))
    if exercise is None:
        return None
    at = exercise.record.t0 + _seconds(seconds, replay.span_s(exercise))
    t = requested_language(search, remembered, exercise)
    return Screen(exercise, context.tick(exercise, at), at, True, t)


def layout(context: ViewContext, query: Mapping[str, Any]) -> html.Div:
    search = "?" + urlencode({k: v for k, v in query.items() if isinstance(v, str)})
    exercise = context.exercise(chosen_exercise(search))
    if exercise is None:
        t = texts(query.get("lang"))
        return html.Div(html.H1(t("No such exercise in the store.")), className="vigie-review")
    t = requested_language(search, None, exercise)
    span = replay.span_s(exercise)
    asked = query.get("at")
    start = (
        replay.review_of(context, exercise).opening_instant()
        if asked is None
        else _seconds(asked, span)
    )
    graph_config: Any = {"displayModeBar": False}
    return html.Div(
        className="vigie-review",
        children=[
            _top(context, exercise, t),
            dcc.Graph(id="review-timeline", config=graph_config, className="vigie-review-timeline"),
            _controls(t, span, start),
            html.Div(
                className="vigie-review-main",
                children=[
                    html.Div(id="review-wall", className="vigie-wall-screen vigie-review-wall"),
                    html.Div(
                        className="vigie-review-side",
                        children=[
                            html.Div(id="review-instant", className="vigie-review-instant"),
                            html.Div(id="review-event", className="vigie-review-event"),
                            _annotate(context, t),
                        ],
                    ),
                ],
            ),
        ],
    )


def _top(context: ViewContext, exercise: Exercise, t: Texts) -> html.Header:
    choices = [
        {"label": replay.exercise_label(r.name, r.mode, r.t0), "value": r.id}
        for r in context.store.exercises()
    ]
    report = f"/review/{exercise.record.id}/report.html?lang={t.language}"
    return html.Header(
        className="vigie-review-top",
        children=[
            html.H1(t("Review"), className="vigie-page-title"),
            dcc.Dropdown(
                id="review-exercise",
                options=choices,
                value=exercise.record.id,
                clearable=False,
                className="vigie-review-choice",
            ),
            html.A(t("Download the report"), href=report, id="review-report", download=""),
            dcc.Link(
                t("Compare runs"), href=f"/compare?b={exercise.record.id}", id="review-compare"
            ),
            dcc.Link(t("Console"), href="/"),
        ],
    )


def _controls(t: Texts, span: float, start: float) -> html.Div:
    marks = slider_marks(t, span)
    return html.Div(
        className="vigie-review-controls",
        children=[
            html.Button("◀ " + t("Previous event"), id="review-previous"),
            html.Button(
                [
                    html.Span("▶ " + t("Play"), className="vigie-when-paused"),
                    html.Span("❚❚ " + t("Pause"), className="vigie-when-playing"),
                ],
                id="review-play-toggle",
                className="vigie-play",
            ),
            dcc.RadioItems(
                id="review-speed",
                options=[{"label": f"{s}x", "value": s} for s in SPEEDS],
                value=SPEEDS[1],
                inline=True,
                className="vigie-choice",
            ),
            html.Button(t("Next event") + " ▶", id="review-next"),
            html.Div(
                dcc.Slider(
                    id="review-at",
                    min=0,
                    max=span,
                    step=1,
                    value=start,
                    marks=marks,
                    allow_direct_input=False,
                    updatemode="mouseup",
                ),
                className="vigie-review-slider",
            ),
            dcc.Interval(id="review-play", interval=1000, disabled=True),
        ],
    )


def slider_marks(t: Texts, span: float) -> dict[int, str]:
    """Labels on the exercise clock, the finest step that keeps them few enough to read."""
    return {s: clock_label(s) for s in range(0, int(span) + 1, clock_step(span))}


def _annotate(context: ViewContext, t: Texts) -> html.Section:
    who = None if context.open_demo else current_principal()
    name = (
        dcc.Input(
            id="review-author",
            maxLength=64,
            persistence=True,
            persistence_type="local",
            placeholder=t("name shown with your note"),
        )
        if who is None
        else dcc.Input(id="review-author", value=who.name, disabled=True)
    )
    return html.Section(
        className="vigie-actions vigie-review-annotate",
        children=[
            html.H2(t("Annotate this instant")),
            html.Label(t("Your name"), htmlFor="review-author"),
            name,
            dcc.Textarea(id="review-note-text", maxLength=2000),
            html.Button(t("Add review note"), id="review-note-add"),
            html.Div(id="review-note-result", className="vigie-action-result"),
        ],
    )


def render_instant(
    context: ViewContext, seconds: Any, search: Any, remembered: Any
) -> tuple[Any, Any]:
    screen = review_screen(context, search, remembered, seconds)
    if screen is None:
        return html.H1(texts(None)("No such exercise in the store.")), []
    key = ("review-wall", screen.exercise.record.id, screen.at, screen.t.language)
    shown = context.shared(key, lambda: wall.body(screen, "review"))
    return shown, _instant(context, screen)


def render_timeline(
    context: ViewContext, seconds: Any, _note: Any, search: Any, remembered: Any
) -> tuple[Any, str]:
    """The timeline with its cursor at `seconds`, and the newest fact before it.

    They need the whole exercise's facts: this callback alone builds them, so the
    wall of the instant (`render_instant`) never waits. A note written redraws them."""
    exercise = context.exercise(chosen_exercise(search))
    if exercise is None:
        return empty_figure(), ""
    t = requested_language(search, remembered, exercise)
    at_s = _seconds(seconds, replay.span_s(exercise))
    event = last_event(context, exercise, t, at_s)
    if ctx.triggered_id == "review-at":  # only the cursor moves: no figure rebuilt
        cursor = Patch()
        cursor["layout"]["shapes"][0]["x0"] = at_s
        cursor["layout"]["shapes"][0]["x1"] = at_s
        return cursor, event
    return replay.timeline_figure(context, exercise, t, at_s), event


def _instant(context: ViewContext, screen: Screen) -> list[Any]:
    t, exercise = screen.t, screen.exercise
    seconds = round(screen.elapsed_s)
    children: list[Any] = [
        html.Div(f"T+{t.clock(seconds)}", className="vigie-clock", id="review-clock"),
        html.Div(screen.wall_time(screen.at, seconds=True), className="vigie-wall-time"),
        dcc.Link(
            t("Link to this instant"),
            href=f"/review?exercise={exercise.record.id}&at={seconds}",
            id="review-share",
        ),
    ]
    default = context.exercise()
    if default is not None and default.record.id == exercise.record.id:
        # The live pages show the app's own exercise: offered only for that one.
        children.append(
            html.Div(
                [
                    dcc.Link(t("Open the wall at this instant"), href=f"/wall?at={seconds}"),
                    dcc.Link(t("Open the console at this instant"), href=f"/?at={seconds}"),
                ],
                className="vigie-review-links",
            )
        )
    return children


def last_event(context: ViewContext, exercise: Exercise, t: Texts, at_s: float) -> str:
    """The newest drawn fact at or before `at_s`, on the exercise clock."""
    fact = replay.review_of(context, exercise).last_fact(at_s)
    if fact is None:
        return ""
    return f"T+{t.clock(fact.at_s)}  {replay.wording_for(exercise, t).fact(fact)}"


def moved(context: ViewContext, trigger: Any, seconds: Any, speed: Any, search: Any) -> Any:
    """The slider's new value after a step: previous or next fact, or a step of play."""
    exercise = context.exercise(chosen_exercise(search))
    if exercise is None:
        return dash.no_update
    span = replay.span_s(exercise)
    now = _seconds(seconds, span)
    if trigger == "review-play":
        return min(now + (speed if speed in SPEEDS else 1), span)
    review = replay.review_of(context, exercise)
    found = review.next_event(now) if trigger == "review-next" else review.previous_event(now)
    return dash.no_update if found is None else min(found, span)


def annotated(
    context: ViewContext,
    author: str | None,
    note: str | None,
    seconds: Any,
    search: Any,
    remembered: Any,
) -> str:
    screen = review_screen(context, search, remembered, seconds)
    if screen is None:
        return texts(None)("No such exercise in the store.")
    if not context.open_demo:  # accounts: the note is signed by who is logged in
        who = current_principal()
        author = None if who is None else who.name
    try:
        return add_review_note(context, screen, author, note)
    except ActionRefused as refused:
        return str(refused)


def _add_report_route(app: Dash, context: ViewContext) -> None:
    def report(exercise_id: int) -> Response:
        exercise = context.exercise(exercise_id)
        if exercise is None:
            abort(404)
        t = texts(request.args.get("lang") or exercise.plan.exercise.language.value)
        timeline = replay.review_of(context, exercise).timeline
        page = render_report(context.store, timeline, t)
        name = f"vigie-exercise-{exercise_id}-report.html"
        return Response(
            page,
            mimetype="text/html",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    app.server.add_url_rule(
        "/review/<int:exercise_id>/report.html", endpoint="review_report", view_func=report
    )


PAGE = Page(
    name="review",
    module=__name__,
    path="/review",
    title="Vigie · review",
    layout=layout,
    access=STAFF,
    # The callbacks `callbacks` registers: previous / next event, a step of play, and
    # notes written after the fact (reviewers' own work).
    actions=(("review-at", STAFF), ("review-note-result", STAFF)),
    refreshes=(
        Refresh(
            outputs=(("review-wall", "children"), ("review-instant", "children")),
            render=render_instant,
            first=(("review-at", "value"),),
            ticked=False,
        ),
        Refresh(
            outputs=(("review-timeline", "figure"), ("review-event", "children")),
            render=render_timeline,
            # The page's own component first: Dash then leaves it alone on other pages.
            first=(("review-at", "value"), ("review-note-result", "children")),
            ticked=False,
        ),
    ),
    callbacks=_callbacks,
)
