"""The pieces the wall, the console and the drill-down pages share, built from a
Screen. Every text comes from the catalogue; every value from a source or a user
is passed as text, never as markup."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from vigie.capacity import kind_named
from vigie.dashboard.alert_text import alert_message, limit_text, verdict_words
from vigie.dashboard.screen import Screen, Status, TickedScreen
from vigie.i18n import Texts
from vigie.store.records import Decision
from vigie.tick import AlertView, FacultyView, GateView, NoteView, ServerView, WaveState, WaveView
from vigie.tick.attention import SiteState, losing, site_state
from vigie.tick.build import LOSS_WINDOW_S

NO_VALUE = "\u2013"  # an en dash: never measured


def header(screen: Screen, prefix: str) -> list[Any]:
    t = screen.t
    status, words = screen.status()
    children: list[Any] = [
        html.Div(screen.exercise.record.name, className="vigie-exercise-name"),
        html.Div(
            className="vigie-clocks",
            children=[
                html.Span(
                    f"T+{t.clock(screen.elapsed_s)}", className="vigie-clock", id=f"{prefix}-clock"
                ),
                html.Span(screen.wall_time(screen.shown_at), className="vigie-wall-time"),
            ],
        ),
        html.Div(words, className=f"vigie-status is-{status.value}", id=f"{prefix}-status"),
    ]
    if screen.error:
        children.append(html.Div(screen.error, className="vigie-input-error"))
    return children


def blind_banner(screen: Screen, prefix: str) -> html.Div | None:
    """In large type across the screen: nobody can miss that the numbers are not live."""
    status, words = screen.status()
    if status is not Status.BLIND:
        return None
    return html.Div(words, className="vigie-blind-banner", id=f"{prefix}-blind")


def total_panel(screen: TickedScreen, prefix: str) -> html.Section:
    t, tick = screen.t, screen.tick
    stale = screen.is_stale(tick.active_measured_at)
    age = (
        ""
        if tick.active_measured_at is None
        else t("updated {age} ago", age=t.duration(screen.at - tick.active_measured_at))
    )
    if tick.stopped:
        age = t("at the stop, {time}", time=screen.clock_of(tick.at))
    lost = sum(w.lost for w in tick.waves)
    children: list[Any] = [
        html.H2(t("Active sessions")),
        html.Div(
            NO_VALUE if tick.active is None else t.count(tick.active),
            className="vigie-big-number vigie-fit",
            id=f"{prefix}-active",
        ),
        html.Div(
            t("of {expected} expected", expected=t.count(tick.expected)),
            className="vigie-of-expected",
        ),
    ]
    if losing(lost, tick.expected) and not tick.stopped:
        children.append(html.Div(lost_words(screen, lost), className="vigie-lost"))
    children.append(html.Div(age, className="vigie-age" + (" is-stale" if stale else "")))
    return html.Section(
        className="vigie-total" + (" is-stale" if stale else ""),
        id=f"{prefix}-total",
        children=children,
    )


def lost_words(screen: Screen, lost: int) -> str:
    minutes = round(LOSS_WINDOW_S / 60)
    return screen.t(
        "{lost} students lost in {minutes} min", lost=screen.t.count(lost), minutes=minutes
    )


def wave_rows(screen: TickedScreen, prefix: str, counts: bool = False) -> html.Section:
    """`counts`: each wave says its sites and those needing a person (a large roster)."""
    return wave_rows_of(screen, screen.tick.waves, prefix, counts)


def wave_rows_of(
    screen: Screen, waves: Sequence[WaveView], prefix: str, counts: bool = False
) -> html.Section:
    return html.Section(
        className="vigie-waves",
        children=[
            html.H2(screen.t("Waves")),
            *[_wave_row(screen, w, prefix, counts) for w in waves],
        ],
    )


LATE_S = 30  # a wave launched this far from its planned time says both


def _wave_row(screen: Screen, wave: WaveView, prefix: str, counts: bool = False) -> html.Div:
    t = screen.t
    start = t.clock(wave.start_s)
    lost = losing(wave.lost, wave.expected) and wave.state is not WaveState.STOPPED
    states = {
        WaveState.PLANNED: t("PLANNED"),
        WaveState.CONNECTING: t("CONNECTING"),
        WaveState.COMPLETE: t("COMPLETE"),
        WaveState.STOPPED: t("STOPPED"),
    }
    state = states[wave.state]
    if wave.state is WaveState.PLANNED:
        if screen.elapsed_s < wave.start_s:
            state = t("in {countdown}", countdown=t.duration(wave.start_s - screen.elapsed_s))
            detail = t("planned at T+{start}", start=start)
        else:
            state = t("NOT LAUNCHED")
            detail = t("planned at T+{start}", start=start)
    elif wave.state is WaveState.STOPPED:
        detail = t(
            "peak {peak} of {expected}", peak=t.count(wave.peak), expected=t.count(wave.expected)
        )
    else:
        # One line: the clock beside it says how long ago.
        launched = wave.start_s if wave.launched_s is None else wave.launched_s
        if abs(launched - wave.start_s) >= LATE_S:
            detail = t(
                "planned T+{start}, launched T+{launched}", start=start, launched=t.clock(launched)
            )
        else:
            detail = t("launched at T+{start}", start=t.clock(launched))
    classes = f"vigie-wave is-{wave.state.value}" + (" is-losing" if lost else "")
    children: list[Any] = [
        html.Div(t("Wave {number}", number=wave.number), className="vigie-wave-name"),
        html.Div(state, className="vigie-wave-state"),
        html.Div(
            f"{t.count(wave.connected)} / {t.count(wave.expected)}",
            className="vigie-wave-numbers vigie-fit",
        ),
        html.Div(
            className="vigie-bar",
            children=html.Div(
                className="vigie-bar-fill",
                style={"width": f"{min(100.0, wave.share * 100):.1f}%"},
            ),
        ),
    ]
    foot: list[Any] = [html.Span(detail, className="vigie-wave-detail")]
    if lost:
        minutes = round(LOSS_WINDOW_S / 60)
        words = t("{lost} lost in {minutes} min", lost=t.count(wave.lost), minutes=minutes)
        foot.append(html.Span(words, className="vigie-lost"))
    if counts:
        foot.append(_wave_sites(screen, wave))
    children.append(html.Div(foot, className="vigie-wave-foot"))
    return html.Div(className=classes, id=f"{prefix}-wave-{wave.number}", children=children)


def _wave_sites(screen: Screen, wave: WaveView) -> html.Span:
    """ "308 sites · 7 need attention": where in the wave the attention list's sites are."""
    t = screen.t
    parts: list[Any] = [t.plural("{n} site", "{n} sites", wave.sites)]
    if wave.attention:
        needing = t.plural("{n} needs attention", "{n} need attention", wave.attention)
        parts += [" · ", html.Span(needing, className="vigie-wave-attention")]
    return html.Span(parts, className="vigie-wave-sites")


