"""The operator console: the wall's state with history and drill-down, and the
operators' actions: acknowledge an alert, write a note, record a wave decision."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html

from vigie.accounts.policy import OPERATOR, STAFF
from vigie.accounts.principal import Principal
from vigie.dashboard import components, incident, roster
from vigie.dashboard.actions import ActionRefused, acknowledge, add_decision, add_note
from vigie.dashboard.auth import current_principal, logout_button
from vigie.dashboard.console_charts import charts, distribution
from vigie.dashboard.context import ViewContext
from vigie.dashboard.figures import empty_figure
from vigie.dashboard.page_registry import (
    LANGUAGE,
    URL,
    Page,
    Refresh,
    layout_texts,
    tick_interval,
)
from vigie.dashboard.screen import (
    Screen,
    TickedScreen,
    screen_for,
    ticked,
    ticked_screen_for,
)
from vigie.i18n import Texts, texts
from vigie.tick.state import SMALL_ROSTER

VIEWS = ("total", "waves", "faculties")
ALERTS_SHOWN = 3  # the rest folded under them: the charts stay on the first screen
ATTENTION_SHOWN = 8  # beside the alerts, as many as the worst-sites chart draws


def _actions_callback(app: Dash, context: ViewContext) -> None:
    """Acknowledge, note, decide: the console's one callback that writes."""
    app.callback(
        Output("console-action-result", "children"),
        inputs={
            "acks": Input({"type": "console-ack", "rule": ALL, "subject": ALL}, "n_clicks"),
            "note_clicks": Input("console-note-add", "n_clicks"),
            "decision_clicks": Input("console-decision-add", "n_clicks"),
        },
        state={
            "operator": State("console-operator", "value"),
            "note": State("console-note-text", "value"),
            "wave": State("console-decision-wave", "value"),
            "choice": State("console-decision-choice", "value"),
            "comment": State("console-decision-comment", "value"),
            "search": State(URL, "search"),
            "remembered": State(LANGUAGE, "data"),
        },
        prevent_initial_call=True,
    )(lambda **values: act(context, **values))


def act(
    context: ViewContext,
    *,
    acks: list[int | None],
    note_clicks: int | None,
    decision_clicks: int | None,
    operator: str | None,
    note: str | None,
    wave: Any,
    choice: Any,
    comment: str | None,
    search: str | None,
    remembered: str | None,
) -> Any:
    """What the button clicked did (the clicks' counts say only that one was)."""
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
            return add_decision(
                context, screen, operator=operator, wave=wave, choice=choice, comment=comment
            )
        if isinstance(trigger, dict):
            return acknowledge(context, screen, operator, trigger["rule"], trigger["subject"])
    except ActionRefused as refused:
        return str(refused)
    return dash.no_update


def layout(context: ViewContext, query: Mapping[str, Any]) -> html.Div:
    """What an operator acts on first (the gate, the incident, the actions, the
    alerts and the sites needing a person), then the charts, then the roster."""
    t = layout_texts(context, query.get("lang"))
    exercise = context.exercise()
    waves = [] if exercise is None else [w.number for w in exercise.plan.waves_in_order]
    large = exercise is not None and len(exercise.plan.faculties) > SMALL_ROSTER
    return html.Div(
        className="vigie-console",
        children=[
            tick_interval("console", context),
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
            _charts(t),
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


def _charts(t: Texts) -> html.Div:
    """The view chosen (total, per wave, per faculty) and the charts it draws."""
    graph_config: Any = {"displayModeBar": False}
    return html.Div(
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
    )


def _actions(t: Texts, waves: list[int], who: Principal | None) -> html.Section:
    """`who`: the account actions are signed with; None in open demo mode (typed in)."""
    return html.Section(
        className="vigie-actions vigie-console-actions",
        id="console-actions",
        children=[
            html.H2(t("Operator actions")),
            # The decision first: it is what the gate above asks for.
            html.Label(t("Decision on a wave"), htmlFor="console-decision-wave"),
            _decision(t, waves),
            html.Div(id="console-action-result", className="vigie-action-result"),
            html.Label(t("Your name"), htmlFor="console-operator"),
            _operator(t, who),
            html.Label(t("Note to every screen"), htmlFor="console-note-text"),
            html.Div(
                className="vigie-action-row",
                children=[
                    dcc.Textarea(id="console-note-text", maxLength=2000),
                    html.Button(t("Add note"), id="console-note-add"),
                ],
            ),
        ],
    )


def _operator(t: Texts, who: Principal | None) -> Any:
    """The name actions are signed with: typed in open demo mode, else the account's."""
    if who is None:
        return dcc.Input(
            id="console-operator",
            maxLength=64,
            persistence=True,
            persistence_type="local",
            placeholder=t("name shown with your actions"),
        )
    return html.Div(
        [
            dcc.Input(id="console-operator", value=who.name, disabled=True),
            logout_button(t),
        ]
    )


def _decision(t: Texts, waves: list[int]) -> html.Div:
    return html.Div(
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


def render(
    context: ViewContext, search: str | None, remembered: str | None, asked: object
) -> tuple[Any, ...]:
    """The header; the body (the incident, the totals, the gate, the waves, the
    servers); the roster below the charts; the charts in the view `asked` (any JSON:
    one of VIEWS, else the total); the sites needing a person."""
    view = asked if isinstance(asked, str) and asked in VIEWS else "total"
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


PAGE = Page(
    name="console",
    module=__name__,
    path="/",
    title="Vigie · console",
    layout=layout,
    access=STAFF,
    # acknowledge, note, decide (the callback `callbacks` registers): operators only
    actions=(("console-action-result", OPERATOR),),
    refreshes=(
        Refresh(
            outputs=(
                ("console-header", "children"),
                ("console-body", "children"),
                ("console-more", "children"),
                ("console-sessions", "figure"),
                ("console-connections", "figure"),
                ("console-attention", "children"),
                ("console-distribution", "figure"),
            ),
            render=render,
            then=(("console-view", "value"),),
            shared=True,
        ),
        Refresh(
            outputs=(("console-found", "children"),),
            render=render_found,
            first=(("console-site-search", "value"),),
        ),
        # Not shared: the answer depends on the alerts the browser already shows.
        Refresh(
            outputs=(("console-alerts", "children"), ("console-alerts-shown", "data")),
            render=render_alerts,
            state=(("console-alerts-shown", "data"),),
        ),
    ),
    callbacks=_actions_callback,
)
