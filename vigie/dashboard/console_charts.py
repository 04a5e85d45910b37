"""The console's charts, from what is drawn only: the total or per-wave sessions, the
few worst sites' shares (their own series), the servers, and the heat strip of
every site from the tick's roster. Each is built once per tick per worker."""

from __future__ import annotations

from vigie.dashboard import components
from vigie.dashboard.context import ViewContext
from vigie.dashboard.distribution import STEPS, by_share
from vigie.dashboard.figures import (
    Figure,
    connections_figure,
    heat_strip_figure,
    sessions_figure,
    site_shares_figure,
)
from vigie.dashboard.history import History, read_history
from vigie.dashboard.screen import TickedScreen
from vigie.dashboard.worst_sites import share_series, worst_sites
from vigie.tick import FacultyView
from vigie.tick.attention import SiteState


def charts(context: ViewContext, screen: TickedScreen, view: str) -> tuple[Figure, Figure]:
    """(sessions, connections) for `view`: total, waves or faculties."""
    exercise, t = screen.exercise, screen.t
    history = context.per_tick(
        exercise,
        screen.at,
        "history" if view != "faculties" else "history:servers",
        lambda: read_history(
            context.store, exercise, screen.at, context.history, sessions=view != "faculties"
        ),
    )
    plan = exercise.plan
    wave_starts = screen.wave_launches()
    t0 = exercise.record.t0
    if view == "faculties":
        sessions = _worst_figure(context, screen, history)
    else:
        if view == "waves":
            by_wave = history.by_wave({f.id: f.wave for f in plan.faculties})
            lines = {t("Wave {number}", number=n): points for n, points in by_wave.items()}
        else:
            lines = {t("Total"): history.total()}
        sessions = sessions_figure(lines, plan.total_expected, wave_starts, history.alerts, t, t0)
    limits = {s.id: s.connection_limit for s in plan.servers}
    connections = connections_figure(
        history.connections, limits, wave_starts, history.alerts, t, t0
    )
    return sessions, connections


def _worst_figure(context: ViewContext, screen: TickedScreen, history: History) -> Figure:
    """The sites needing a person, else the least connected: a line each, as a share."""
    t, exercise = screen.t, screen.exercise
    everyone = context.roster(exercise, screen.shown_at)
    chosen = worst_sites(screen.tick.attention, everyone, lambda f: _state(screen, f))
    series = share_series(context.store, exercise, chosen, screen.shown_at)
    lines = {f.label: series[f.id] for f in chosen}
    title = t(
        "Share connected: the {shown} worst of {sites} sites",
        shown=len(chosen),
        sites=t.count(len(everyone)),
    )
    return site_shares_figure(
        lines, screen.wave_launches(), history.alerts, t, exercise.record.t0, title
    )


def distribution(context: ViewContext, screen: TickedScreen) -> Figure:
    """Every site of the roster counted per wave by share connected (a heat strip)."""
    t = screen.t
    everyone = context.roster(screen.exercise, screen.shown_at)
    waves = [w.number for w in screen.tick.waves]
    strip = by_share(everyone.values(), lambda f: _state(screen, f), waves)
    states = {w.number: w.state.value for w in screen.tick.waves}
    rows = [
        t("Wave {number} · planned", number=w)
        if states[w] == "planned"
        else t("Wave {number}", number=w)
        for w in waves
    ]
    step = 100 // STEPS
    columns = [t("no fresh data")] + [
        t("{low}\u2013{high} %", low=k * step, high=(k + 1) * step) for k in range(STEPS - 1)
    ]
    columns.append(t("{low} % and over", low=(STEPS - 1) * step))
    title = t("Sites by share of students connected ({sites} sites)", sites=t.count(strip.sites))
    return heat_strip_figure(rows, columns, strip.counts, t, title)


def _state(screen: TickedScreen, faculty: FacultyView) -> SiteState:
    return SiteState(components.faculty_state(screen, faculty))
