"""The operator console: the wall's state with history and drill-down, and the
operators' actions: acknowledge an alert, write a note, record a wave decision."""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html

from vigie.accounts.principal import Principal
from vigie.dashboard import components
from vigie.dashboard.actions import ActionRefused, acknowledge, add_decision, add_note
from vigie.dashboard.auth import current_principal, logout_button
from vigie.dashboard.context import ViewContext
from vigie.dashboard.figures import Figure, connections_figure, empty_figure, sessions_figure
from vigie.dashboard.history import read_history
from vigie.dashboard.screen import Screen, requested_language, screen_for
from vigie.i18n import Texts, texts

VIEWS = ("total", "waves", "faculties")


def register(app: Dash, context: ViewContext) -> None:
    dash.register_page(
        __name__,
        path="/",
        title="Vigie · console",
        layout=lambda **query: layout(context, query.get("lang")),
    )

    @app.callback(
        Output("console-header", "children"),
        Output("console-body", "children"),
        Output("console-more", "children"),
        Output("console-sessions", "figure"),
        Output("console-connections", "figure"),
        Input("console-tick", "n_intervals"),
        Input("url", "search"),
        Input("vigie-language", "data"),
        Input("console-view", "value"),
    )
    def refresh(
        _tick: int | None, search: str | None, remembered: str | None, view: str | None
    ) -> tuple[Any, Any, Any, Figure, Figure]:
        return render(context, search, remembered, view if view in VIEWS else "total")

    @app.callback(
        Output("console-alerts", "children"),
        Output("console-alerts-shown", "data"),
        Input("console-tick", "n_intervals"),
        Input("url", "search"),
        Input("vigie-language", "data"),
        State("console-alerts-shown", "data"),
    )
    def refresh_alerts(
        _tick: int | None, search: str | None, remembered: str | None, shown: Any
    ) -> tuple[Any, Any]:
        return render_alerts(context, search, remembered, shown)

    @app.callback(
        Output("console-action-result", "children"),
        Input({"type": "console-ack", "rule": ALL, "subject": ALL}, "n_clicks"),
        Input("console-note-add", "n_clicks"),
        Input("console-decision-add", "n_clicks"),
        State("console-operator", "value"),
        State("console-note-text", "value"),
        State("console-decision-wave", "value"),
        State("console-decision-choice", "value"),
        State("console-decision-comment", "value"),
        State("url", "search"),
        State("vigie-language", "data"),
        prevent_initial_call=True,
    )
    def act(
        _acks: list[int | None],
        _note: int | None,
        _decision: int | None,
        operator: str | None,
        note: str | None,
        wave: Any,
        choice: Any,
        comment: str | None,
        search: str | None,
        remembered: str | None,
    ) -> Any:
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            return dash.no_update  # buttons re-drawn by a refresh, not clicked
        screen = screen_for(context, search, remembered)
        if screen is None:
            return texts(None)("No exercise in the store yet.")
        t = screen.t
        if screen.replay:
            return t("This is a replay: actions are taken on the live exercise only.")
        if not context.open_demo:  # accounts: actions are signed by who is logged in
            who = current_principal()
            operator = None if who is None else who.name
        trigger = ctx.triggered_id
        try:
            if trigger == "console-note-add":
                return add_note(context, screen, operator, note)
            if trigger == "console-decision-add":
                return add_decision(context, screen, operator, wave, choice, comment)
            if isinstance(trigger, dict):
                return acknowledge(context, screen, operator, trigger["rule"], trigger["subject"])
        except ActionRefused as refused:
            return str(refused)
        return dash.no_update


def layout(context: ViewContext, lang: str | None = None) -> html.Div:
    exercise = context.exercise()
    t = (
        texts(lang)
        if exercise is None
        else requested_language(f"lang={lang or ''}", None, exercise)
    )
    waves = [] if exercise is None else [w.number for w in exercise.plan.waves_in_order]
    graph_config: Any = {"displayModeBar": False}
    return html.Div(
        className="vigie-console",
        children=[
            dcc.Interval(id="console-tick", interval=context.refresh_ms),
            html.Header(id="console-header", className="vigie-header"),
            html.Nav(
                className="vigie-nav",
                children=[dcc.Link(t("Wall screen"), href="/wall")],
            ),
            dcc.Store(id="console-alerts-shown"),
            html.Div(id="console-body", className="vigie-console-body"),
            # Right under the gate: a decision is taken without scrolling at a desk.
            _actions(t, waves, None if context.open_demo else current_principal()),
            # Apart from the body, and redrawn only when the alerts change: an
            # acknowledge button must not move under the operator's pointer.
            html.Section(id="console-alerts", className="vigie-alerts"),
            html.Div(id="console-more", className="vigie-console-body"),
            html.Div(
                className="vigie-console-charts",
                children=[
                    dcc.RadioItems(
                        id="console-view",
                        options=[
                            {"label": t("Total"), "value": "total"},
                            {"label": t("Per wave"), "value": "waves"},
                            {"label": t("Per faculty"), "value": "faculties"},
                        ],
                        value="total",
                        inline=True,
                        className="vigie-choice",
                    ),
                    dcc.Graph(id="console-sessions", config=graph_config),
                    dcc.Graph(id="console-connections", config=graph_config),
                ],
            ),
        ],
    )


