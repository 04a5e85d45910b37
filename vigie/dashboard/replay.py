"""What the review page reads of one stored exercise: its incident timeline, drawn as
markers on the exercise clock, and the instants a reviewer can jump between.

The timeline reduces the whole history (in the store), so it is built once per
worker for each version of the exercise (a new note or alert makes a new version) and shared by
every reviewer; scrubbing only reads the tick of the instant shown.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, datetime

from vigie.dashboard.context import Exercise, ViewContext
from vigie.dashboard.figures import (
    PALETTE,
    SEVERITY_COLOURS,
    Figure,
    Mark,
    cursor_shape,
    review_timeline_figure,
)
from vigie.dashboard.history import highest_per_bucket
from vigie.i18n import Texts
from vigie.review.timeline import (
    AlertFired,
    DecisionTaken,
    ExerciseStopped,
    Fact,
    LimitBreached,
    NoteWritten,
    PeakSessions,
    ReviewNoteWritten,
    Timeline,
    WaveStarted,
    build_timeline,
)
from vigie.review.wording import Wording

REVIEW_COLOUR = "#ffd33d"
LIVE_REBUILD_S = 60  # a review of a running exercise sees its new samples once a minute
TIMELINE_POINTS = 1200  # the sessions line across a 1920-pixel screen, peaks kept

# The facts drawn and jumped to, by kind: (lane, symbol). Completions, peaks per
# faculty and the like stay in the report's list, not on the screen.
DRAWN: dict[type, tuple[str, str]] = {
    WaveStarted: ("waves", "triangle-right"),
    ExerciseStopped: ("waves", "square"),
    AlertFired: ("alerts", "triangle-up"),
    LimitBreached: ("breaches", "x"),
    PeakSessions: ("breaches", "star-diamond"),
    DecisionTaken: ("room", "diamond"),
    NoteWritten: ("room", "circle"),
    ReviewNoteWritten: ("review", "star"),
}


@dataclass(frozen=True)
class Review:
    timeline: Timeline
    sessions: list[tuple[float, float]]  # total active sessions: (exercise seconds, value)
    events: list[float]  # the drawn facts' instants, sorted, without repeats

    def drawn(self) -> list[Fact]:
        return [f for f in self.timeline.facts if type(f) in DRAWN]

    def next_event(self, at_s: float) -> float | None:
        i = bisect.bisect_right(self.events, at_s)
        return self.events[i] if i < len(self.events) else None

    def previous_event(self, at_s: float) -> float | None:
        i = bisect.bisect_left(self.events, at_s)
        return self.events[i - 1] if i > 0 else None

    def opening_instant(self) -> float:
        """Where a reviewer starts: the first breach, else the first critical alert,
        else the peak of active sessions, else T+0."""
        facts = self.timeline.facts
        breaches = [f.at_s for f in facts if isinstance(f, LimitBreached)]
        critical = [
            f.at_s for f in facts if isinstance(f, AlertFired) and f.alert.severity == "critical"
        ]
        peaks = [f.at_s for f in facts if isinstance(f, PeakSessions)]
        return next((min(found) for found in (breaches, critical, peaks) if found), 0.0)

    def last_fact(self, at_s: float) -> Fact | None:
        """The newest drawn fact at or before `at_s`: what just happened."""
        before = [f for f in self.drawn() if f.at_s <= at_s]
        return before[-1] if before else None


def span_s(exercise: Exercise) -> float:
    """How far the review can scrub: to the stop, or over the plan's duration."""
    record = exercise.record
    if record.ended is not None:
        return max(record.ended - record.t0, 1.0)
    return float(exercise.plan.exercise.duration_min * 60)


def version(context: ViewContext, exercise: Exercise) -> tuple[object, ...]:
    """Changes when something is written about the exercise (one cheap read)."""
    record = exercise.record
    return (
        record.id,
        context.store.newest_writes(record.id),
        record.ended,
        None if record.ended is not None else int(context.clock.now() // LIVE_REBUILD_S),
    )


def review_of(context: ViewContext, exercise: Exercise) -> Review:
    """Built once per worker per version of the exercise (store reads: O(history))."""
    key = ("review", version(context, exercise))
    return context.shared(key, lambda: _build(context, exercise))


def _build(context: ViewContext, exercise: Exercise) -> Review:
    record = exercise.record
    timeline = build_timeline(context.store, record.id, exercise.plan)
    end = record.t0 + span_s(exercise)
    drawn = highest_per_bucket(timeline.sessions.total, record.t0, end, TIMELINE_POINTS)
    sessions = [(p.at - record.t0, p.value) for p in drawn]
    events = sorted({f.at_s for f in timeline.facts if type(f) in DRAWN})
    return Review(timeline, sessions, events)


def lanes(t: Texts) -> dict[str, str]:
    """Each lane's name on screen, top first."""
    return {
        "waves": t("Waves"),
        "alerts": t("Alerts fired"),
        "breaches": t("Limits"),
        "room": t("Decisions and notes"),
        "review": t("Review notes"),
    }


def timeline_figure(context: ViewContext, exercise: Exercise, t: Texts, at_s: float) -> Figure:
    """The shared figure of this version of the exercise, with the cursor at `at_s`."""
    key = ("review-figure", version(context, exercise), t.language)
    figure = context.shared(key, lambda: _figure(review_of(context, exercise), exercise, t))
    shapes = [cursor_shape(at_s), *figure["layout"]["shapes"][1:]]
    return {"data": figure["data"], "layout": {**figure["layout"], "shapes": shapes}}


def _figure(review: Review, exercise: Exercise, t: Texts) -> Figure:
    names = lanes(t)
    wording = wording_for(exercise, t)
    marks = [_mark(fact, names, wording) for fact in review.drawn()]
    return review_timeline_figure(
        review.sessions, marks, list(names.values()), span_s(exercise), 0.0, t
    )


def wording_for(exercise: Exercise, t: Texts) -> Wording:
    starts_at = exercise.plan.exercise.starts_at
    tz = None if starts_at is None else starts_at.tzinfo
    return Wording(t, exercise.plan, tz, exercise.record.t0)


def _mark(fact: Fact, names: dict[str, str], wording: Wording) -> Mark:
    lane, symbol = DRAWN[type(fact)]
    text = f"T+{wording.t.clock(fact.at_s)}  {wording.fact(fact)}"
    return Mark(at_s=fact.at_s, lane=names[lane], text=text, colour=_colour(fact), symbol=symbol)


def _colour(fact: Fact) -> str:
    if isinstance(fact, AlertFired):
        return SEVERITY_COLOURS.get(fact.alert.severity, PALETTE[0])
    if isinstance(fact, LimitBreached | ExerciseStopped):
        return SEVERITY_COLOURS["critical"]
    if isinstance(fact, ReviewNoteWritten):
        return REVIEW_COLOUR
    if isinstance(fact, DecisionTaken | NoteWritten):
        return PALETTE[2]
    return PALETTE[1]


def exercise_label(name: str, mode: str, t0: float) -> str:
    """How an exercise is listed for choosing: name, mode, date."""
    return f"{name} · {mode} · {_started(t0)}"


def exercise_choice(exercise_id: int, name: str, mode: str, t0: float) -> str:
    """An exercise among runs of the same plan: what tells them apart (number, mode,
    date) first, the name they share last."""
    return f"#{exercise_id} · {mode} · {_started(t0)} · {name}"


def _started(t0: float) -> str:
    return f"{datetime.fromtimestamp(t0, UTC):%Y-%m-%d %H:%M} UTC"
