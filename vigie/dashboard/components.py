"""The pieces the wall, the console and the drill-down pages share, built from a
Screen. Every text comes from the catalogue; every value from a source or a user
is passed as text, never as markup."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from vigie.dashboard.alert_text import alert_message, limit_text
from vigie.dashboard.screen import Screen, Status
from vigie.tick import AlertView, FacultyView, GateView, NoteView, ServerView, WaveState, WaveView

NO_VALUE = "\u2013"  # an en dash: never measured


def header(screen: Screen, prefix: str) -> list[Any]:
    t = screen.t
    status, words = screen.status()
    children: list[Any] = [
        html.Div(screen.exercise.record.name, className="vigie-exercise-name"),
        html.Div(
            [
                html.Span(f"T+{t.clock(screen.elapsed_s)}", className="vigie-clock"),
                html.Span(t.time(screen.at, screen.tz, seconds=False), className="vigie-wall-time"),
            ]
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


def total_panel(screen: Screen, prefix: str) -> html.Section:
    t, tick = screen.t, screen.tick
    assert tick is not None
    stale = screen.is_stale(tick.active_measured_at)
    age = (
        ""
        if tick.active_measured_at is None
        else t("updated {age} ago", age=t.duration(screen.at - tick.active_measured_at))
    )
    return html.Section(
        className="vigie-total" + (" is-stale" if stale else ""),
        children=[
            html.H2(t("Active sessions")),
            html.Div(
                NO_VALUE if tick.active is None else t.count(tick.active),
                className="vigie-big-number",
                id=f"{prefix}-active",
            ),
            html.Div(
                t("of {expected} expected", expected=t.count(tick.expected)),
                className="vigie-of-expected",
            ),
            html.Div(age, className="vigie-age"),
        ],
    )


def wave_rows(screen: Screen, prefix: str) -> html.Section:
    assert screen.tick is not None
    return wave_rows_of(screen, screen.tick.waves, prefix)


def wave_rows_of(screen: Screen, waves: Sequence[WaveView], prefix: str) -> html.Section:
    return html.Section(
        className="vigie-waves",
        children=[html.H2(screen.t("Waves")), *[_wave_row(screen, w, prefix) for w in waves]],
    )


LATE_S = 30  # a wave launched this far from its planned time says both


def _wave_row(screen: Screen, wave: WaveView, prefix: str) -> html.Div:
    t = screen.t
    start = t.clock(wave.start_s)
    if wave.state is WaveState.PLANNED:
        detail = (
            t("planned · starts at T+{start}", start=start)
            if screen.elapsed_s < wave.start_s
            else t("planned T+{start} · not launched yet", start=start)
        )
    else:
        launched = wave.start_s if wave.launched_s is None else wave.launched_s
        since = t.duration(screen.elapsed_s - launched)
        if abs(launched - wave.start_s) >= LATE_S:
            detail = t(
                "{state} · planned T+{start}, launched T+{launched}, {since} ago",
                state=t("complete") if wave.state is WaveState.COMPLETE else t("connecting"),
                start=start,
                launched=t.clock(launched),
                since=since,
            )
        elif wave.state is WaveState.COMPLETE:
            detail = t(
                "complete · started T+{start}, {since} ago", start=t.clock(launched), since=since
            )
        else:
            detail = t(
                "connecting · started T+{start}, {since} ago", start=t.clock(launched), since=since
            )
    return html.Div(
        className=f"vigie-wave is-{wave.state.value}",
        id=f"{prefix}-wave-{wave.number}",
        children=[
            html.Div(t("Wave {number}", number=wave.number), className="vigie-wave-name"),
            html.Div(
                className="vigie-bar",
                children=html.Div(
                    className="vigie-bar-fill",
                    style={"width": f"{min(100.0, wave.share * 100):.1f}%"},
                ),
            ),
            html.Div(
                f"{t.count(wave.connected)} / {t.count(wave.expected)}",
                className="vigie-wave-numbers",
            ),
            html.Div(detail, className="vigie-wave-detail"),
        ],
    )


def server_bars(screen: Screen, prefix: str, link: bool = False) -> html.Section:
    t, tick = screen.t, screen.tick
    assert tick is not None
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
        numbers, detail = NO_VALUE, t("no data")
    else:
        numbers = f"{t.count(server.connections)} / {t.count(server.limit)}"
        detail = t(
            "{share} · headroom {headroom}",
            share=t.percent(share),
            headroom=t.count(server.headroom or 0),
        )
        if server.eta_s is not None:
            detail += " · " + t("limit in ~{minutes} min", minutes=max(1, round(server.eta_s / 60)))
        if stale and server.measured_at is not None:
            detail = t(
                "last seen at {time} ({age} ago)",
                time=t.time(server.measured_at, screen.tz),
                age=t.duration(screen.at - server.measured_at),
            )
    name: Any = server.id
    if link:
        name = dcc.Link(server.id, href=f"/server/{server.id}")
    return html.Div(
        className=f"vigie-server is-{severity}",
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
            html.Div(numbers, className="vigie-server-numbers"),
            html.Div(detail, className="vigie-server-detail"),
        ],
    )


def gate_panel(screen: Screen, prefix: str) -> html.Section:
    t, tick = screen.t, screen.tick
    assert tick is not None
    gate = tick.gate
    children: list[Any] = [html.H2(t("Wave gate"))]
    if gate is None:
        children.append(html.Div(t("No wave to decide on"), className="vigie-gate-detail"))
        verdict_class = "unknown"
    else:
        verdict_class = gate.verdict.lower()
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


def _gate_lines(screen: Screen, gate: GateView) -> list[Any]:
    t = screen.t
    words = {"GO": t("GO"), "HOLD": t("HOLD"), "UNKNOWN": t("UNKNOWN")}
    subject = (
        t("Wave {wave}: {students} students", wave=gate.wave, students=t.count(gate.students))
        if gate.students
        else t("Rest of wave {wave}", wave=gate.wave)
    )
    lines: list[Any] = [
        html.Div(subject, className="vigie-gate-subject"),
        html.Div(words.get(gate.verdict, gate.verdict), className="vigie-gate-verdict"),
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
    if gate.kind == "per_source" and gate.counted_fit is not None and gate.students:
        fit = t("{fit} students behind that address fit", fit=t.count(gate.counted_fit))
        lines.append(html.Div(fit, className="vigie-gate-fit"))
    elif gate.fit is not None and gate.students:
        lines.append(
            html.Div(
                t("{fit} students fit", fit=t.count(min(gate.fit, gate.students))),
                className="vigie-gate-fit",
            )
        )
    return lines


def _gate_limit(screen: Screen, gate: GateView) -> str:
    """The binding limit by name: a server, or its per-address limit for one address."""
    if gate.server is None or gate.kind is None:
        return gate.server or ""
    plan = screen.exercise.plan
    return limit_text(screen.t, plan, gate.server, gate.kind, gate.address, gate.faculties)


def decision_line(screen: Screen, decision: NoteView) -> html.Div:
    t = screen.t
    choice, _, comment = decision.text.partition(":")
    words = {"go": t("GO"), "hold": t("HOLD"), "split": t("SPLIT")}
    return html.Div(
        className=f"vigie-decision is-{choice}",
        children=t(
            "Decision for wave {wave}: {choice} by {author} at {time}",
            wave=decision.wave,
            choice=words.get(choice, choice),
            author=decision.author,
            time=t.time(decision.at, screen.tz, seconds=False),
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
            time=t.time(alert.acknowledged_at or alert.since, screen.tz, seconds=False),
        )
        if alert.acknowledged_by
        else ""
    )
    return html.Div(
        className=f"vigie-alert is-{alert.severity}" + (" is-acknowledged" if seen else ""),
        children=[
            html.Span(
                severity.get(alert.severity, alert.severity), className="vigie-alert-severity"
            ),
            html.Span(t.time(alert.since, screen.tz, seconds=False), className="vigie-alert-since"),
            html.Span(
                alert_message(t, alert, screen.exercise.plan, screen.tz),
                className="vigie-alert-message",
            ),
            html.Span(seen, className="vigie-alert-seen"),
            extra,
        ],
    )


def alerts_panel(screen: Screen, prefix: str, limit: int) -> html.Section:
    t, tick = screen.t, screen.tick
    assert tick is not None
    rows: list[Any] = [alert_row(screen, a) for a in tick.alerts[:limit]]
    hidden = len(tick.alerts) - limit
    if hidden > 0:
        rows.append(
            html.Div(t.plural("and {n} more", "and {n} more", hidden), className="vigie-more")
        )
    return html.Section(
        className="vigie-alerts",
        id=f"{prefix}-alerts",
        children=[html.H2(t("Alerts"))]
        + (rows or [html.Div(t("No alert firing"), className="vigie-no-alerts")]),
    )


def faculty_grid(screen: Screen, prefix: str, link: bool = False) -> html.Section:
    t, tick = screen.t, screen.tick
    assert tick is not None
    return html.Section(
        className="vigie-faculties",
        children=[
            html.H2(t("Faculties")),
            html.Div(
                className="vigie-faculty-grid",
                children=[faculty_tile(screen, f, prefix, link) for f in tick.faculties],
            ),
        ],
    )


def faculty_tile(screen: Screen, faculty: FacultyView, prefix: str, link: bool = False) -> html.Div:
    t, tick = screen.t, screen.tick
    assert tick is not None
    wave = tick.waves[faculty.wave - 1] if tick.waves else None
    started = wave is None or wave.state is not WaveState.PLANNED
    if screen.is_stale(faculty.measured_at) and started:
        state = "blind"
    elif faculty.lagging:
        state = "lagging"
    elif not started:
        state = "planned"
    else:
        state = "ok"
    connected = NO_VALUE if faculty.connected is None else t.count(faculty.connected)
    # The plan's short id fits a tile read from across the room; the full name is its tooltip.
    name: Any = faculty.id
    if link:
        name = dcc.Link(faculty.id, href=f"/faculty/{faculty.id}")
    return html.Div(
        className=f"vigie-faculty is-{state}",
        id=f"{prefix}-faculty-{faculty.id}",
        title=faculty.name,
        children=[
            html.Div(name, className="vigie-faculty-name"),
            html.Div(
                f"{connected} / {t.count(faculty.expected)}", className="vigie-faculty-numbers"
            ),
        ],
    )


def notes_panel(screen: Screen, prefix: str, limit: int | None = None) -> html.Section:
    t, tick = screen.t, screen.tick
    assert tick is not None
    rows = [
        html.Div(
            className="vigie-note",
            children=[
                html.Span(t.time(n.at, screen.tz, seconds=False), className="vigie-note-time"),
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