def _actions(t: Texts, waves: list[int], who: Principal | None) -> html.Section:
    """`who`: the account actions are signed with; None in open demo mode (typed in)."""
    name = (
        dcc.Input(
            id="console-operator",
            maxLength=64,
            persistence=True,
            persistence_type="local",
            placeholder=t("name shown with your actions"),
        )
        if who is None
        else html.Div(
            [
                dcc.Input(id="console-operator", value=who.name, disabled=True),
                logout_button(t),
            ]
        )
    )
    decision = html.Div(
        className="vigie-action-row",
        children=[
            dcc.Dropdown(
                id="console-decision-wave",
                options=[{"label": t("Wave {number}", number=n), "value": n} for n in waves],
                placeholder=t("Wave"),
                clearable=False,
                className="vigie-wave-choice",
            ),
            dcc.RadioItems(
                id="console-decision-choice",
                options=[
                    {"label": t("GO"), "value": "go"},
                    {"label": t("HOLD"), "value": "hold"},
                    {"label": t("SPLIT"), "value": "split"},
                ],
                inline=True,
                className="vigie-choice",
            ),
            dcc.Input(
                id="console-decision-comment", maxLength=500, placeholder=t("why (optional)")
            ),
            html.Button(t("Record decision"), id="console-decision-add"),
        ],
    )
    note = html.Div(
        className="vigie-action-row",
        children=[
            dcc.Textarea(id="console-note-text", maxLength=2000),
            html.Button(t("Add note"), id="console-note-add"),
        ],
    )
    return html.Section(
        className="vigie-actions vigie-console-actions",
        id="console-actions",
        children=[
            html.H2(t("Operator actions")),
            # The decision first: it is what the gate above asks for.
            html.Label(t("Decision on a wave"), htmlFor="console-decision-wave"),
            decision,
            html.Div(id="console-action-result", className="vigie-action-result"),
            html.Label(t("Your name"), htmlFor="console-operator"),
            name,
            html.Label(t("Note to every screen"), htmlFor="console-note-text"),
            note,
        ],
    )


def render(
    context: ViewContext, search: str | None, remembered: str | None, view: str
) -> tuple[Any, Any, Any, Figure, Figure]:
    """The header; the body (the totals, the gate, the waves, the servers), above
    the operator's actions; what comes below them (notes, faculties); the charts."""
    screen = screen_for(context, search, remembered)
    if screen is None:
        t = texts(None)
        nothing = html.P(t("No exercise in the store yet."))
        return [], nothing, [], empty_figure(), empty_figure()
    header = components.header(screen, "console")
    if screen.tick is None:
        blind = components.blind_banner(screen, "console")
        return header, blind, [], empty_figure(), empty_figure()
    sessions, connections = context.per_tick(
        screen.exercise,
        screen.at,
        f"charts:{view}:{screen.t.language}",
        lambda: _charts(context, screen, view),
    )
    return header, _body(screen), _below(screen), sessions, connections


def render_alerts(
    context: ViewContext, search: str | None, remembered: str | None, shown: Any
) -> tuple[Any, Any]:
    screen = screen_for(context, search, remembered)
    if screen is None or screen.tick is None:
        return [], None
    alerts = screen.tick.alerts
    signature = [
        screen.t.language,
        screen.replay,
        *[[a.rule, a.subject, a.severity, a.since, a.acknowledged_by] for a in alerts],
    ]
    if signature == shown:
        return dash.no_update, dash.no_update
    rows = [
        components.alert_row(
            screen,
            alert,
            extra=None
            if alert.acknowledged_by or screen.replay
            else html.Button(
                screen.t("Acknowledge"),
                id={"type": "console-ack", "rule": alert.rule, "subject": alert.subject},
                className="vigie-ack",
            ),
        )
        for alert in alerts
    ]
    children = [
        html.H2(screen.t("Alerts")),
        *(rows or [html.Div(screen.t("No alert firing"), className="vigie-no-alerts")]),
    ]
    return children, signature


def _body(screen: Screen) -> list[Any]:
    assert screen.tick is not None
    return [
        components.blind_banner(screen, "console"),
        html.Div(
            className="vigie-console-grid",
            children=[
                html.Div(
                    [
                        components.total_panel(screen, "console"),
                        components.gate_panel(screen, "console"),
                    ]
                ),
                components.wave_rows(screen, "console"),
                components.server_bars(screen, "console", link=True),
            ],
        ),
    ]


def _below(screen: Screen) -> list[Any]:
    return [
        components.notes_panel(screen, "console"),
        components.faculty_grid(screen, "console", link=True),
    ]


def _charts(context: ViewContext, screen: Screen, view: str) -> tuple[Figure, Figure]:
    exercise, t = screen.exercise, screen.t
    history = context.per_tick(
        exercise,
        screen.at,
        "history",
        lambda: read_history(context.store, exercise, screen.at, context.history),
    )
    plan = exercise.plan
    if view == "waves":
        lines = {
            t("Wave {number}", number=n): points
            for n, points in history.by_wave({f.id: f.wave for f in plan.faculties}).items()
        }
    elif view == "faculties":
        names = {f.id: f.name for f in plan.faculties}
        lines = {names.get(k, k): v for k, v in sorted(history.sessions.items())}
    else:
        lines = {t("Total"): history.total()}
    wave_starts = screen.wave_launches()
    t0 = exercise.record.t0
    limits = {s.id: s.connection_limit for s in plan.servers}
    return (
        sessions_figure(lines, plan.total_expected, wave_starts, history.alerts, t, t0),
        connections_figure(history.connections, limits, wave_starts, history.alerts, t, t0),
    )
