"""The compare page's chart: two runs overlaid on the exercise clock from an alignment point.

Pure: runs in, a Plotly figure dictionary out. No store, no request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vigie.dashboard.figures import (
    PALETTE,
    Figure,
    clock_axis,
    clock_label,
    dark_layout,
    empty_figure,
    plain,
)
from vigie.i18n import Texts


@dataclass(frozen=True)
class Run:
    """One exercise's series, its x already in seconds from its alignment point."""

    name: str  # how the exercise is named on the chart (escaped when drawn)
    points: Sequence[tuple[float, float]]  # (seconds from the alignment point, value)
    limit: int | None = None  # the server's limit in that exercise's plan, when one applies


def compare_figure(runs: Sequence[Run], title: str, t: Texts, origin: str = "T") -> Figure:
    """One line per run, and each run's limit as a dotted line of the same colour
    across that run's own span, on the exercise clock from the alignment point
    (labelled `origin`+mm:ss: T+05:00 from T+0, W2+05:00 from wave 2's start)."""
    data: list[dict[str, Any]] = []
    for i, run in enumerate(runs):
        colour = PALETTE[i % len(PALETTE)]
        data.append(_run_line(run, colour, origin))
        if run.limit is not None and run.points:
            data.append(_limit_line(run, colour, t))
    xs = [x for run in runs for x, _ in run.points]
    if not xs:
        return empty_figure(t("No data yet"))
    layout = dark_layout(title, True, clock_axis(min(xs), max(xs), origin))
    return {"data": data, "layout": layout}


def _run_line(run: Run, colour: str, origin: str) -> dict[str, Any]:
    return {
        "type": "scatter",
        "x": [x for x, _ in run.points],
        "y": [y for _, y in run.points],
        "text": [clock_label(x, origin) for x, _ in run.points],
        "mode": "lines",
        "name": plain(run.name),
        "line": {"color": colour, "width": 3},
        "hovertemplate": "%{text}  %{y:,.0f}",
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
