"""The operator console: the wall's state with history and drill-down, and the
operators' actions: acknowledge an alert, write a note, record a wave decision."""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html

from vigie.accounts.principal import Principal
from vigie.dashboard import components, incident, roster
from vigie.dashboard.actions import ActionRefused, acknowledge, add_decision, add_note
from vigie.dashboard.auth import current_principal, logout_button
from vigie.dashboard.console_charts import charts, distribution
from vigie.dashboard.context import ViewContext
from vigie.dashboard.figures import empty_figure
from vigie.dashboard.screen import (
    Screen,
    TickedScreen,
    requested_language,
    screen_for,
    ticked,
    ticked_screen_for,
)
from vigie.i18n import Texts, texts
from vigie.tick.state import SMALL_ROSTER

VIEWS = ("total", "waves", "faculties")
ALERTS_SHOWN = 3  # the rest folded under them: the charts stay on the first screen
ATTENTION_SHOWN = 8  # beside the alerts, as many as the worst-sites chart draws


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
        Output("console-attention", "children"),
        Output("console-distribution", "figure"),
        Input("console-tick", "n_intervals"),
        Input("url", "search"),
        Input("vigie-language", "data"),
        Input("console-view", "value"),
    )
    def refresh(
        _tick: int | None, search: str | None, remembered: str | None, view: str | None
    ) -> tuple[Any, ...]:
        return render(context, search, remembered, view if view in VIEWS else "total")

    @app.callback(
        Output("console-found", "children"),
        Input("console-site-search", "value"),
        Input("console-tick", "n_intervals"),
        Input("url", "search"),
        Input("vigie-language", "data"),
    )
    def find(
        query: Any, _tick: int | None, search: str | None, remembered: str | None
    ) -> list[Any]:
        return render_found(context, query, search, remembered)

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
    """What an operator acts on first (the gate, the incident, the actions, the
    alerts and the sites needing a person), then the charts, then the roster."""
    exercise = context.exercise()
    t = (
        texts(lang)
        if exercise is None
        else requested_language(f"lang={lang or ''}", None, exercise)
    )
    waves = [] if exercise is None else [w.number for w in exercise.plan.waves_in_order]
    large = exercise is not None and len(exercise.plan.faculties) > SMALL_ROSTER
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
            html.Div(
                className="vigie-console-act",
                children=[
                    # Right under the gate: a decision is taken without scrolling at a desk.
                    _actions(t, waves, None if context.open_demo else current_principal()),
                    # Apart from the body, and redrawn only when the alerts change: an
                    # acknowledge button must not move under the operator's pointer.
                    html.Section(id="console-alerts", className="vigie-alerts"),
                    html.Div(id="console-attention", className="vigie-console-attention"),
                ],
            ),
            html.Div(
                className="vigie-console-charts",
                id="console-charts",
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
                    dcc.Graph(
                        id="console-distribution",
                        config=graph_config,
                        className="vigie-console-distribution",
                    ),
                ],
            ),
            html.Div(id="console-more", className="vigie-console-body"),
            html.Section(
                className="vigie-console-find" + ("" if large else " is-hidden"),
                children=[
                    roster.search_box(t, "console"),
                    html.Div(id="console-found", className="vigie-found"),
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
) -> tuple[Any, ...]:
    """The header; the body (the incident, the totals, the gate, the waves, the
    servers); the roster below the charts; the charts; the sites needing a person."""
    screen = screen_for(context, search, remembered)
    if screen is None:
        t = texts(None)
        nothing = html.P(t("No exercise in the store yet."))
        return [], nothing, [], empty_figure(), empty_figure(), [], empty_figure()
    shown = ticked(screen)
    if shown is None:
        header = components.header(screen, "console")
        blind = components.blind_banner(screen, "console")
        return header, blind, [], empty_figure(), empty_figure(), [], empty_figure()
    # Every viewer of the same second, language and rights gets the same console:
    # built once per worker, whatever the number of viewers.
    header, body, more, attention = context.shared(
        _second_key(context, shown, "console"), lambda: _console(context, shown)
    )
    sessions, connections = context.per_tick(
        shown.exercise,
        shown.at,
        f"charts:{view}:{shown.t.language}",
        lambda: charts(context, shown, view),
    )
    spread = context.shared(
        _second_key(context, shown, "console-distribution"),
        lambda: distribution(context, shown),
    )
    return header, body, more, sessions, connections, attention, spread


def _second_key(context: ViewContext, screen: Screen, what: str) -> tuple[Any, ...]:
    """What a console's second depends on: the tick, the second (clocks and ages),
    the language, replay or live, the stop, an error said on screen, and who asks."""
    return (
        what,
        screen.exercise.record.id,
        None if screen.tick is None else screen.tick.at,
        int(screen.at),
        screen.t.language,
        screen.replay,
        screen.exercise.record.ended,
        screen.error,
        _rights(context),
    )


def _rights(context: ViewContext) -> str:
    """The viewer's role (a console shows an operator's and a reviewer's alike today;
    the key keeps them apart so a screen built for one is never served to another)."""
    if context.open_demo:
        return "open"
    who = current_principal()
    return "none" if who is None else who.role.value


def _console(context: ViewContext, screen: TickedScreen) -> tuple[Any, Any, Any, Any]:
    return (
        components.header(screen, "console"),
        _body(screen),
        _below(screen),
        roster.attention_panel(screen, "console", ATTENTION_SHOWN),
    )


def render_found(
    context: ViewContext, query: Any, search: str | None, remembered: str | None
) -> list[Any]:
    """The sites whose name or id holds `query`, at most roster.FOUND_SHOWN."""
    screen = ticked_screen_for(context, search, remembered)
    if screen is None:
        return []
    if query is not None and not isinstance(query, str):
        return [html.Div(screen.t("A search is text."), className="vigie-found-hint")]
    typed = (query or "")[: roster.QUERY_MAX]
    sites = context.roster(screen.exercise, screen.shown_at).values()
    found, matched = roster.find_sites(sites, typed)
    return roster.found_panel(screen, found, matched, typed, "console-found")


def render_alerts(
    context: ViewContext, search: str | None, remembered: str | None, shown: Any
) -> tuple[Any, Any]:
    screen = ticked_screen_for(context, search, remembered)
    if screen is None:
        return [], None
    alerts = screen.tick.alerts
    signature = [
        screen.t.language,
        screen.replay,
        *[[a.rule, a.subject, a.severity, a.since, a.acknowledged_by] for a in alerts],
    ]
    if signature == shown:
        return dash.no_update, dash.no_update
    rows: list[Any] = [
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
    folded = rows[ALERTS_SHOWN:]
    if folded:  # every alert can still be acknowledged: one click opens the rest
        more = screen.t.plural("and {n} more", "and {n} more", len(folded))
        rows = [*rows[:ALERTS_SHOWN], html.Details([html.Summary(more), *folded])]
    children = [
        html.H2(screen.t("Alerts")),
        *(rows or [html.Div(screen.t("No alert firing"), className="vigie-no-alerts")]),
    ]
    return children, signature


def _body(screen: TickedScreen) -> list[Any]:
    return [
        components.blind_banner(screen, "console"),
        incident.headline(screen, "console"),
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


def _below(screen: TickedScreen) -> list[Any]:
    """Below the charts: the notes, then every site as a tile while they fit a
    screen, else the per-region sums (the search box below finds any one site)."""
    sites: Any = (
        components.faculty_grid(screen, "console", link=True)
        if screen.tick.faculties
        else roster.group_table(screen, screen.tick.groups, "console")
    )
    return [components.notes_panel(screen, "console"), sites]
