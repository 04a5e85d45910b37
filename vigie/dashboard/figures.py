"""Pure figure builders: values in, Plotly figure dictionaries out. No store, no request.

Plain dictionaries, not `plotly.graph_objects`: the objects validate every
property as it is set, which made one small chart cost ~50 ms of a worker's
time; the browser's Plotly reads the same JSON either way.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from vigie.dashboard.history import Marker
from vigie.i18n import Texts, exercise_clock
from vigie.store import Point

Figure = dict[str, Any]
INK = "#e8edf2"
MUTED = "#8a97a6"
GRID = "#2a3440"
PALETTE = ("#4fc3f7", "#3fb950", "#d2a8ff", "#f0883e", "#ffd33d", "#ff7b72", "#79c0ff")
REFUSALS_WINDOW_S = 30
REFUSAL_COLOURS = ("#f85149", "#f0883e")  # refused, reset
SEVERITY_COLOURS = {"careful": "#d29922", "warning": "#f0883e", "critical": "#f85149"}


def plain(text: str) -> str:
    """Plotly reads a few HTML tags in its texts: names from a plan or a source are
    escaped so they show as written and are never read as markup."""
    return html.escape(text, quote=False)


def empty_figure(message: str = "") -> Figure:
    """No chart to draw: the dark screen's colours, no axes, and `message` if any
    (never Plotly's default white canvas on a dark page)."""
    hidden = {"visible": False}
    layout = dark_layout("", False, hidden)
    layout.update(yaxis=hidden, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    if message:
        layout["annotations"] = [
            {
                "text": plain(message),
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "font": {"color": INK, "size": 22},
            }
        ]
    return {"data": [], "layout": layout}


CLOCK_STEPS_S = (60, 120, 300, 600, 900, 1800, 3600)  # exercise-clock labels: the first that fits
MAX_CLOCK_LABELS = 13  # "T+1:45:00" labels side by side across a 1920-pixel screen
HALF_SCREEN_CLOCK_LABELS = 7  # the console's charts, side by side


def clock_step(span_s: float, labels: int = MAX_CLOCK_LABELS) -> int:
    """Seconds between labels on the exercise clock over `span_s`, never crowded."""
    return next((s for s in CLOCK_STEPS_S if span_s / s < labels), CLOCK_STEPS_S[-1])


def clock_label(seconds: float, origin: str = "T") -> str:
    """An instant on the exercise clock: T+12:34 (or W2+01:00 from another origin)."""
    sign = "-" if seconds < 0 else "+"
    return f"{origin}{sign}{exercise_clock(abs(seconds))}"


def clock_axis(
    start_s: float, end_s: float, origin: str = "T", labels: int = MAX_CLOCK_LABELS
) -> dict[str, Any]:
    """The one time axis of every chart: x in seconds from `origin` (T+0 unless
    told), labelled on the exercise clock at a regular step, at most `labels` of them."""
    step = clock_step(max(end_s - start_s, 1), labels)
    first = -(-int(start_s) // step) * step  # the first label at or after the start
    offsets = list(range(first, int(end_s) + 1, step))
    return {
        "type": "linear",
        "tickmode": "array",
        "tickvals": offsets,
        "ticktext": [clock_label(s, origin) for s in offsets],
        "gridcolor": GRID,
        "zeroline": False,
    }


def _line(
    points: Sequence[Point], name: str, colour: str, t0: float, width: int = 2
) -> dict[str, Any]:
    offsets = [p.at - t0 for p in points]
    return {
        "type": "scatter",
        "x": offsets,
        "y": [p.value for p in points],
        "text": [clock_label(s) for s in offsets],
        "mode": "lines",
        "name": plain(name),
        "line": {"color": colour, "width": width},
        "hovertemplate": "%{text}  %{y:,.0f}",
    }


def _level(value: float, colour: str, label: str, dash: str, width: int = 1) -> tuple[Any, Any]:
    """A horizontal line across the chart at `value`, and its label."""
    shape = {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": value,
        "y1": value,
        "line": {"color": colour, "dash": dash, "width": width},
    }
    annotation = {
        "xref": "paper",
        "x": 0,
        "xanchor": "left",
        "yref": "y",
        "y": value,
        "yanchor": "bottom",
        "text": plain(label),
        "showarrow": False,
        "font": {"color": colour},
    }
    return shape, annotation


def sessions_figure(
    lines: Mapping[str, Sequence[Point]],
    expected: int,
    wave_starts: Sequence[tuple[int, float]],
    alerts: Sequence[Marker],
    t: Texts,
    t0: float,
) -> Figure:
    """Active sessions (one line per total, wave or faculty), the plan's total,
    and markers where waves started and alerts fired, on the exercise clock from `t0`."""
    data = [
        _line(points, name, PALETTE[i % len(PALETTE)], t0, 3 if len(lines) == 1 else 2)
        for i, (name, points) in enumerate(lines.items())
    ]
    expected_line = _level(
        expected, MUTED, t("expected {expected}", expected=t.count(expected)), "dash", 2
    )
    return _figure(
        data,
        [expected_line],
        wave_starts,
        alerts,
        t,
        t0,
        t("Active sessions"),
        1 < len(lines) <= 10,
    )


def site_shares_figure(
    lines: Mapping[str, Sequence[Point]],
    wave_starts: Sequence[tuple[int, float]],
    alerts: Sequence[Marker],
    t: Texts,
    t0: float,
    title: str,
) -> Figure:
    """A few sites' share of their students connected (0 to 1), one line each, with
    the line where every expected student is in: sites of any size side by side."""
    data = []
    for i, (name, points) in enumerate(lines.items()):
        line = _line(points, name, PALETTE[i % len(PALETTE)], t0)
        line["hovertemplate"] = "%{text}  %{y:.0%}"
        data.append(line)
    every = _level(1.0, MUTED, t("every expected student"), "dash", 2)
    figure = _figure(data, [every], wave_starts, alerts, t, t0, title, bool(lines))
    figure["layout"]["yaxis"].update(tickformat=".0%", rangemode="tozero")
    return figure


HEAT_SCALE = [[0.0, "#161b22"], [0.01, "#1f3a5a"], [1.0, "#4fc3f7"]]  # none: the panel's dark


def heat_strip_figure(
    waves: Sequence[str],
    columns: Sequence[str],
    counts: Sequence[Sequence[int]],
    t: Texts,
    title: str,
) -> Figure:
    """Sites per wave (rows, first at the top) and column: each cell's colour is its
    share of the wave's sites, its text the number of sites (blank when none)."""
    shares = [[n / max(1, sum(row)) for n in row] for row in counts]
    data = {
        "type": "heatmap",
        "x": list(columns),
        "y": [plain(w) for w in waves],
        "z": shares,
        "customdata": [list(row) for row in counts],
        "text": [[t.count(n) if n else "" for n in row] for row in counts],
        "texttemplate": "%{text}",
        "textfont": {"size": 15, "color": INK},
        "hovertemplate": "%{y} · %{x}: %{customdata}<extra></extra>",
        "colorscale": HEAT_SCALE,
        "zmin": 0,
        "zmax": 1,
        "showscale": False,
        "xgap": 2,
        "ygap": 2,
    }
    layout = dark_layout(title, False, {"type": "category", "tickfont": {"size": 14}})
    layout.update(
        yaxis={"type": "category", "autorange": "reversed", "tickfont": {"size": 14}},
        margin={"l": 110, "r": 20, "t": 50, "b": 40},
    )
    return {"data": [data], "layout": layout}


def connections_figure(
    servers: Mapping[str, Sequence[Point]],
    limits: Mapping[str, int],
    wave_starts: Sequence[tuple[int, float]],
    alerts: Sequence[Marker],
    t: Texts,
    t0: float,
) -> Figure:
    """Each server's connections with its limit drawn as a line of the same colour.
    Servers whose series are the same over the span drawn are one line named for
    all of them ("web-1 = web-2"): drawn apart, the lines would hide each other."""
    data = []
    colours: dict[str, str] = {}
    for i, names in enumerate(same_series(servers, list(limits))):
        for server in names:
            colours[server] = PALETTE[i % len(PALETTE)]
        data.append(_line(servers.get(names[0], []), " = ".join(names), colours[names[0]], t0))
    sharing: dict[int, list[str]] = {}  # servers with the same limit share one line
    for server, limit in limits.items():
        sharing.setdefault(limit, []).append(server)
    levels = [
        _level(
            limit,
            colours[names[0]],
            t("{server} limit {limit}", server=", ".join(names), limit=t.count(limit)),
            "dot",
        )
        for limit, names in sharing.items()
    ]
    return _figure(data, levels, wave_starts, alerts, t, t0, t("Connections against limits"), True)


def increase_within(points: Sequence[Point], window_s: float) -> list[Point]:
    """A counter's increase over the `window_s` seconds ending at each of its samples
    (a restart of the counter counts from zero), stamped at that sample: what the
    throttling rule counts, so one refusal in a poll reads 1, never a rate times 30."""
    rises = [
        (after.at, after.value - before.value if after.value >= before.value else after.value)
        for before, after in pairwise(points)
    ]
    within, total, first = [], 0.0, 0
    for at, rise in rises:
        total += rise
        while rises[first][0] <= at - window_s:
            total -= rises[first][1]
            first += 1
        within.append(Point(at, total))
    return within


def refusals_figure(
    counters: Mapping[str, Sequence[Point]],
    wave_starts: Sequence[tuple[int, float]],
    t: Texts,
    t0: float,
) -> Figure:
    """Refused and reset connections (`counters` by label), as increases in 30 s."""
    data = [
        _line(increase_within(points, REFUSALS_WINDOW_S), name, colour, t0)
        for (name, points), colour in zip(counters.items(), REFUSAL_COLOURS, strict=False)
    ]
    title = t("Refused and reset connections in 30 s")
    return _figure(data, [], wave_starts, [], t, t0, title, True)


def same_series(series: Mapping[str, Sequence[Point]], names: Sequence[str]) -> list[list[str]]:
    """`names` grouped by identical series (the same instants and values), in order."""
    groups: dict[tuple[tuple[float, float], ...], list[str]] = {}
    for name in names:
        key = tuple((p.at, p.value) for p in series.get(name, []))
        groups.setdefault(key, []).append(name)
    return list(groups.values())


def _figure(
    data: list[dict[str, Any]],
    levels: list[tuple[Any, Any]],
    wave_starts: Sequence[tuple[int, float]],
    alerts: Sequence[Marker],
    t: Texts,
    t0: float,
    title: str,
    show_legend: bool,
) -> Figure:
    shapes = [shape for shape, _ in levels]
    annotations = [annotation for _, annotation in levels]
    for number, start in wave_starts:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "x0": start - t0,
                "x1": start - t0,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": GRID, "width": 2},
            }
        )
        annotations.append(
            {
                "x": start - t0,
                "y": 1.0,
                "yref": "paper",
                "yanchor": "bottom",
                "text": t("W{number}", number=number),
                "showarrow": False,
                "font": {"color": MUTED, "size": 14},
            }
        )
    if alerts:
        data.append(_alert_markers(alerts, t, t0))
    end_s = max((x for trace in data for x in trace["x"]), default=0.0)
    axis = clock_axis(0, max(end_s, 60), labels=HALF_SCREEN_CLOCK_LABELS)
    layout = dark_layout(title, show_legend, axis)
    layout.update(shapes=shapes, annotations=annotations, uirevision="keep")  # keep zooms
    return {"data": data, "layout": layout}


def dark_layout(title: str, show_legend: bool, xaxis: dict[str, Any]) -> dict[str, Any]:
    """The screens' chart look: dark, transparent, large type, legend below."""
    return {
        "title": {"text": plain(title), "font": {"size": 18, "color": MUTED}, "x": 0.01},
        "margin": {"l": 70, "r": 20, "t": 50, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"color": INK, "size": 15},
        "showlegend": show_legend,
        "legend": {"orientation": "h", "y": -0.15},
        "yaxis": {"gridcolor": GRID, "rangemode": "tozero"},
        "xaxis": xaxis,
        "autosize": True,
    }


def _alert_markers(alerts: Sequence[Marker], t: Texts, t0: float) -> dict[str, Any]:
    return {
        "type": "scatter",
        "x": [a.at - t0 for a in alerts],
        "y": [0] * len(alerts),
        "mode": "markers",
        "marker": {
            "symbol": "triangle-up",
            "size": 14,
            "color": [SEVERITY_COLOURS.get(a.severity, MUTED) for a in alerts],
        },
        "text": [f"{clock_label(a.at - t0)}  {plain(a.label)}" for a in alerts],
        "hovertemplate": "%{text}<extra></extra>",
        "name": t("Alerts"),
        "showlegend": False,
    }


@dataclass(frozen=True, kw_only=True)
class Mark:
    """One fact on the review timeline: where, in which lane, and what it says."""

    at_s: float  # exercise seconds from T+0
    lane: str
    text: str
    colour: str
    symbol: str


def review_timeline_figure(
    sessions: Sequence[tuple[float, float]],
    marks: Sequence[Mark],
    lanes: Sequence[str],
    end_s: float,
    at_s: float,
    t: Texts,
) -> Figure:
    """Active sessions over the whole exercise above one lane of markers per kind of
    fact, on the exercise clock; shape 0 is the cursor at the instant shown."""
    line = {
        "type": "scatter",
        "x": [x for x, _ in sessions],
        "y": [y for _, y in sessions],
        "mode": "lines",
        "name": t("Active sessions"),
        "line": {"color": PALETTE[0], "width": 3},
        "hovertemplate": "%{y:,.0f}<extra></extra>",
        "showlegend": False,
    }
    data = [line, *(_lane_markers(marks, lane) for lane in lanes)]
    layout = {
        "margin": {"l": 190, "r": 20, "t": 10, "b": 30},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"color": INK, "size": 15},
        "showlegend": False,
        "hovermode": "closest",
        "xaxis": {**clock_axis(0, end_s), "range": [0, max(end_s, 1)]},
        "yaxis": {
            "domain": [0.52, 1],
            "gridcolor": GRID,
            "rangemode": "tozero",
            "title": {"text": plain(t("Active sessions")), "font": {"size": 14}},
        },
        "yaxis2": {
            "domain": [0, 0.42],
            "type": "category",
            "categoryorder": "array",
            "categoryarray": list(reversed(lanes)),
            "tickmode": "array",  # every lane named, however little room it has
            "tickvals": list(lanes),
            "tickfont": {"size": 13},
            "range": [-0.5, len(lanes) - 0.5],
            "gridcolor": GRID,
        },
        "shapes": [cursor_shape(at_s)],
        "autosize": True,
        "uirevision": "keep",
    }
    return {"data": data, "layout": layout}


def cursor_shape(at_s: float) -> dict[str, Any]:
    return {
        "type": "line",
        "xref": "x",
        "x0": at_s,
        "x1": at_s,
        "yref": "paper",
        "y0": 0,
        "y1": 1,
        "line": {"color": INK, "width": 2},
    }


def _lane_markers(marks: Sequence[Mark], lane: str) -> dict[str, Any]:
    mine = [m for m in marks if m.lane == lane]
    return {
        "type": "scatter",
        "x": [m.at_s for m in mine],
        "y": [lane] * len(mine),
        "yaxis": "y2",
        "mode": "markers",
        "marker": {
            "size": 15,
            "color": [m.colour for m in mine],
            "symbol": [m.symbol for m in mine],
            "line": {"color": "#0d1117", "width": 1},
        },
        "text": [_wrapped(m.text) for m in mine],
        "hovertemplate": "%{text}<extra></extra>",
        "name": plain(lane),
    }


def _wrapped(text: str, width: int = 80) -> str:
    """Escaped, then cut into lines Plotly can show in a hover box."""
    return "<br>".join(plain(line) for line in textwrap.wrap(text, width) or [""])