def server_bars(screen: TickedScreen, prefix: str, link: bool = False) -> html.Section:
    t, tick = screen.t, screen.tick
    return html.Section(
        className="vigie-servers",
        children=[html.H2(t("Connections against limits"))]
        + [server_row(screen, s, prefix, link) for s in tick.servers],
    )


def server_row(screen: Screen, server: ServerView, prefix: str, link: bool = False) -> html.Div:
    t = screen.t
    stale = screen.is_stale(server.measured_at)
    severity = "stale" if stale else server.severity
    share = server.share
    if server.connections is None or share is None:
        numbers, percent, detail = NO_VALUE, "", t("no data")
    else:
        numbers = f"{t.count(server.connections)} / {t.count(server.limit)}"
        percent = t.percent(share)
        detail = _server_state(screen, server, share)
        if stale and server.measured_at is not None:
            detail = t(
                "last seen at {time} ({age} ago)",
                time=screen.clock_of(server.measured_at),
                age=t.duration(screen.at - server.measured_at),
            )
    name: Any = server.id
    if link:
        name = dcc.Link(server.id, href=f"/server/{server.id}")
    refusing = server.refusing_since is not None and not stale
    # Only the headroom of a server far from its limit is said quietly.
    acting = refusing or stale or server.eta_s is not None or (share or 0) >= 1
    return html.Div(
        className=f"vigie-server is-{severity}" + (" is-refusing" if refusing else ""),
        id=f"{prefix}-server-{server.id}",
        children=[
            html.Div(name, className="vigie-server-name"),
            html.Div(
                className="vigie-bar",
                children=[
                    html.Div(
                        className="vigie-bar-fill",
                        style={"width": f"{min(100.0, (share or 0) * 100):.1f}%"},
                    ),
                    *[
                        html.Div(className="vigie-bar-mark", style={"left": f"{mark * 100:.0f}%"})
                        for mark in server.thresholds
                    ],
                ],
            ),
            html.Div(percent, className="vigie-server-share vigie-fit"),
            html.Div(numbers, className="vigie-server-numbers vigie-fit"),
            html.Div(detail, className="vigie-server-detail" + ("" if acting else " is-quiet")),
            *_limit_mismatch(screen, server),
        ],
    )


