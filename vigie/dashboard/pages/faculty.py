"""One faculty: its students connected against those expected, and the national banner."""

from __future__ import annotations

from typing import Any

import dash
import plotly.graph_objects as go
from dash import Dash, Input, Output, State, dcc, html

from vigie.accounts.principal import Role
from vigie.dashboard import components
from vigie.dashboard.auth import current_principal
from vigie.dashboard.context import ViewContext
from vigie.dashboard.figures import sessions_figure
from vigie.dashboard.history import read_history
from vigie.dashboard.screen import screen_for
from vigie.i18n import texts


def register(app: Dash, context: ViewContext) -> None:
    dash.register_page(
        __name__,
        path_template="/faculty/<faculty_id>",
        title="Vigie · faculty",
        layout=lambda faculty_id="", **_: layout(context, faculty_id),
    )

    @app.callback(
        Output("faculty-header", "children"),
        Output("faculty-body", "children"),
        Output("faculty-chart", "figure"),
        Input("faculty-tick", "n_intervals"),
        Input("url", "search"),
        Input("vigie-language", "data"),
        State("faculty-id", "data"),
    )
    def refresh(
        _tick: int | None, search: str | None, remembered: str | None, faculty_id: str | None
    ) -> tuple[Any, Any, go.Figure]:
        return render(context, search, remembered, faculty_id or "")


def layout(context: ViewContext, faculty_id: str) -> html.Div:
    return html.Div(
        className="vigie-console",
        children=[
            dcc.Store(id="faculty-id", data=faculty_id),
            dcc.Interval(id="faculty-tick", interval=context.refresh_ms),
            html.Header(id="faculty-header", className="vigie-header"),
            html.Nav(className="vigie-nav", children=_navigation()),
            html.Div(id="faculty-body"),
            dcc.Graph(id="faculty-chart", config={"displayModeBar": False}),
        ],
    )


def _navigation() -> list[Any]:
    """Back to the console for those who may see it; a faculty's team only logs out."""
    who = current_principal()
    if who is not None and who.role in (Role.OPERATOR, Role.REVIEWER):
        return [dcc.Link("←", href="/")]
    if who is not None and who.role is Role.FACULTY:
        return [html.A(texts(None)("Log out"), href="/logout")]
    return []


def render(
    context: ViewContext, search: str | None, remembered: str | None, faculty_id: str
) -> tuple[Any, Any, go.Figure]:
    screen = screen_for(context, search, remembered)
    if screen is None:
        return [], texts(None)("No exercise in the store yet."), go.Figure()
    t, plan = screen.t, screen.exercise.plan
    header = components.header(screen, "faculty")
    faculty = next((f for f in plan.faculties if f.id == faculty_id), None)
    if faculty is None:
        return (
            header,
            html.P(t("No faculty {name} in this plan.", name=faculty_id[:64])),
            go.Figure(),
        )
    if screen.tick is None:
        return header, components.blind_banner(screen, "faculty"), go.Figure()
    national = [a for a in screen.tick.alerts if a.rule != "faculty_lag"]
    own = [a for a in screen.tick.alerts if a.rule == "faculty_lag" and a.subject == faculty_id]
    view = next(f for f in screen.tick.faculties if f.id == faculty_id)
    tile = components.faculty_tile(screen, view, "faculty")
    body = [
        components.blind_banner(screen, "faculty"),
        html.H1(
            t("{faculty} · wave {wave}", faculty=faculty.name, wave=faculty.wave),
            className="vigie-page-title",
        ),
        html.Div(className="vigie-faculty-grid is-single", children=[tile]),
        html.Section(
            className="vigie-alerts",
            children=[html.H2(t("Our faculty"))]
            + (
                [components.alert_row(screen, a) for a in own]
                or [html.Div(t("No alert firing"), className="vigie-no-alerts")]
            ),
        ),
        html.Section(
            className="vigie-national",
            children=[
                html.H2(t("National control room")),
                components.gate_panel(screen, "faculty"),
                *[components.alert_row(screen, a) for a in national[:4]],
                components.notes_panel(screen, "faculty"),
            ],
        ),
    ]
    history = context.per_tick(
        screen.exercise,
        screen.at,
        "history",
        lambda: read_history(context.store, screen.exercise, screen.at),
    )
    start = plan.wave(faculty.wave).start_min * 60
    wave_starts = (
        [(faculty.wave, screen.exercise.record.t0 + start)] if start <= screen.elapsed_s else []
    )
    figure = sessions_figure(
        {faculty.name: history.sessions.get(faculty_id, [])},
        faculty.expected_students,
        wave_starts,
        [],
        t,
        screen.tz,
    )
    return header, body, figure
