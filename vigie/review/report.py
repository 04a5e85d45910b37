"""`vigie report`: one self-contained HTML file a reviewer can open anywhere, offline.

Rendered with Jinja2 with autoescaping on: every name, note and message is
data, never markup. Plotly's JavaScript is inlined once and each figure is
embedded as JSON (`tojson` escapes `<`, `>` and `&`, so a name cannot close the
script it sits in). No text is written in the template: it comes from here,
through the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

import plotly.offline
from jinja2 import Environment, PackageLoader, Template
from markupsafe import Markup

from vigie.i18n import Texts
from vigie.review.charts import report_charts
from vigie.review.summary import FACULTY_CONNECTED_SHARE, AlertEpisode, FacultyOutcome
from vigie.review.timeline import (
    AlertFired,
    DecisionTaken,
    ExerciseStopped,
    Fact,
    FacultyConnected,
    LimitBreached,
    NoteWritten,
    PeakSessions,
    ReviewNoteWritten,
    Timeline,
    WaveCompleted,
    WaveStarted,
)
from vigie.review.wording import Wording
from vigie.store import Store

# How each kind of fact is marked on the page (a CSS class), and which ones the
# report's headline repeats.
KIND = {
    WaveStarted: "wave",
    WaveCompleted: "wave",
    PeakSessions: "peak",
    LimitBreached: "breach",
    AlertFired: "alert",
    DecisionTaken: "decision",
    NoteWritten: "note",
    ReviewNoteWritten: "review",
    FacultyConnected: "faculty",
    ExerciseStopped: "stop",
}
HEADLINE = (PeakSessions, LimitBreached, ExerciseStopped)


@dataclass(frozen=True, kw_only=True)
class Row:
    clock: str  # T+mm:ss
    kind: str
    text: str
    severity: str = ""


def render_report(store: Store, timeline: Timeline, t: Texts) -> str:
    """The whole report as one HTML document."""
    plan = timeline.plan
    tz = plan.exercise.starts_at.tzinfo if plan.exercise.starts_at else None
    wording = Wording(t, plan, tz, timeline.record.t0)
    rows = [_row(fact, wording) for fact in timeline.facts]
    sessions, servers = report_charts(store, timeline, t)
    return _template().render(
        lang=t.language,
        words=_words(t),
        title=_title(timeline, t, tz),
        headline=[r for r, f in zip(rows, timeline.facts, strict=True) if isinstance(f, HEADLINE)],
        rows=rows,
        faculties=[_faculty_row(f, t) for f in timeline.summary.faculties],
        alerts=[_alert_row(a, wording) for a in timeline.summary.alerts],
        sessions_chart=sessions,
        server_charts=servers,
        plotly_js=Markup(plotly.offline.get_plotlyjs()),  # Plotly's own bundle, not data
    )


def _template() -> Template:
    environment = Environment(
        loader=PackageLoader("vigie.review", "templates"), autoescape=True, trim_blocks=True
    )
    return environment.get_template("report.html.j2")


def _row(fact: Fact, wording: Wording) -> Row:
    severity = ""
    if isinstance(fact, AlertFired):
        severity = fact.alert.severity
    return Row(
        clock=f"T+{wording.t.clock(fact.at_s)}",
        kind=KIND[type(fact)],
        text=wording.fact(fact),
        severity=severity,
    )


def _title(timeline: Timeline, t: Texts, tz: tzinfo | None) -> dict[str, str]:
    record = timeline.record
    day = datetime.fromtimestamp(record.t0, tz or UTC)
    return {
        "name": record.name,
        "subtitle": t(
            "Exercise {id} ({plan}, {mode}), T+0 at {start}",
            id=record.id,
            plan=record.plan_id,
            mode=record.mode,
            start=day.strftime("%Y-%m-%d %H:%M %Z").strip(),
        ),
    }


def _faculty_row(f: FacultyOutcome, t: Texts) -> dict[str, str]:
    return {
        "name": f.name,
        "id": f.faculty,
        "wave": str(f.wave),
        "expected": t.count(f.expected),
        "peak": t.count(f.connected_peak),
        "time": t("never") if f.time_to_connect_s is None else t.duration(f.time_to_connect_s),
        "at": "" if f.connected_at_s is None else f"T+{t.clock(f.connected_at_s)}",
        "late": "late" if f.time_to_connect_s is None else "",
    }


def _alert_row(a: AlertEpisode, wording: Wording) -> dict[str, str]:
    t = wording.t
    return {
        "rule": a.rule,
        "subject": a.subject,
        "severity": a.severity,
        "severity_text": wording.severity(a.severity),
        "fired": f"T+{t.clock(a.fired_at_s)}",
        "resolved_at": t("still firing")
        if a.resolved_at_s is None
        else f"T+{t.clock(a.resolved_at_s)}",
        "lead": wording.lead(a),
        "message": wording.alert_message(a),
    }


def _words(t: Texts) -> dict[str, str]:
    """Every heading and column name of the page, in the report's language."""
    share = t.percent(FACULTY_CONNECTED_SHARE)
    return {
        "report": t("Post-mortem report"),
        "headline": t("What happened"),
        "timeline": t("Incident timeline"),
        "sessions": t("Active sessions"),
        "servers": t("Servers: connections against their limits"),
        "faculties": t("Faculties"),
        "alerts": t("Alerts"),
        "faculty": t("Faculty"),
        "wave": t("Wave"),
        "expected": t("Expected"),
        "peak": t("Peak connected"),
        "time_to_connect": t("Time to {share} connected, from its wave's start", share=share),
        "connected_at": t("{share} connected at", share=share),
        "rule": t("Rule"),
        "subject": t("Subject"),
        "severity": t("Severity"),
        "fired": t("Fired"),
        "resolved_at": t("Resolved"),
        "lead": t("Lead time"),
        "message": t("Message"),
        "no_alerts": t("No alert fired."),
        "footer": t("Made by Vigie from the exercise's store. Times are on the exercise clock."),
    }