def _limit_mismatch(screen: Screen, server: ServerView) -> list[html.Div]:
    """The plan's limit beside the one in force, when the server's software says another."""
    if server.planned_limit is None or server.limit_from is None:
        return []
    t = screen.t
    words = t(
        "plan says {planned}, {software} says {live}",
        planned=t.count(server.planned_limit),
        software=server.limit_from,
        live=t.count(server.limit),
    )
    return [html.Div(words, className="vigie-server-mismatch")]


def _server_state(screen: Screen, server: ServerView, share: float) -> str:
    """What an operator acts on: refusing, at or over the limit, or how long until it."""
    t = screen.t
    if server.refusing_since is not None:
        refusals = (server.refused or 0) + (server.reset or 0)
        words = t(
            "REFUSING for {duration}", duration=t.duration(screen.shown_at - server.refusing_since)
        )
        if refusals and server.window_s:
            words += " · " + t(
                "{refused} refused or reset in {window} s",
                refused=t.count(refusals),
                window=t.count(server.window_s),
            )
        return words
    if share > 1:
        return t("OVER its limit")
    if share >= 1:
        return t("AT its limit")
    if server.eta_s is not None:
        return t("limit in ~{minutes} min", minutes=max(1, round(server.eta_s / 60)))
    return t("headroom {headroom}", headroom=t.count(server.headroom or 0))


def gate_panel(screen: TickedScreen, prefix: str) -> html.Section:
    t, tick = screen.t, screen.tick
    gate = tick.gate
    children: list[Any] = [html.H2(t("Wave gate"))]
    if tick.stopped:
        children.append(
            html.Div(t("Exercise stopped: no wave to launch"), className="vigie-gate-detail")
        )
        verdict_class = "off"
    elif gate is None:
        children.append(html.Div(t("No wave to decide on"), className="vigie-gate-detail"))
        verdict_class = "unknown"
    else:
        verdict_class = _verdict_class(gate)
        children += _gate_lines(screen, gate)
    launched = tick.gate_launched
    if launched is not None and launched.projected is not None and launched.limit is not None:
        children.append(
            html.Div(
                t(
                    "Already out: {server} would reach {projected} of {limit}: HOLD new "
                    "connections",
                    server=_gate_limit(screen, launched),
                    projected=t.count(launched.projected),
                    limit=t.count(launched.limit),
                ),
                className="vigie-gate-launched",
            )
        )
    # The gated wave's decision first; else the latest one taken, so no screen misses it.
    ours = [d for d in tick.decisions if gate is not None and d.wave == gate.wave]
    latest = sorted(tick.decisions, key=lambda d: d.at)[-1:]
    children += [decision_line(screen, d) for d in (ours or latest)]
    return html.Section(
        className=f"vigie-gate is-{verdict_class}", id=f"{prefix}-gate", children=children
    )


def _verdict_class(gate: GateView) -> str:
    """A GO above the critical level is a warning, never a plain green GO."""
    if gate.verdict == "GO" and gate.severity in ("warning", "critical"):
        return "go-tight"
    return gate.verdict.lower()


