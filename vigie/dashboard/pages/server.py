"""One server: its connections against its limit over time, and what is said about it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import dcc, html

from vigie.accounts.policy import STAFF
from vigie.dashboard import components
from vigie.dashboard.context import ViewContext
from vigie.dashboard.figures import Figure, connections_figure, empty_figure, refusals_figure
from vigie.dashboard.history import read_history, server_counters
from vigie.dashboard.page_registry import Page, Refresh, text_or_empty, tick_interval
from vigie.dashboard.screen import TickedScreen, screen_for, ticked
from vigie.i18n import Texts, texts
from vigie.tick import ServerView


def layout(context: ViewContext, query: Mapping[str, Any]) -> html.Div:
    return html.Div(
        className="vigie-console",
        children=[
            dcc.Store(id="server-id", data=query.get("server_id", "")),
            tick_interval("server", context),
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
    context: ViewContext, search: str | None, remembered: str | None, asked: object
) -> tuple[Any, Any, Figure, Figure]:
    """The header, what is said about server `asked` (the page's store: any JSON), its
    connections against its limit, and its refusals."""
    server_id = text_or_empty(asked)
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
    shown = ticked(screen)
    if shown is None:
        return header, components.blind_banner(screen, "server"), empty_figure(), empty_figure()
    view = next(s for s in shown.tick.servers if s.id == server_id)
    body = _body(shown, view, known[server_id].description)
    return header, body, *_charts(context, shown, view)


def _body(screen: TickedScreen, view: ServerView, description: str) -> list[Any]:
    t = screen.t
    alerts = [
        components.alert_row(screen, a)
        for a in screen.tick.alerts
        if a.subject == view.id or a.facts.get("server") == view.id
    ]
    return [
        components.blind_banner(screen, "server"),
        html.H1(f"{view.id} · {role_name(t, view.role)}", className="vigie-page-title"),
        html.P(description, className="vigie-page-detail"),
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


def _charts(context: ViewContext, screen: TickedScreen, view: ServerView) -> tuple[Figure, Figure]:
    """The server's connections against its limit, and its refusals and resets."""
    t, server_id = screen.t, view.id
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
    return figure, refusals_figure(named, wave_starts, t, screen.exercise.record.t0)


PAGE = Page(
    name="server",
    module=__name__,
    path="/server/<server_id>",
    title="Vigie · server",
    layout=layout,
    access=STAFF,
    refreshes=(
        Refresh(
            outputs=(
                ("server-header", "children"),
                ("server-body", "children"),
                ("server-chart", "figure"),
                ("server-refusals", "figure"),
            ),
            render=render,
            state=(("server-id", "data"),),
        ),
    ),
)
