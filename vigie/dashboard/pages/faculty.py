"""One faculty: its students connected against those expected, and the national banner."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import dcc, html

from vigie.accounts.policy import own_faculty
from vigie.accounts.principal import Role
from vigie.alerts.rules import faculty_lag
from vigie.dashboard import components
from vigie.dashboard.auth import current_principal, logout_button
from vigie.dashboard.context import ViewContext
from vigie.dashboard.figures import Figure, empty_figure, sessions_figure
from vigie.dashboard.history import faculty_sessions
from vigie.dashboard.page_registry import (
    Page,
    Refresh,
    layout_texts,
    text_or_empty,
    tick_interval,
)
from vigie.dashboard.screen import Screen, TickedScreen, screen_for, ticked
from vigie.i18n import texts
from vigie.plan.model import Faculty
from vigie.tick import FacultyView, HostView
from vigie.tick.attention import SiteState


def layout(context: ViewContext, query: Mapping[str, Any]) -> html.Div:
    return html.Div(
        className="vigie-console",
        children=[
            dcc.Store(id="faculty-id", data=query.get("faculty_id", "")),
            tick_interval("faculty", context),
            html.Header(id="faculty-header", className="vigie-header"),
            html.Nav(className="vigie-nav", children=_navigation(context, query.get("lang"))),
            html.Div(id="faculty-body"),
            dcc.Graph(id="faculty-chart", config={"displayModeBar": False}),
        ],
    )


def _navigation(context: ViewContext, lang: str | None) -> list[Any]:
    """Back to the console for those who may see it; a faculty's team only logs out."""
    t = layout_texts(context, lang)
    who = current_principal()
    if who is not None and who.role in (Role.OPERATOR, Role.REVIEWER):
        return [dcc.Link("←", href="/")]
    if who is not None and who.role is Role.FACULTY:
        return [logout_button(t)]
    return []


def render(
    context: ViewContext, search: str | None, remembered: str | None, asked: object
) -> tuple[Any, Any, Figure]:
    """The header, faculty `asked`'s page (the page's store: any JSON) and its chart."""
    faculty_id = text_or_empty(asked)
    screen = screen_for(context, search, remembered)
    if screen is None:
        return [], texts(None)("No exercise in the store yet."), empty_figure()
    t, plan = screen.t, screen.exercise.plan
    header = components.header(screen, "faculty")
    faculty = next((f for f in plan.faculties if f.id == faculty_id), None)
    if faculty is None:
        return (
            header,
            html.P(t("No faculty {name} in this plan.", name=faculty_id[:64])),
            empty_figure(),
        )
    shown = ticked(screen)
    if shown is None:
        return header, components.blind_banner(screen, "faculty"), empty_figure()
    key = ("faculty", faculty_id, shown.tick.at, int(shown.at), t.language, shown.replay)
    # Every viewer of this faculty in the same second shares one rendering per worker.
    body, figure = context.shared(key, lambda: _page(context, shown, faculty))
    return header, body, figure


def _page(context: ViewContext, screen: TickedScreen, faculty: Faculty) -> tuple[list[Any], Figure]:
    t, tick = screen.t, screen.tick
    national = [a for a in tick.alerts if a.rule != faculty_lag.RULE]
    own = [a for a in tick.alerts if a.rule == faculty_lag.RULE and a.subject == faculty.id]
    view = context.roster(screen.exercise, tick.at)[faculty.id]
    wave = next(w for w in tick.waves if w.number == faculty.wave)
    body = [
        components.blind_banner(screen, "faculty"),
        html.H1(
            t("{faculty} · wave {wave}", faculty=faculty.name, wave=faculty.wave),
            className="vigie-page-title",
        ),
        html.Div(
            className="vigie-faculty-top",
            children=[
                own_count(screen, view),
                html.Div(
                    className="vigie-faculty-grid is-single",
                    children=[components.faculty_tile(screen, view, "faculty")],
                ),
                components.wave_rows_of(screen, [wave], "faculty"),
            ],
        ),
        html.Section(
            className="vigie-alerts",
            id="faculty-own-alerts",
            children=[
                html.H2(t("Our faculty")),
                *(
                    [components.alert_row(screen, a) for a in own]
                    or [html.Div(t("No alert firing"), className="vigie-no-alerts")]
                ),
            ],
        ),
        agent_panel(screen, faculty.id),
        html.Section(
            className="vigie-national",
            id="faculty-national",
            children=[
                html.H2(t("National control room")),
                html.Div(
                    t(
                        "{active} of {expected} students connected nationally",
                        active=t.count(tick.active or 0),
                        expected=t.count(tick.expected),
                    ),
                    className="vigie-national-total",
                ),
                components.gate_panel(screen, "faculty"),
                *[components.alert_row(screen, a) for a in national[:4]],
                components.notes_panel(screen, "faculty"),
            ],
        ),
    ]
    return body, _chart(context, screen, faculty)


