"""The screens' charts as pure figures: one clock on every time axis, servers drawn
once when their series are the same, and never Plotly's white canvas."""

from __future__ import annotations

from vigie.dashboard.compare_figures import Run, compare_figure
from vigie.dashboard.figures import (
    clock_axis,
    connections_figure,
    empty_figure,
    increase_within,
    refusals_figure,
    sessions_figure,
)
from vigie.dashboard.history import Marker
from vigie.i18n import texts
from vigie.store import Point

T0 = 1_642_752_000.0  # 21 January 2022, 08:00 UTC
EN = texts("en")


def points(*values: float, every_s: float = 30.0) -> list[Point]:
    return [Point(T0 + i * every_s, v) for i, v in enumerate(values)]


def test_the_time_axis_reads_t_plus_minutes_from_t0_at_a_regular_step() -> None:
    axis = clock_axis(0, 37 * 60)
    assert axis["ticktext"][:3] == ["T+00:00", "T+05:00", "T+10:00"]
    assert axis["tickvals"][:3] == [0, 300, 600]
    assert clock_axis(-150, 300, origin="W2")["ticktext"][:2] == ["W2-02:00", "W2-01:00"]


def test_a_sessions_chart_has_seconds_from_t0_and_t_plus_hovers_and_markers() -> None:
    figure = sessions_figure(
        {"Total": points(0, 100, 250)},
        300,
        [(2, T0 + 60)],
        [Marker(T0 + 45, "wave_gate wave-2", "critical")],
        EN,
        T0,
    )
    line, alerts = figure["data"]
    assert line["x"] == [0, 30, 60] and line["text"] == ["T+00:00", "T+00:30", "T+01:00"]
    assert "%{text}" in line["hovertemplate"] and "%{x|" not in line["hovertemplate"]
    assert alerts["x"] == [45] and alerts["text"][0].startswith("T+00:45")
    wave_line = next(s for s in figure["layout"]["shapes"] if s.get("yref") == "paper")
    assert wave_line["x0"] == 60  # the wave marker on the same clock as the lines
    assert figure["layout"]["xaxis"]["type"] == "linear"
    assert all(label.startswith("T+") for label in figure["layout"]["xaxis"]["ticktext"])


def test_servers_with_the_same_series_are_one_line_named_for_all() -> None:
    same = points(10, 20, 30)
    figure = connections_figure(
        {"waf-1": points(50, 90, 120), "web-1": same, "web-2": list(same), "web-3": same},
        {"waf-1": 160, "web-1": 80, "web-2": 80, "web-3": 80},
        [],
        [],
        EN,
        T0,
    )
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["waf-1", "web-1 = web-2 = web-3"]
    assert "<extra>" not in figure["data"][1]["hovertemplate"]  # the hover names them all


def test_servers_that_differ_anywhere_keep_their_own_lines() -> None:
    figure = connections_figure(
        {"web-1": points(10, 20, 30), "web-2": points(10, 20, 31)},
        {"web-1": 80, "web-2": 80},
        [],
        [],
        EN,
        T0,
    )
    assert [trace["name"] for trace in figure["data"]] == ["web-1", "web-2"]


def test_an_empty_chart_is_dark_and_says_why() -> None:
    figure = empty_figure("Only one run")
    layout = figure["layout"]
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == "rgba(0,0,0,0)"
    assert layout["xaxis"]["visible"] is False and layout["yaxis"]["visible"] is False
    assert layout["annotations"][0]["text"] == "Only one run"


def test_compared_runs_share_the_exercise_clock_from_their_alignment_point() -> None:
    runs = [Run("#1 a", [(-60.0, 5.0), (0.0, 10.0), (300.0, 20.0)]), Run("#2 b", [(0.0, 7.0)])]
    figure = compare_figure(runs, "Active sessions", EN, origin="W2")
    assert figure["data"][0]["text"] == ["W2-01:00", "W2+00:00", "W2+05:00"]
    ticks = figure["layout"]["xaxis"]["ticktext"]
    assert ticks[0] == "W2-01:00" and "W2+00:00" in ticks and "W2+05:00" in ticks


def test_one_refusal_in_a_one_second_poll_reads_one_not_thirty() -> None:
    counter = points(0, 0, 1, 1, 1, every_s=1.0)
    assert [p.value for p in increase_within(counter, 30)] == [0, 1, 1, 1]


def test_a_counter_is_drawn_as_its_increase_in_30_s_not_its_running_total() -> None:
    counter = points(0, 0, 56, 132, 132, 10, every_s=15.0)  # the last: a restarted counter
    assert [p.value for p in increase_within(counter, 30)] == [0, 56, 132, 76, 10]
    figure = refusals_figure({"refused": counter}, [], EN, T0)
    assert figure["data"][0]["y"] == [0, 56, 132, 76, 10]
    assert figure["data"][0]["text"][0] == "T+00:15"
