"""The report's charts: the console's figure builders, over the whole exercise, on paper.

The same figures as the operator console (so a reviewer reads what the room
saw), restyled for a light printable page, with the exercise clock (T+mm:ss) on
the time axis like the timeline beside them.
"""

from __future__ import annotations

import copy

from vigie.dashboard.context import Exercise
from vigie.dashboard.figures import (
    Figure,
    clock_axis,
    connections_figure,
    plain,
    sessions_figure,
)
from vigie.dashboard.history import Marker, highest_per_bucket, read_history
from vigie.i18n import Texts
from vigie.review.timeline import Timeline
from vigie.store import Point, Store

PAPER_INK = "#1f2328"
PAPER_GRID = "#d8dee4"
PAPER_MARK = "#8c959f"  # wave starts: visible on white without hiding the lines
REPORT_POINTS = 1200  # per line: finer than a printed page shows


def report_charts(store: Store, timeline: Timeline, t: Texts) -> tuple[Figure, list[Figure]]:
    """Active sessions (total and per wave), and one chart per server against its limit."""
    record, plan = timeline.record, timeline.plan
    exercise = Exercise(record, plan, plan.poll_interval_s)
    end = record.t0 + max(timeline.end_s, 1.0)
    history = read_history(store, exercise, end)
    wave_starts = [(w.wave, record.t0 + w.opened_s) for w in timeline.summary.waves]
    sessions = sessions_figure(
        _session_lines(timeline, end, t),
        plan.total_expected,
        wave_starts,
        history.alerts,
        t,
        record.t0,
    )
    servers = [
        connections_figure(
            {s.id: history.connections.get(s.id, [])},
            {s.id: s.connection_limit},
            wave_starts,
            _server_markers(timeline, s.id, t),
            t,
            record.t0,
        )
        for s in plan.servers
    ]
    for figure, server in zip(servers, plan.servers, strict=True):
        figure["layout"]["title"]["text"] = plain(f"{server.id} ({server.role})")
        figure["layout"]["showlegend"] = False  # one line, named by the title
    sessions["layout"]["title"]["text"] = ""  # the page's heading names it
    axis = clock_axis(0, end - record.t0)
    return _on_paper(sessions, axis, 420), [_on_paper(f, axis, 300) for f in servers]


def _server_markers(timeline: Timeline, server: str, t: Texts) -> list[Marker]:
    """The alerts about this server or its breach (the wave gate's included), and the breach."""
    t0, summary = timeline.record.t0, timeline.summary
    markers = [
        Marker(t0 + a.fired_at_s, f"{a.rule} {a.subject}", a.severity)
        for a in summary.alerts
        if a.subject == server or (a.warned_of is not None and a.warned_of.server == server)
    ]
    return markers + [m for m in _breach_markers(timeline, t) if m.label.endswith(f" {server}")]


def _breach_markers(timeline: Timeline, t: Texts) -> list[Marker]:
    t0, said = timeline.record.t0, t("LIMIT BREACHED")  # not in the f-string: extracted
    return [
        Marker(t0 + b.at_s, f"{said} {b.server}", "critical") for b in timeline.summary.breaches
    ]


def _session_lines(timeline: Timeline, end: float, t: Texts) -> dict[str, list[Point]]:
    """Every stored instant reduced to the page's width, each span's highest kept: the
    chart's peak is the timeline's exact peak."""
    t0, sessions = timeline.record.t0, timeline.sessions

    def drawn(points: list[Point]) -> list[Point]:
        return highest_per_bucket(points, t0, end, REPORT_POINTS)

    lines = {t("Total"): drawn(sessions.total)}
    for number, points in sorted(sessions.by_wave.items()):
        if not points:  # nobody in that wave ever connected: no line
            continue
        lines[t("Wave {number}", number=number)] = drawn(points)
    return lines


def _on_paper(figure: Figure, axis: dict[str, object], height: int) -> Figure:
    """Dark-screen colours to ink on white; the console's figure is left as it was."""
    figure = copy.deepcopy(figure)
    layout = figure["layout"]
    layout["font"] = {"color": PAPER_INK, "size": 13}
    layout["title"]["font"] = {"size": 15, "color": PAPER_INK}
    layout["xaxis"] = {**layout["xaxis"], **axis, "gridcolor": PAPER_GRID}
    layout["yaxis"] = {**layout["yaxis"], "gridcolor": PAPER_GRID, "tickformat": ",d"}
    layout["height"] = height
    layout.pop("uirevision", None)
    for shape in layout["shapes"]:
        if shape.get("yref") == "paper":  # the wave starts, drawn for a dark screen
            shape["line"]["color"] = PAPER_MARK
    return figure
