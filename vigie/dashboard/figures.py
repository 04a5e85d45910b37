"""Pure figure builders: values in, Plotly figures out. No store, no request."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo

import plotly.graph_objects as go

from vigie.dashboard.history import Marker
from vigie.i18n import Texts
from vigie.store import Point

INK = "#e8edf2"
MUTED = "#8a97a6"
GRID = "#2a3440"
LIMIT = "#f85149"
PALETTE = ("#4fc3f7", "#3fb950", "#d2a8ff", "#f0883e", "#ffd33d", "#ff7b72", "#79c0ff")
SEVERITY_COLOURS = {"careful": "#d29922", "warning": "#f0883e", "critical": "#f85149"}


def plain(text: str) -> str:
    """Plotly reads a few HTML tags in its texts: names from a plan or a source are
    escaped so they show as written and are never read as markup."""
    return html.escape(text, quote=False)


def _when(epoch: float, tz: tzinfo | None) -> datetime:
    return datetime.fromtimestamp(epoch, tz or UTC)


def _line(
    points: Sequence[Point], name: str, colour: str, tz: tzinfo | None, width: int = 2
) -> go.Scatter:
    return go.Scatter(
        x=[_when(p.at, tz) for p in points],
        y=[p.value for p in points],
        mode="lines",
        name=plain(name),
        line={"color": colour, "width": width},
        hovertemplate="%{x|%H:%M:%S}  %{y:,.0f}",
    )


def sessions_figure(
    lines: Mapping[str, Sequence[Point]],
    expected: int,
    wave_starts: Sequence[tuple[int, float]],
    alerts: Sequence[Marker],
    t: Texts,
    tz: tzinfo | None,
) -> go.Figure:
    """Active sessions (one line per total, wave or faculty), the plan's total,
    and markers where waves started and alerts fired."""
    figure = go.Figure(
        [
            _line(points, name, PALETTE[i % len(PALETTE)], tz, 3 if len(lines) == 1 else 2)
            for i, (name, points) in enumerate(lines.items())
        ]
    )
    figure.add_hline(
        y=expected,
        line={"color": MUTED, "dash": "dash"},
        annotation_text=t("expected {expected}", expected=t.count(expected)),
        annotation_font_color=MUTED,
    )
    _mark_events(figure, wave_starts, alerts, t, tz)
    return _styled(figure, t("Active sessions"), show_legend=1 < len(lines) <= 10)


def connections_figure(
    servers: Mapping[str, Sequence[Point]],
    limits: Mapping[str, int],
    wave_starts: Sequence[tuple[int, float]],
    alerts: Sequence[Marker],
    t: Texts,
    tz: tzinfo | None,
) -> go.Figure:
    """Each server's connections with its limit drawn as a line of the same colour."""
    figure = go.Figure()
    for i, (server, limit) in enumerate(limits.items()):
        colour = PALETTE[i % len(PALETTE)]
        figure.add_trace(_line(servers.get(server, []), server, colour, tz))
        figure.add_hline(
            y=limit,
            line={"color": colour, "dash": "dot", "width": 1},
            annotation_text=plain(t("{server} limit {limit}", server=server, limit=t.count(limit))),
            annotation_font_color=colour,
            annotation_position="top left",
        )
    _mark_events(figure, wave_starts, alerts, t, tz)
    return _styled(figure, t("Connections against limits"), show_legend=True)


def _mark_events(
    figure: go.Figure,
    wave_starts: Sequence[tuple[int, float]],
    alerts: Sequence[Marker],
    t: Texts,
    tz: tzinfo | None,
) -> None:
    for number, start in wave_starts:
        figure.add_vline(x=_when(start, tz), line={"color": GRID, "width": 2})
        figure.add_annotation(
            x=_when(start, tz),
            y=1.0,
            yref="paper",
            text=t("W{number}", number=number),
            showarrow=False,
            font={"color": MUTED, "size": 14},
            yanchor="bottom",
        )
    if alerts:
        figure.add_trace(
            go.Scatter(
                x=[_when(a.at, tz) for a in alerts],
                y=[0] * len(alerts),
                mode="markers",
                marker={
                    "symbol": "triangle-up",
                    "size": 14,
                    "color": [SEVERITY_COLOURS.get(a.severity, MUTED) for a in alerts],
                },
                text=[plain(a.label) for a in alerts],
                hovertemplate="%{x|%H:%M:%S}  %{text}<extra></extra>",
                name=t("Alerts"),
                showlegend=False,
            )
        )


def _styled(figure: go.Figure, title: str, show_legend: bool) -> go.Figure:
    figure.update_layout(
        title={"text": title, "font": {"size": 18, "color": MUTED}, "x": 0.01},
        margin={"l": 70, "r": 20, "t": 50, "b": 40},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"color": INK, "size": 15},
        showlegend=show_legend,
        legend={"orientation": "h", "y": -0.15},
        yaxis={"gridcolor": GRID, "rangemode": "tozero"},
        xaxis={"gridcolor": GRID},
        autosize=True,
        uirevision="keep",  # keep a viewer's zoom across refreshes
    )
    return figure
