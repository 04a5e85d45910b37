"""The compare page: two stored exercises overlaid on one chart.

Choose two exercises (`?a=ID&b=ID`), an alignment (T+0, or the start of a wave:
each exercise's own observed start, else its plan's) and a signal (active
sessions, or one server's connections against its limit in each plan). The
history is read downsampled once per choice and shared by every viewer; there is
no refresh: a stored exercise does not change while it is compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode

from dash import Dash, Input, Output, State, dcc, html

from vigie.accounts.policy import STAFF
from vigie.bounded import whole_number
from vigie.dashboard import replay
from vigie.dashboard.compare_figures import Run, compare_figure
from vigie.dashboard.context import Exercise, ViewContext
from vigie.dashboard.figures import Figure, empty_figure
from vigie.dashboard.history_grid import CHART_POINTS
from vigie.dashboard.page_registry import LANGUAGE, URL, Page
from vigie.dashboard.screen import requested_language
from vigie.i18n import Texts, texts
from vigie.review.summary import sum_by_instant

SESSIONS = "sessions"
SERVER = "server:"  # followed by the server's id
T0 = "t0"
WAVE = "wave:"  # followed by the wave's number


def _callbacks(app: Dash, context: ViewContext) -> None:
    """The chart for the choice, and the address that says it (no refresh: a stored
    exercise does not change while it is compared)."""

    @app.callback(
        Output("compare-chart", "figure"),
        Output("compare-message", "children"),
        # The page's own components first: Dash leaves the callback alone on other pages.
        Input("compare-a", "value"),
        Input("compare-b", "value"),
        Input("compare-align", "value"),
        Input("compare-signal", "value"),
        Input(LANGUAGE, "data"),
    )
    def compared(a: Any, b: Any, align: Any, signal: Any, remembered: Any) -> tuple[Any, Any]:
        return render(context, a, b, align, signal, remembered)

    # The address says which two exercises are compared, to share or reload.
    app.clientside_callback(
        """function (a, b, search) {
            const query = new URLSearchParams(search || "");
            if (a === null || a === undefined || b === null || b === undefined) {
                return window.dash_clientside.no_update;
            }
            if (query.get("a") === String(a) && query.get("b") === String(b)) {
                return window.dash_clientside.no_update;
            }
            query.set("a", String(a));
            query.set("b", String(b));
            return "?" + query.toString();
        }""",
        Output(URL, "search", allow_duplicate=True),
        Input("compare-a", "value"),
        Input("compare-b", "value"),
        State(URL, "search"),
        prevent_initial_call=True,
    )


def _id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return whole_number(value) if isinstance(value, str) else None


def layout(context: ViewContext, query: Mapping[str, Any]) -> html.Div:
    search = "?" + urlencode({k: v for k, v in query.items() if isinstance(v, str)})
    asked = parse_qs(search.lstrip("?"))
    records = context.store.exercises()
    newest = [r.id for r in records[:2]]
    a = _id(asked.get("a", [""])[0]) or (newest[1] if len(newest) > 1 else None)
    b = _id(asked.get("b", [""])[0]) or (newest[0] if newest else None)
    pair = [e for e in (context.exercise(a), context.exercise(b)) if e is not None]
    asked_language = query.get("lang")
    t = requested_language(search, None, pair[0]) if pair else texts(asked_language)
    choices = [
        {"label": replay.exercise_choice(r.id, r.name, r.mode, r.t0), "value": r.id}
        for r in records
    ]
    graph_config: Any = {"displayModeBar": False}
    return html.Div(
        className="vigie-compare",
        children=[
            _top(t, choices, a, b),
            _controls(t, pair),
            html.Div(id="compare-message", className="vigie-compare-message"),
            dcc.Graph(id="compare-chart", config=graph_config, className="vigie-compare-chart"),
        ],
    )


def _top(t: Texts, choices: list[dict[str, Any]], a: int | None, b: int | None) -> html.Header:
    def choice(id_: str, value: int | None) -> dcc.Dropdown:
        return dcc.Dropdown(
            id=id_, options=choices, value=value, clearable=False, className="vigie-compare-choice"
        )

    return html.Header(
        className="vigie-review-top",
        children=[
            html.H1(t("Compare runs"), className="vigie-page-title"),
            choice("compare-a", a),
            choice("compare-b", b),
            dcc.Link(t("Review"), href="/review"),
            dcc.Link(t("Console"), href="/"),
        ],
    )


def _controls(t: Texts, pair: list[Exercise]) -> html.Div:
    waves = sorted({w.number for e in pair for w in e.plan.waves_in_order})
    servers = sorted({s.id for e in pair for s in e.plan.servers})
    alignments = [{"label": t("Exercise minute (T+0)"), "value": T0}] + [
        {"label": t("Start of wave {number}", number=n), "value": f"{WAVE}{n}"} for n in waves
    ]
    signals = [{"label": t("Active sessions"), "value": SESSIONS}] + [
        {"label": t("Connections of {server}", server=s), "value": f"{SERVER}{s}"} for s in servers
    ]
    return html.Div(
        className="vigie-review-controls",
        children=[
            html.Label(t("Align on"), htmlFor="compare-align"),
            dcc.Dropdown(id="compare-align", options=alignments, value=T0, clearable=False),
            html.Label(t("Signal"), htmlFor="compare-signal"),
            dcc.Dropdown(id="compare-signal", options=signals, value=SESSIONS, clearable=False),
        ],
    )


def render(
    context: ViewContext, a: Any, b: Any, align: Any, signal: Any, remembered: Any
) -> tuple[Figure, str]:
    """The overlaid figure and what the reader should know (unknown exercise, a
    wave one plan does not have); read once per choice, then shared."""
    ids = (_id(a), _id(b))
    pair = [context.exercise(i) if i is not None else None for i in ids]
    known = next((e for e in pair if e is not None), None)
    kept = remembered if isinstance(remembered, str) else None
    t = texts(kept) if known is None else requested_language("", remembered, known)
    if len(context.store.exercises()) < 2:
        only = t("Only one run in the store: drill or run another exercise to compare it with.")
        return empty_figure(only), only
    if None in ids:  # nothing chosen on one side
        message = t("Choose two exercises to compare.")
        return empty_figure(message), message
    unknown = [str(a if i == 0 else b) for i, e in enumerate(pair) if e is None]
    if unknown:
        message = t("No such exercise in the store: {ids}", ids=", ".join(unknown))
        return empty_figure(message), message
    align = align if isinstance(align, str) else T0
    signal = signal if isinstance(signal, str) else SESSIONS
    found = [e for e in pair if e is not None]
    # A running exercise's version moves on with what is written: its new data shows.
    key = ("compare", *(replay.version(context, e) for e in found), signal, align, t.language)
    return context.shared(key, lambda: _compared(context, found, align, signal, t))


def _compared(
    context: ViewContext, pair: list[Exercise], align: str, signal: str, t: Texts
) -> tuple[Figure, str]:
    runs, notes = [], []
    for exercise in pair:
        offset_s, note = _offset(context, exercise, align, t)
        if note:
            notes.append(note)
        points = _series(context, exercise, signal)
        start = exercise.record.t0 + offset_s
        server = signal.removeprefix(SERVER) if signal.startswith(SERVER) else None
        limit = _limit(exercise, server)
        runs.append(Run(_name(exercise), [(at - start, v) for at, v in points], limit))
        if server is not None and limit is None:
            notes.append(t("{run} has no server {server}", run=_name(exercise), server=server))
    if signal.startswith(SERVER):
        title = t("Connections of {server}", server=signal.removeprefix(SERVER))
    else:
        title = t("Active sessions")
    return compare_figure(runs, title, t, _origin(align, t)), "  ".join(notes)


def _origin(align: str, t: Texts) -> str:
    """How the time axis names its zero: T (T+0), or the wave aligned on (W2)."""
    number = align.removeprefix(WAVE)
    return t("W{number}", number=number) if align.startswith(WAVE) and number.isdigit() else "T"


def _name(exercise: Exercise) -> str:
    return f"#{exercise.record.id} {exercise.record.name}"


def _offset(context: ViewContext, exercise: Exercise, align: str, t: Texts) -> tuple[float, str]:
    """Seconds from T+0 to the alignment point: the wave's observed start, else planned."""
    number = whole_number(align.removeprefix(WAVE)) if align.startswith(WAVE) else None
    if number is None:
        return 0.0, ""
    waves = replay.review_of(context, exercise).timeline.summary.waves
    wave = next((w for w in waves if w.wave == number), None)
    if wave is None:
        note = t("{run} has no wave {number}: aligned on T+0", run=_name(exercise), number=number)
        return 0.0, note
    return (wave.started_at_s if wave.started_at_s is not None else wave.planned_start_s), ""


def _limit(exercise: Exercise, server: str | None) -> int | None:
    found = [s.connection_limit for s in exercise.plan.servers if s.id == server]
    return found[0] if found else None


def _series(context: ViewContext, exercise: Exercise, signal: str) -> list[tuple[float, float]]:
    """(epoch, value) over the whole exercise, downsampled to what a chart can draw."""
    record = exercise.record
    end = record.t0 + replay.span_s(exercise)
    if signal.startswith(SERVER):
        found = context.store.downsampled(
            record.id,
            "server_connections",
            record.t0,
            end,
            CHART_POINTS,
            aggregate="max",
            only=(("server", signal.removeprefix(SERVER)),),
        )
        return [(p.at, p.value) for p in next(iter(found.values()), [])]
    sessions = context.store.downsampled(record.id, "sessions_active", record.t0, end, CHART_POINTS)
    return [(p.at, p.value) for p in sum_by_instant(sessions.values())]


PAGE = Page(
    name="compare",
    module=__name__,
    path="/compare",
    title="Vigie · compare",
    layout=layout,
    access=STAFF,
    actions=(("compare-chart", STAFF),),  # two stored exercises overlaid, by `callbacks`
    callbacks=_callbacks,
)
