"""The timeline's facts as sentences, in the report's language.

Every text goes through the catalogue; names from the plan and notes from
operators are passed in as values and stay plain text (the report escapes them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from vigie.capacity import kind_named, partial
from vigie.dashboard.alert_text import alert_message, verdict_words
from vigie.i18n import Texts
from vigie.plan import Plan
from vigie.review.summary import FACULTY_CONNECTED_SHARE, AlertEpisode
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
    WaveCompleted,
    WaveStarted,
)
from vigie.tick import AlertView
from vigie.tick.build import COMPLETE_SHARE


class Wording:
    """Sentences for one report: its language, its plan (for names) and time zone."""

    def __init__(self, t: Texts, plan: Plan, tz: tzinfo | None, t0: float) -> None:
        self.t, self.plan, self.tz, self.t0 = t, plan, tz, t0

    def instant(self, epoch: float) -> str:
        """An epoch instant on the exercise clock, as every other time of the review."""
        return f"T+{self.t.clock(epoch - self.t0)}"

    def fact(self, fact: Fact) -> str:
        writer: Callable[[Wording, Any], str] = _WRITERS[type(fact)]
        return writer(self, fact)

    def severity(self, severity: str) -> str:
        t = self.t
        words = {"careful": t("CAREFUL"), "warning": t("WARNING"), "critical": t("CRITICAL")}
        return words.get(severity, severity.upper())

    def choice(self, choice: str) -> str:
        return verdict_words(self.t, choice)

    def alert_message(self, alert: AlertEpisode) -> str:
        view = AlertView(
            rule=alert.rule,
            subject=alert.subject,
            severity=alert.severity,
            since=alert.fired_at_s,
            message=alert.message,
            facts=alert.facts,
        )
        return alert_message(self.t, view, self.plan, self.instant)

    def day(self, epoch: float) -> str:
        """A date and time to the minute, in the plan's time zone."""
        return datetime.fromtimestamp(epoch, self.tz or UTC).strftime("%Y-%m-%d %H:%M")

    def lead(self, alert: AlertEpisode) -> str:
        if alert.lead_time_s is None or alert.warned_of is None:
            return ""
        return self.t(
            "{lead} before {server} went past its limit",
            lead=self.t.duration(alert.lead_time_s),
            server=alert.warned_of.server,
        )


LATE_S = 30  # a launch this far from the plan's time is said as such


def _wave_started(w: Wording, fact: WaveStarted) -> str:
    t, wave = w.t, fact.wave
    if wave.started_at_s is None:
        return t(
            "Wave {wave} opens: {expected} students expected; nobody connected",
            wave=wave.wave,
            expected=t.count(wave.expected),
        )
    if abs(wave.opened_s - wave.planned_start_s) >= LATE_S:
        return t(
            "Wave {wave} launched at T+{launched} (planned T+{planned}): {expected} students "
            "expected; first connection at T+{first}",
            wave=wave.wave,
            launched=t.clock(wave.opened_s),
            planned=t.clock(wave.planned_start_s),
            expected=t.count(wave.expected),
            first=t.clock(wave.started_at_s),
        )
    return t(
        "Wave {wave} opens: {expected} students expected; first connection at T+{first}",
        wave=wave.wave,
        expected=t.count(wave.expected),
        first=t.clock(wave.started_at_s),
    )


def _wave_completed(w: Wording, fact: WaveCompleted) -> str:
    t, wave = w.t, fact.wave
    if wave.completed_at_s is None:
        return t(
            "Wave {wave} never completed: at most {peak} of its {expected} students connected",
            wave=wave.wave,
            peak=t.count(wave.connected_peak),
            expected=t.count(wave.expected),
        )
    return t(
        "Wave {wave} complete ({share} of its {expected} students connected), {duration} "
        "after it opened",
        wave=wave.wave,
        share=t.percent(COMPLETE_SHARE),
        expected=t.count(wave.expected),
        duration=t.duration(wave.completed_at_s - wave.opened_s),
    )