def _gate_lines(screen: Screen, gate: GateView) -> list[Any]:
    t = screen.t
    wave = (
        next((w for w in screen.tick.waves if w.number == gate.wave), None) if screen.tick else None
    )
    if gate.students:
        subject = t(
            "Wave {wave}: {students} students", wave=gate.wave, students=t.count(gate.students)
        )
        if wave is not None and wave.state is WaveState.PLANNED and screen.elapsed_s < wave.start_s:
            subject += " · " + t(
                "planned in {countdown}", countdown=t.duration(wave.start_s - screen.elapsed_s)
            )
    else:
        subject = t("Rest of wave {wave}", wave=gate.wave)
    lines: list[Any] = [
        html.Div(subject, className="vigie-gate-subject"),
        html.Div(verdict_words(screen.t, gate.verdict), className="vigie-gate-verdict"),
    ]
    if gate.verdict == "UNKNOWN" or gate.projected is None or gate.limit is None:
        lines.append(html.Div(t("data is stale: no verdict"), className="vigie-gate-detail"))
        return lines
    lines.append(
        html.Div(
            t(
                "{server} would reach {projected} of {limit} ({share})",
                server=_gate_limit(screen, gate),
                projected=t.count(gate.projected),
                limit=t.count(gate.limit),
                share=t.percent(gate.projected / gate.limit),
            ),
            className="vigie-gate-detail",
        )
    )
    if _verdict_class(gate) == "go-tight" and gate.critical is not None:
        lines.append(
            html.Div(
                t("above the {critical} critical level", critical=t.percent(gate.critical)),
                className="vigie-gate-fit",
            )
        )
    fit = _fit_words(t, gate)
    if fit is not None:
        lines.append(html.Div(fit, className="vigie-gate-fit"))
    return lines


def _fit_words(t: Texts, gate: GateView) -> str | None:
    """How many of a wave still to launch fit, in the words of its binding limit's kind."""
    if not gate.students or gate.fit is None or gate.counted_fit is None:
        return None
    return kind_named(gate.kind).fit_words(
        t,
        fit=min(gate.fit, gate.students),
        counted_fit=gate.counted_fit,
        held=gate.verdict == "HOLD",
    )


def _gate_limit(screen: Screen, gate: GateView) -> str:
    """The binding limit by name, in its kind's words (a server, an address's limit)."""
    if gate.server is None or gate.kind is None:
        return gate.server or ""
    plan = screen.exercise.plan
    return limit_text(screen.t, plan, gate.server, gate.kind, gate.address, gate.faculties)


def decision_line(screen: Screen, decision: NoteView) -> html.Div:
    t = screen.t
    taken = Decision.of_text(decision.text)
    choice, comment = taken.choice, taken.comment
    return html.Div(
        className=f"vigie-decision is-{choice}",
        children=t(
            "Decision for wave {wave}: {choice} by {author} at {time}",
            wave=decision.wave,
            choice=verdict_words(screen.t, choice),
            author=decision.author,
            time=screen.clock_of(decision.at),
        )
        + (f" — {comment.strip()}" if comment.strip() else ""),
    )


def alert_row(screen: Screen, alert: AlertView, extra: Any = None) -> html.Div:
    t = screen.t
    severity = {"careful": t("CAREFUL"), "warning": t("WARNING"), "critical": t("CRITICAL")}
    seen = (
        t(
            "seen by {who} at {time}",
            who=alert.acknowledged_by,
            time=screen.clock_of(alert.acknowledged_at or alert.since),
        )
        if alert.acknowledged_by
        else ""
    )
    message = alert_message(t, alert, screen.exercise.plan, screen.clock_of)
    tick_at = screen.tick.at if screen.tick is not None else None
    if alert.facts_at is not None and alert.facts_at != tick_at:
        # Numbers kept from when it fired: said so, beside the live ones of the gate.
        message = t("at {time}:", time=screen.clock_of(alert.facts_at)) + " " + message
    return html.Div(
        className=f"vigie-alert is-{alert.severity}" + (" is-acknowledged" if seen else ""),
        children=[
            html.Span(
                severity.get(alert.severity, alert.severity), className="vigie-alert-severity"
            ),
            html.Span(screen.clock_of(alert.since), className="vigie-alert-since"),
            html.Span(message, className="vigie-alert-message", title=message),
            html.Span(seen, className="vigie-alert-seen"),
            extra,
        ],
    )


def alerts_panel(screen: TickedScreen, prefix: str, limit: int) -> html.Section:
    t, tick = screen.t, screen.tick
    rows: list[Any] = [alert_row(screen, a) for a in tick.alerts[:limit]]
    hidden = len(tick.alerts) - limit
    if hidden > 0:
        rows.append(
            html.Div(t.plural("and {n} more", "and {n} more", hidden), className="vigie-more")
        )
    empty = (
        t("Every alert resolved at the stop (exercise stopped)")
        if tick.stopped
        else t("No alert firing")
    )
    return html.Section(
        className="vigie-alerts",
        id=f"{prefix}-alerts",
        children=[html.H2(t("Alerts"))] + (rows or [html.Div(empty, className="vigie-no-alerts")]),
    )


