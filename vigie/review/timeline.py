"""The incident timeline of an exercise: the ordered facts a post-mortem is written from.

Pure functions over the store and the plan. The numbers (peaks, breaches, alert
lead times, waves, faculties) come from `vigie.review.summary`, so the timeline, the
drill's report and any other summary never disagree. No text here: wording is in
`vigie.review.wording`, per language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vigie.plan import Plan
from vigie.review.summary import (
    AlertEpisode,
    Breach,
    ExerciseSummary,
    FacultyOutcome,
    SessionTotals,
    WaveOutcome,
    session_totals,
    summarize,
)
from vigie.store import Annotation, ExerciseRecord, Store
from vigie.store.records import AnnotationKind, Decision

REVIEW_NOTE = AnnotationKind.REVIEW  # the annotation kind of a note written on the review page


@dataclass(frozen=True)
class WaveStarted:
    at_s: float  # its planned start: when the wave was opened to its students
    wave: WaveOutcome


@dataclass(frozen=True)
class WaveCompleted:
    at_s: float  # when it reached the complete share; the end of the record if it never did
    wave: WaveOutcome


@dataclass(frozen=True)
class PeakSessions:
    at_s: float
    active_sessions: int
    expected: int


@dataclass(frozen=True)
class LimitBreached:
    at_s: float
    breach: Breach
    warnings: tuple[AlertEpisode, ...]  # the alerts that warned of it, first first


@dataclass(frozen=True)
class AlertFired:
    at_s: float
    alert: AlertEpisode


@dataclass(frozen=True)
class DecisionTaken:
    at_s: float
    wave: int | None
    choice: str  # go, hold, split (as the console writes them)
    comment: str
    author: str


@dataclass(frozen=True)
class NoteWritten:
    at_s: float
    author: str
    text: str


@dataclass(frozen=True)
class ReviewNoteWritten:
    """A note written after the fact, on the review page: never seen in the room."""

    at_s: float  # the instant of the exercise it is about
    author: str
    text: str
    written: float  # when it was written (epoch seconds)


@dataclass(frozen=True)
class FacultyConnected:
    at_s: float  # when it reached the share; the end of the record if it never did
    faculty: FacultyOutcome


@dataclass(frozen=True)
class ExerciseStopped:
    at_s: float


Fact = (
    WaveStarted
    | WaveCompleted
    | PeakSessions
    | LimitBreached
    | AlertFired
    | DecisionTaken
    | NoteWritten
    | ReviewNoteWritten
    | FacultyConnected
    | ExerciseStopped
)

# At the same instant, the cause reads before its effects and the stop comes last.
_ORDER: dict[type, int] = {
    WaveStarted: 0,
    DecisionTaken: 1,
    NoteWritten: 2,
    AlertFired: 3,
    LimitBreached: 4,
    PeakSessions: 5,
    WaveCompleted: 6,
    FacultyConnected: 7,
    ReviewNoteWritten: 8,  # said after the fact: after what the room saw then
    ExerciseStopped: 9,
}


@dataclass(frozen=True)
class Timeline:
    record: ExerciseRecord
    plan: Plan
    summary: ExerciseSummary
    facts: list[Fact]
    end_s: float  # the stop, or the newest sample: where "never" facts are placed
    sessions: SessionTotals  # active sessions at every stored instant, total and per wave


def build_timeline(store: Store, exercise_id: int, plan: Plan) -> Timeline:
    """raises LookupError when the exercise is not in the store."""
    record = store.exercise(exercise_id)
    if record is None:
        raise LookupError(f"exercise {exercise_id} is not in the store")
    sessions = session_totals(store, exercise_id, plan)
    summary = summarize(store, exercise_id, plan, sessions)
    end_s = _end_s(summary)
    facts: list[Fact] = [
        *_wave_facts(summary.waves, end_s),
        *_breach_facts(summary),
        *(AlertFired(a.fired_at_s, a) for a in summary.alerts),
        *_annotation_facts(store.annotations(exercise_id), record.t0),
        *(FacultyConnected(_or(f.connected_at_s, end_s), f) for f in summary.faculties),
    ]
    if summary.peak_at_s is not None:
        facts.append(
            PeakSessions(summary.peak_at_s, summary.peak_active_sessions, summary.expected_students)
        )
    if summary.stopped_at_s is not None:
        facts.append(ExerciseStopped(summary.stopped_at_s))
    facts.sort(key=lambda f: (f.at_s, _ORDER[type(f)]))
    return Timeline(record, plan, summary, facts, end_s, sessions)


def _end_s(summary: ExerciseSummary) -> float:
    if summary.stopped_at_s is not None:
        return summary.stopped_at_s
    return summary.observed_until_s or 0.0


def _or(at_s: float | None, end_s: float) -> float:
    return end_s if at_s is None else at_s


def _wave_facts(waves: Sequence[WaveOutcome], end_s: float) -> list[Fact]:
    facts: list[Fact] = []
    for wave in waves:
        facts.append(WaveStarted(wave.opened_s, wave))
        facts.append(WaveCompleted(_or(wave.completed_at_s, end_s), wave))
    return facts


def _breach_facts(summary: ExerciseSummary) -> list[Fact]:
    return [LimitBreached(b.at_s, b, tuple(summary.warnings_of(b))) for b in summary.breaches]


def _annotation_facts(annotations: Sequence[Annotation], t0: float) -> list[Fact]:
    facts: list[Fact] = []
    for a in annotations:
        if a.kind == AnnotationKind.DECISION:
            decision = Decision.of_text(a.text)
            facts.append(
                DecisionTaken(a.at - t0, a.wave, decision.choice, decision.comment, a.author)
            )
        elif a.kind == REVIEW_NOTE:
            facts.append(ReviewNoteWritten(a.at - t0, a.author, a.text, a.created))
        else:
            facts.append(NoteWritten(a.at - t0, a.author, a.text))
    return facts
