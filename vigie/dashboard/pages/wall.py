"""The wall screen: the whole exercise at a glance, from across the room, no controls.

Refreshes by itself; if the browser loses the server it says so instead of
freezing on old numbers, and recovers by itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html

from vigie.accounts.policy import national_wall
from vigie.dashboard import components, incident, roster_panels
from vigie.dashboard.context import ViewContext
from vigie.dashboard.page_registry import Page, Refresh, layout_texts, tick_interval
from vigie.dashboard.screen import Screen, TickedScreen, screen_for, ticked
from vigie.i18n import texts

MAX_ALERT_ROWS = 3  # no scrolling: the most severe and newest first
MAX_NOTE_ROWS = 1
MAX_FACULTY_TILES = roster_panels.GRID_TILES  # past it, the attention list and sums


def refresh(
    context: ViewContext, search: str | None, remembered: str | None
) -> tuple[Any, dict[str, Any]]:
    content, language, answered = render(context, search, remembered)
    # The overlay says when the last answer came, on the exercise clock.
    return content, {"refresh_ms": context.refresh_ms, "language": language, "at": answered}


def _watchdog(app: Dash, _context: ViewContext) -> None:
    app.clientside_callback(
        ClientsideFunction(namespace="vigie", function_name="watchdog"),
        Output("wall-disconnected", "className"),
        Output("wall-disconnected-since", "children"),
        Input("wall-watchdog", "n_intervals"),
        Input("wall-contact", "data"),
        State("wall-disconnected", "className"),
    )


def layout(context: ViewContext, query: Mapping[str, Any]) -> html.Div:
    t = layout_texts(context, query.get("lang"))
    return html.Div(
        className="vigie-wall",
        children=[
            tick_interval("wall", context),
            dcc.Interval(id="wall-watchdog", interval=1000),
            dcc.Store(id="wall-contact"),
            html.Div(
                id="wall-disconnected",
                className="vigie-disconnected is-hidden",
                children=[
                    html.Div(t("DISCONNECTED FROM VIGIE")),
                    html.Div(
                        t("These numbers are frozen. Reconnecting by itself."),
                        className="vigie-disconnected-detail",
                    ),
                    html.Div(
                        [
                            t("Last answer from Vigie at"),
                            " ",
                            html.Span(id="wall-disconnected-since"),
                        ],
                        className="vigie-disconnected-detail",
                    ),
                ],
            ),
            html.Div(id="wall-screen", className="vigie-wall-screen"),
        ],
    )


def render(
    context: ViewContext, search: str | None, remembered: str | None
) -> tuple[Any, str, str]:
    """The wall's content, its language, and the instant it speaks of (T+ and wall time)."""
    screen = screen_for(context, search, remembered)
    if screen is None:
        return html.H1(texts(None)("No exercise in the store yet.")), "en", ""
    key = ("wall", *screen.key)
    # Every viewer of the same second gets the same screen: built once per worker.
    answered = f"T+{screen.t.clock(screen.elapsed_s)} ({screen.wall_time(screen.shown_at, True)})"
    return context.shared(key, lambda: body(screen)), screen.t.language, answered


def body(screen: Screen, page: str = "wall") -> list[Any]:
    """The wall at `screen`'s instant; `page` prefixes the ids (the review page embeds it)."""
    head = html.Header(components.header(screen, page), className="vigie-header")
    banner = components.blind_banner(screen, page)
    shown = ticked(screen)
    if shown is None:
        return [head, banner]
    large = roster_panels.is_large(shown.tick)
    return [
        head,
        banner,
        incident.headline(shown, page),
        html.Main(
            className="vigie-wall-main",
            children=[
                html.Div(
                    className="vigie-wall-column",
                    children=[
                        components.total_panel(shown, page),
                        components.wave_rows(shown, page, counts=large),
                        components.alerts_panel(shown, page, MAX_ALERT_ROWS),
                    ],
                ),
                html.Div(
                    className="vigie-wall-column",
                    children=[
                        components.gate_panel(shown, page),
                        components.server_bars(shown, page),
                        # A note is shown when there is one: the room's space is for facts.
                        components.notes_panel(shown, page, limit=MAX_NOTE_ROWS)
                        if shown.tick.notes
                        else None,
                    ],
                ),
                sites_column(shown, page)
                if large
                else components.faculty_grid(shown, page, limit=MAX_FACULTY_TILES),
            ],
        ),
    ]


def sites_column(screen: TickedScreen, page: str) -> html.Div:
    """A roster past a grid's size: who needs a person, then the regions' sums."""
    return html.Div(
        className="vigie-wall-column vigie-wall-sites",
        children=[
            roster_panels.attention_panel(screen, page),
            roster_panels.groups_panel(screen, page),
        ],
    )


PAGE = Page(
    name="wall",
    module=__name__,
    path="/wall",
    title="Vigie · wall",
    layout=layout,
    access=national_wall,
    refreshes=(
        Refresh(
            outputs=(("wall-screen", "children"), ("wall-contact", "data")),
            render=refresh,
            shared=True,
        ),
    ),
    callbacks=_watchdog,
)