def faculty_grid(
    screen: TickedScreen, prefix: str, link: bool = False, limit: int | None = None
) -> html.Section:
    """Faculties needing attention first (blind, losing students, lagging), so a
    large roster never hides them; past `limit` tiles the rest is counted, not cut."""
    t, tick = screen.t, screen.tick
    ranked = sorted(
        enumerate(tick.faculties),
        key=lambda item: (ATTENTION.index(faculty_state(screen, item[1])), item[0]),
    )
    shown = [f for _, f in ranked]
    tiles: list[Any] = []
    if limit is not None and len(shown) > limit:
        rest = shown[limit - 1 :]
        shown = shown[: limit - 1]
        tiles.append(_more_tile(screen, rest))
    tiles = [faculty_tile(screen, f, prefix, link) for f in shown] + tiles
    return html.Section(
        className="vigie-faculties",
        id=f"{prefix}-faculties",
        children=[
            html.H2(t("Faculties")),
            html.Div(className="vigie-faculty-grid", children=tiles),
        ],
    )


# The order a wall shows faculties in: what needs a person first.
ATTENTION = tuple(state.value for state in SiteState)


def faculty_state(screen: TickedScreen, faculty: FacultyView) -> SiteState:
    """The site's state at the screen's instant (vigie.tick.attention.site_state)."""
    tick = screen.tick
    wave = tick.waves[faculty.wave - 1] if tick.waves else None
    # After the stop the last values are final: never stale.
    stale_after = math.inf if screen.stopped_at_s is not None else screen.stale_after_s
    return site_state(faculty, wave, screen.at, stale_after, tick.stopped)


def faculty_tile(
    screen: TickedScreen, faculty: FacultyView, prefix: str, link: bool = False
) -> html.Div:
    t = screen.t
    state = faculty_state(screen, faculty)
    connected = NO_VALUE if faculty.connected is None else t.count(faculty.connected)
    # The plan's short name fits a tile read from across the room; the full name is its tooltip.
    name: Any = faculty.label
    if link:
        name = dcc.Link(faculty.label, href=f"/faculty/{faculty.id}")
    numbers: list[Any] = [
        html.Span(
            f"{connected} / {t.count(faculty.expected)}", className="vigie-faculty-count vigie-fit"
        )
    ]
    if state == "losing":
        numbers.append(html.Span(f"\u2212{t.count(faculty.lost)}", className="vigie-faculty-lost"))
    return html.Div(
        className=f"vigie-faculty is-{state}",
        id=f"{prefix}-faculty-{faculty.id}",
        title=faculty.name,
        children=[
            html.Div(name, className="vigie-faculty-name"),
            html.Div(numbers, className="vigie-faculty-numbers"),
        ],
    )


def _more_tile(screen: TickedScreen, rest: Sequence[FacultyView]) -> html.Div:
    """The faculties that did not fit, counted by state: none disappears silently."""
    t = screen.t
    counts: dict[SiteState, int] = {}
    for faculty in rest:
        state = faculty_state(screen, faculty)
        counts[state] = counts.get(state, 0) + 1
    words = {
        SiteState.BLIND: t("blind"),
        SiteState.LOSING: t("losing students"),
        SiteState.LAGGING: t("lagging"),
        SiteState.CONNECTING: t("connecting"),
        SiteState.OK: t("ok"),
        SiteState.PLANNED: t("planned"),
        SiteState.STOPPED: t("stopped"),
    }
    detail = ", ".join(
        f"{n} {words[s]}" for s, n in sorted(counts.items(), key=lambda i: ATTENTION.index(i[0]))
    )
    return html.Div(
        className="vigie-faculty is-more",
        children=[
            html.Div(t.plural("+{n} more", "+{n} more", len(rest)), className="vigie-faculty-name"),
            html.Div(detail, className="vigie-faculty-more"),
        ],
    )


def notes_panel(screen: TickedScreen, prefix: str, limit: int | None = None) -> html.Section:
    t, tick = screen.t, screen.tick
    rows = [
        html.Div(
            className="vigie-note",
            children=[
                html.Span(screen.clock_of(n.at), className="vigie-note-time"),
                html.Span(n.author, className="vigie-note-author"),
                html.Span(n.text, className="vigie-note-text"),
            ],
        )
        for n in tick.notes[:limit]
    ]
    return html.Section(
        className="vigie-notes",
        id=f"{prefix}-notes",
        children=[html.H2(t("Operator notes")), *(rows or [html.Div(t("No note yet"))])],
    )
