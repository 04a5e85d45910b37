"""Pure figure builders: values in, Plotly figures out. No store, no request."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

import plotly.graph_objects as go

from vigie.dashboard import text
from vigie.store import Point

INK = "#e8edf2"
MUTED = "#8a97a6"
ACCENT = "#4fc3f7"
GRID = "#2a3440"


def active_sessions_figure(
    history: list[Point],
    expected: int,
    wave_starts: list[tuple[int, float]],
    language: str,
    tz: tzinfo | None,
) -> go.Figure:
    """Total active sessions over time, the plan's total, and a marker per wave start."""
    zone = tz or UTC
    figure = go.Figure(
        go.Scatter(
            x=[datetime.fromtimestamp(p.at, zone) for p in history],
            y=[p.value for p in history],
            mode="lines",
            line={"color": ACCENT, "width": 3},
            name=text.text(language, "sessions_over_time"),
            hovertemplate="%{x|%H:%M:%S}  %{y:,.0f}<extra></extra>",
        )
    )
    figure.add_hline(
        y=expected,
        line={"color": MUTED, "dash": "dash"},
        annotation_text=text.text(
            language, "expected_line", expected=text.count(expected, language)
        ),
        annotation_font_color=MUTED,
    )
    for number, start in wave_starts:
        figure.add_vline(x=datetime.fromtimestamp(start, zone), line={"color": GRID, "width": 2})
        figure.add_annotation(
            x=datetime.fromtimestamp(start, zone),
            y=1.0,
            yref="paper",
            text=text.text(language, "wave_marker", number=number),
            showarrow=False,
            font={"color": MUTED, "size": 14},
            yanchor="bottom",
        )
    figure.update_layout(
        margin={"l": 60, "r": 20, "t": 30, "b": 30},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"color": INK, "size": 16},
        showlegend=False,
        yaxis={"gridcolor": GRID, "rangemode": "tozero", "range": [0, expected * 1.1]},
        xaxis={"gridcolor": GRID},
        autosize=True,
        uirevision="keep",  # keep a viewer's zoom across refreshes
    )
    return figure
