"""The first screen: active sessions against the plan, and each wave's progress."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import parse_qs

import dash
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

from vigie.dashboard import text
from vigie.dashboard.context import Exercise, ViewContext
from vigie.dashboard.figures import active_sessions_figure
from vigie.dashboard.state import (
    FiringAlert,
    Overview,
    WaveProgress,
    WaveState,
    active_sessions_history,
    overview,
)


def register(app: Dash, context: ViewContext) -> None:
    dash.register_page(__name__, path="/", title="Vigie", layout=lambda **_: layout(context))

    @app.callback(
        Output("overview-header", "children"),
        Output("overview-body", "children"),
        Output("overview-chart", "figure"),
        Input("overview-tick", "n_intervals"),
        Input("overview-url", "search"),
    )
    def refresh(_tick: int | None, search: str | None) -> tuple[Any, Any, go.Figure]:
        return render(context, search)


def layout(context: ViewContext) -> html.Div:
    return html.Div(
        className="vigie-page",
        children=[
            dcc.Location(id="overview-url"),
            dcc.Interval(id="overview-tick", interval=context.refresh_ms),
            html.Header(id="overview-header", className="vigie-header"),
            html.Main(id="overview-body", className="vigie-body"),
            dcc.Graph(
                id="overview-chart",
                className="vigie-chart",
                config={"displayModeBar": False},
                responsive=True,  # fill the height the wall theme gives it
            ),
        ],
    )


def render(context: ViewContext, search: str | None) -> tuple[Any, Any, go.Figure]:
    exercise = context.exercise()
    if exercise is None:
        return html.H1("Vigie"), html.P(text.text("en", "no_exercise")), go.Figure()
    replay_at, error = _requested_instant(exercise, search)
    at = replay_at if replay_at is not None else context.clock.now()
    state, history = context.per_tick(
        exercise,
        at,
        lambda: (
            overview(context.store, exercise, at),
            active_sessions_history(context.store, exercise, at),
        ),
    )
    language = exercise.plan.exercise.language.value
    wave_starts = [
        (w.number, exercise.record.t0 + w.start_s)
        for w in state.waves
        if w.start_s <= state.elapsed_s
    ]
    figure = active_sessions_figure(history, state.expected, wave_starts, language, _tz(exercise))
    header = _header(exercise, state, language, replay=replay_at is not None, error=error)
    return header, _body(state, language), figure


def _requested_instant(exercise: Exercise, search: str | None) -> tuple[float | None, str | None]:
    """`?at=SECONDS` (exercise seconds from T+0) shows the exercise as it was then."""
    values = parse_qs((search or "").lstrip("?")).get("at")
    if not values:
        return None, None
    try:
        seconds = float(values[0])
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds):
        return None, f"at={values[0][:40]!r} is not a number of seconds from T+0; showing live"
    span = exercise.plan.exercise.duration_min * 60
    return exercise.record.t0 + min(max(seconds, -span), 2 * span), None


def _tz(exercise: Exercise) -> Any:
    starts_at = exercise.plan.exercise.starts_at
    return None if starts_at is None else starts_at.tzinfo


def _header(
    exercise: Exercise, state: Overview, language: str, replay: bool, error: str | None
) -> list[Any]:
    clock = f"T+{text.exercise_clock(state.elapsed_s)}"
    wall = text.wall_time(state.at, _tz(exercise), language)
    status, status_class = _status(state, language, replay, _tz(exercise))
    children: list[Any] = [
        html.Div(exercise.record.name, className="vigie-exercise-name"),
        html.Div(
            [
                html.Span(clock, className="vigie-clock"),
                html.Span(wall, className="vigie-wall-time"),
            ]
        ),
        html.Div(status, className=f"vigie-status {status_class}", id="overview-status"),
    ]
    if error:
        children.append(html.Div(error, className="vigie-input-error"))
    return children


def _status(state: Overview, language: str, replay: bool, tz: Any) -> tuple[str, str]:
    if state.stopped_at_s is not None:
        return text.text(language, "stopped", at=text.exercise_clock(state.stopped_at_s)), "stopped"
    if state.blind:
        first = state.blind[0]
        since = text.wall_time(first.since, tz, language)
        return text.text(language, "blind", source=first.source, time=since), "stale"
    if replay:
        return text.text(language, "replay", time=text.wall_time(state.at, tz, language)), "replay"
    fresh = state.freshness
    if fresh.newest is None or fresh.age_s is None:
        return text.text(language, "no_data"), "stale"
    if fresh.stale:
        last = text.wall_time(fresh.newest, tz, language)
        return text.text(language, "stale", time=last, age=text.duration(fresh.age_s)), "stale"
    return text.text(language, "live"), "live"


def _body(state: Overview, language: str) -> list[Any]:
    fresh = state.freshness
    age = (
        ""
        if fresh.age_s is None
        else text.text(language, "updated_ago", age=text.duration(fresh.age_s))
    )
    total = html.Section(
        # After the stop the last values are final, not stale: the exercise is over.
        className="vigie-total"
        + (" is-stale" if fresh.stale and state.stopped_at_s is None else ""),
        children=[
            html.H2(text.text(language, "active_sessions")),
            html.Div(
                text.count(state.active, language),
                className="vigie-big-number",
                id="overview-active",
            ),
            html.Div(
                text.text(language, "of_expected", expected=text.count(state.expected, language)),
                className="vigie-of-expected",
            ),
            html.Div(age, className="vigie-age"),
        ],
    )
    waves = html.Section(
        className="vigie-waves",
        children=[html.H2(text.text(language, "waves"))]
        + [_wave_row(w, state.elapsed_s, language) for w in state.waves],
    )
    alerts = html.Section(
        className="vigie-alerts",
        id="overview-alerts",
        children=[html.H2(text.text(language, "alerts"))]
        + (
            [_alert_row(a) for a in state.alerts[:MAX_ALERT_ROWS]]
            or [html.Div(text.text(language, "no_alerts"), className="vigie-no-alerts")]
        ),
    )
    return [total, waves, alerts]


MAX_ALERT_ROWS = 4  # the wall has no scrolling: the most severe and newest first


def _alert_row(alert: FiringAlert) -> html.Div:
    return html.Div(
        className=f"vigie-alert is-{alert.severity}",
        children=[
            html.Span(alert.severity.upper(), className="vigie-alert-severity"),
            html.Span(alert.message, className="vigie-alert-message"),
        ],
    )


def _wave_row(wave: WaveProgress, elapsed_s: float, language: str) -> html.Div:
    start = text.exercise_clock(wave.start_s)
    if wave.state is WaveState.PLANNED:
        detail = text.text(language, "wave_planned", start=start)
    else:
        detail = text.text(
            language, "wave_started", start=start, since=text.duration(elapsed_s - wave.start_s)
        )
        if wave.state is WaveState.COMPLETE:
            detail += " · " + text.text(language, "wave_complete")
    numbers = f"{text.count(wave.connected, language)} / {text.count(wave.expected, language)}"
    return html.Div(
        className=f"vigie-wave is-{wave.state.value}",
        id=f"overview-wave-{wave.number}",
        children=[
            html.Div(text.text(language, "wave", number=wave.number), className="vigie-wave-name"),
            html.Div(
                className="vigie-bar",
                children=html.Div(
                    className="vigie-bar-fill",
                    style={"width": f"{min(100.0, wave.share * 100):.1f}%"},
                ),
            ),
            html.Div(numbers, className="vigie-wave-numbers"),
            html.Div(detail, className="vigie-wave-detail"),
        ],
    )