def own_count(screen: Screen, view: FacultyView) -> html.Section:
    """The faculty's own students connected: the biggest figure on its page."""
    t = screen.t
    stale = screen.is_stale(view.measured_at)
    return html.Section(
        className="vigie-total vigie-faculty-count" + (" is-stale" if stale else ""),
        children=[
            html.H2(t("Our students connected")),
            html.Div(
                components.NO_VALUE if view.connected is None else t.count(view.connected),
                className="vigie-big-number",
                id="faculty-active",
            ),
            html.Div(
                t("of {expected} expected", expected=t.count(view.expected)),
                className="vigie-of-expected",
            ),
        ],
    )


def _chart(context: ViewContext, screen: Screen, faculty: Faculty) -> Figure:
    # Only this faculty's series: a faculty's page never reads the others' history.
    points = context.per_tick(
        screen.exercise,
        screen.at,
        f"sessions:{faculty.id}",
        lambda: faculty_sessions(context.store, screen.exercise, faculty.id, screen.at),
    )
    wave_starts = screen.wave_launches(faculty.wave)
    return sessions_figure(
        {faculty.name: points},
        faculty.expected_students,
        wave_starts,
        [],
        screen.t,
        screen.exercise.record.t0,
    )


AGENT_SILENT_AFTER_S = 15.0  # three of the agent's default 5 s pushes


def agent_panel(screen: TickedScreen, faculty_id: str) -> html.Section:
    t, tick = screen.t, screen.tick
    hosts = [h for h in tick.hosts if h.faculty == faculty_id]
    newest = max((h.measured_at for h in hosts), default=None)
    if newest is None:
        status, state = t("No agent has reported for this faculty."), SiteState.BLIND.value
    elif screen.at - newest > AGENT_SILENT_AFTER_S and screen.stopped_at_s is None:
        status = t(
            "AGENT SILENT: last report at {time} ({age} ago)",
            time=screen.clock_of(newest),
            age=t.duration(screen.at - newest),
        )
        state = SiteState.BLIND.value
    else:
        status, state = t("Agent reporting"), "ok"
    return html.Section(
        className=f"vigie-agent is-{state}",
        id="faculty-agent",
        children=[
            html.H2(t("Our machines")),
            html.Div(status, className="vigie-agent-status"),
            *[_host_row(screen, h) for h in hosts],
        ],
    )


def _host_row(screen: Screen, host: HostView) -> html.Div:
    t = screen.t

    def share(value: float | None) -> str:
        return components.NO_VALUE if value is None else t.percent(value)

    def against(value: float | None, limit: float | None) -> str:
        if value is None:
            return components.NO_VALUE
        return t.count(value) if limit is None else f"{t.count(value)} / {t.count(limit)}"

    def megabits(value: float | None) -> str:
        return components.NO_VALUE if value is None else t.decimal(value * 8 / 1e6)

    cells = [
        (t("CPU"), share(host.cpu)),
        (t("Memory"), share(host.memory)),
        (t("TCP established"), against(host.tcp_established, None)),
        (t("Open files"), against(host.open_fds, host.fd_limit)),
        (t("Tracked connections"), against(host.conntrack, host.conntrack_limit)),
        (t("In / out, Mbit/s"), f"{megabits(host.receive_bps)} / {megabits(host.transmit_bps)}"),
    ]
    probes = [
        t(
            "{target}: {result} in {ms} ms",
            target=p.target,
            result=t("OK") if p.success else t("FAILED"),
            ms=components.NO_VALUE if p.duration_s is None else t.count(p.duration_s * 1000),
        )
        for p in host.probes
    ]
    return html.Div(
        className="vigie-host",
        children=[
            html.Div(host.host, className="vigie-host-name"),
            *[
                html.Div([html.Span(label, className="vigie-host-label"), html.Span(value)])
                for label, value in cells
            ],
            *[html.Div(line, className="vigie-host-probe") for line in probes],
        ],
    )


PAGE = Page(
    name="faculty",
    module=__name__,
    path="/faculty/<faculty_id>",
    title="Vigie · faculty",
    layout=layout,
    access=own_faculty,
    refreshes=(
        Refresh(
            outputs=(
                ("faculty-header", "children"),
                ("faculty-body", "children"),
                ("faculty-chart", "figure"),
            ),
            render=render,
            state=(("faculty-id", "data"),),
            shared=True,  # keyed by the faculty asked, the value the access check reads
        ),
    ),
)
