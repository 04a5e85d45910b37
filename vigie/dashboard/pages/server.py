"""One server: its connections against its limit over time, and what is said about it."""

from __future__ import annotations

from typing import Any

import dash
from dash import Dash, Input, Output, State, dcc, html

from vigie.dashboard import components
from vigie.dashboard.context import ViewContext
from vigie.dashboard.figures import Figure, connections_figure, empty_figure, refusals_figure
from vigie.dashboard.history import read_history, server_counters
from vigie.dashboard.screen import screen_for
from vigie.i18n import Texts, texts


def register(app: Dash, context: ViewContext) -> None:
    dash.register_page(
        __name__,
        path_template="/server/<server_id>",
        title="Vigie · server",
        layout=lambda server_id="", **_: layout(context, server_id),
    )

    @app.callback(
        Output("server-header", "children"),
        Output("server-body", "children"),
        Output("server-chart", "figure"),
        Output("server-refusals", "figure"),
        Input("server-tick", "n_intervals"),
        Input("url", "search"),
        Input("vigie-language", "data"),
        State("server-id", "data"),
    )
    def refresh(
        _tick: int | None, search: str | None, remembered: str | None, server_id: str | None
    ) -> tuple[Any, Any, Figure, Figure]:
        # the page's store holds text; a request may carry any JSON there
        return render(context, search, remembered, server_id if isinstance(server_id, str) else "")


def layout(context: ViewContext, server_id: str) -> html.Div:
    return html.Div(
        className="vigie-console",
        children=[
            dcc.Store(id="server-id", data=server_id),
            dcc.Interval(id="server-tick", interval=context.refresh_ms),
            html.Header(id="server-header", className="vigie-header"),
            html.Nav(className="vigie-nav", children=[dcc.Link("←", href="/")]),
            html.Div(id="server-body"),
            html.Div(
                className="vigie-console-charts",  # side by side: both seen at once
                children=[
                    dcc.Graph(id="server-chart", config={"displayModeBar": False}),
                    dcc.Graph(id="server-refusals", config={"displayModeBar": False}),
                ],
            ),
        ],
    )


def role_name(t: Texts, role: str) -> str:
    """A server's role as the screen's language says it (the plan's value otherwise)."""
    names = {
        "gateway": t("gateway"),
        "load-balancer": t("load balancer"),
        "web": t("web server"),
        "database": t("database"),
        "other": t("other server"),
    }
    return names.get(role, role)


def render(
    context: ViewContext, search: str | None, remembered: str | None, server_id: str
) -> tuple[Any, Any, Figure, Figure]:
    screen = screen_for(context, search, remembered)
    if screen is None:
        return [], texts(None)("No exercise in the store yet."), empty_figure(), empty_figure()
    t, plan = screen.t, screen.exercise.plan
    header = components.header(screen, "server")
    known = {s.id: s for s in plan.servers}
    if server_id not in known:
        return (
            header,
            html.P(t("No server {name} in this plan.", name=server_id[:64])),
            empty_figure(),
            empty_figure(),
        )
    if screen.tick is None:
        return header, components.blind_banner(screen, "server"), empty_figure(), empty_figure()
    view = next(s for s in screen.tick.servers if s.id == server_id)
    alerts = [
        components.alert_row(screen, a)
        for a in screen.tick.alerts
        if a.subject == server_id or a.facts.get("server") == server_id
    ]
    body = [
        components.blind_banner(screen, "server"),
        html.H1(f"{server_id} · {role_name(t, view.role)}", className="vigie-page-title"),
        html.P(known[server_id].description, className="vigie-page-detail"),
        html.Section(
            className="vigie-servers", children=[components.server_row(screen, view, "server")]
        ),
        html.Section(
            className="vigie-alerts",
            children=[
                html.H2(t("Alerts")),
                *(alerts or [html.Div(t("No alert firing"), className="vigie-no-alerts")]),
            ],
        ),
    ]
    history = context.per_tick(
        screen.exercise,
        screen.at,
        "history",
        lambda: read_history(context.store, screen.exercise, screen.at, context.history),
    )
    wave_starts = screen.wave_launches()
    figure = connections_figure(
        {server_id: history.connections.get(server_id, [])},
        {server_id: view.limit},
        wave_starts,
        [m for m in history.alerts if server_id in m.label],
        t,
        screen.exercise.record.t0,
    )
    counters = context.per_tick(
        screen.exercise,
        screen.at,
        f"refusals:{server_id}",
        lambda: server_counters(context.store, screen.exercise, server_id, screen.at),
    )
    named = {
        t("refused"): counters["server_rejected_total"],
        t("reset"): counters["server_reset_total"],
    }
    refusals = refusals_figure(named, wave_starts, t, screen.exercise.record.t0)
    return header, body, figure, refusals