def _peak(w: Wording, fact: PeakSessions) -> str:
    t = w.t
    return t(
        "Peak of active sessions: {sessions} of {expected} expected",
        sessions=t.count(fact.active_sessions),
        expected=t.count(fact.expected),
    )


def _breach(w: Wording, fact: LimitBreached) -> str:
    t, b = w.t, fact.breach
    if partial(b.kind):
        said = t(
            "LIMIT BREACHED: {server} refusing connections at {level}, "
            "with {sessions} active sessions.",
            server=b.server,
            level=kind_named(b.kind).refusing(t, b.limit),
            sessions=t.count(b.active_sessions),
        )
    else:
        said = t(
            "LIMIT BREACHED: {server} at {connections} connections, over its limit of {limit}, "
            "with {sessions} active sessions.",
            server=b.server,
            connections=t.count(b.connections),
            limit=t.count(b.limit),
            sessions=t.count(b.active_sessions),
        )
    if not fact.warnings:
        return said + " " + t("No alert warned of it.")
    first, *others = fact.warnings
    said += " " + t(
        "First warned by {rule} on {subject} at T+{clock}, {lead} ahead.",
        rule=first.rule,
        subject=first.subject,
        clock=t.clock(first.fired_at_s),
        lead=t.duration(first.lead_time_s or 0),
    )
    if others:
        # Built apart from the sentence: Babel's extractor skips a t() nested in another.
        later = [
            t("{rule} {lead} ahead", rule=a.rule, lead=t.duration(a.lead_time_s or 0))
            for a in others
        ]
        said += " " + t("Then: {alerts}.", alerts=", ".join(later))
    return said


def _alert(w: Wording, fact: AlertFired) -> str:
    t, alert = w.t, fact.alert
    said = t(
        "{severity} alert {rule} on {subject}: {text}",
        severity=w.severity(alert.severity),
        rule=alert.rule,
        subject=alert.subject,
        text=w.alert_message(alert),
    )
    if lead := w.lead(alert):
        said += f" ({lead})"
    return said


def _decision(w: Wording, fact: DecisionTaken) -> str:
    said = w.t(
        "Decision on wave {wave}: {choice}, by {author}",
        wave="?" if fact.wave is None else fact.wave,
        choice=w.choice(fact.choice),
        author=fact.author,
    )
    return f"{said} — {fact.comment}" if fact.comment else said


def _note(w: Wording, fact: NoteWritten) -> str:
    return w.t("Note by {author}: {text}", author=fact.author, text=fact.text)


def _review_note(w: Wording, fact: ReviewNoteWritten) -> str:
    return w.t(
        "Review note by {author}, written after the fact on {day}: {text}",
        author=fact.author,
        day=w.day(fact.written),
        text=fact.text,
    )


def _faculty(w: Wording, fact: FacultyConnected) -> str:
    t, f = w.t, fact.faculty
    if f.time_to_connect_s is None:
        return t(
            "{faculty} never connected {share} of its {expected} students (at most {peak})",
            faculty=f.name,
            share=t.percent(FACULTY_CONNECTED_SHARE),
            expected=t.count(f.expected),
            peak=t.count(f.connected_peak),
        )
    return t(
        "{faculty} connected {share} of its {expected} students, {duration} after its wave opened",
        faculty=f.name,
        share=t.percent(FACULTY_CONNECTED_SHARE),
        expected=t.count(f.expected),
        duration=t.duration(f.time_to_connect_s),
    )


def _stopped(w: Wording, fact: ExerciseStopped) -> str:
    return w.t("Exercise stopped")


_WRITERS: dict[type, Callable[[Wording, Any], str]] = {
    WaveStarted: _wave_started,
    WaveCompleted: _wave_completed,
    PeakSessions: _peak,
    LimitBreached: _breach,
    AlertFired: _alert,
    DecisionTaken: _decision,
    NoteWritten: _note,
    ReviewNoteWritten: _review_note,
    FacultyConnected: _faculty,
    ExerciseStopped: _stopped,
}
