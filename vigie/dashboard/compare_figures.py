"""The compare page's chart: two runs overlaid on minutes from an alignment point.

Pure: runs in, a Plotly figure dictionary out. No store, no request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vigie.dashboard.figures import GRID, MUTED, PALETTE, Figure, dark_layout, plain
from vigie.i18n import Texts


@dataclass(frozen=True)
class Run:
    """One exercise's series, its x already in minutes from its alignment point."""

    name: str  # how the exercise is named on the chart (escaped when drawn)
    points: Sequence[tuple[float, float]]  # (minutes from the alignment point, value)
    limit: int | None = None  # the server's limit in that exercise's plan, when one applies


def compare_figure(runs: Sequence[Run], title: str, t: Texts) -> Figure:
    """One line per run, and each run's limit as a dotted line of the same colour
    across that run's own span."""
    data: list[dict[str, Any]] = []
    for i, run in enumerate(runs):
        colour = PALETTE[i % len(PALETTE)]
        data.append(_run_line(run, colour))
        if run.limit is not None and run.points:
            data.append(_limit_line(run, colour, t))
    xaxis = {
        "gridcolor": GRID,
        "zerolinecolor": MUTED,
        "title": {"text": plain(t("minutes from the alignment point"))},
    }
    layout = dark_layout(title, True, xaxis)
    return {"data": data, "layout": layout}


def _run_line(run: Run, colour: str) -> dict[str, Any]:
    return {
        "type": "scatter",
        "x": [x for x, _ in run.points],
        "y": [y for _, y in run.points],
        "mode": "lines",
        "name": plain(run.name),
        "line": {"color": colour, "width": 3},
        "hovertemplate": "%{x:.1f} min  %{y:,.0f}",
    }


def _limit_line(run: Run, colour: str, t: Texts) -> dict[str, Any]:
    xs = [x for x, _ in run.points]
    limit = run.limit or 0
    return {
        "type": "scatter",
        "x": [min(xs), max(xs)],
        "y": [limit, limit],
        "mode": "lines",
        "name": plain(t("{run} limit {limit}", run=run.name, limit=t.count(limit))),
        "line": {"color": colour, "width": 1, "dash": "dot"},
        "hoverinfo": "skip",
        "meta": "limit",
    }
