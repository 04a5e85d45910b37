"""What an operator does from the console, checked whole before anything is written.

Each function returns the confirmation to show, or raises ActionRefused with a
message that names what is wrong; nothing is half written.
"""

from __future__ import annotations

from typing import Any

from vigie.bounded import text_problem
from vigie.dashboard.context import ViewContext
from vigie.dashboard.screen import Screen
from vigie.review.timeline import REVIEW_NOTE
from vigie.store.records import AnnotationKind, Choice, Decision

MAX_NAME = 64  # the store's author column
MAX_NOTE = 2000
CHOICES = tuple(Choice)


class ActionRefused(ValueError):
    pass


def _plain_text(screen: Screen, value: Any) -> str:
    """`value` stripped (None is empty); raises ActionRefused unless it is text the
    store can hold: a callback's values are whatever JSON the request carried."""
    if value is None:
        return ""
    if not isinstance(value, str) or text_problem(value) is not None:
        raise ActionRefused(screen.t("Only plain text can be written here."))
    return value.strip()


def _operator(screen: Screen, operator: Any) -> str:
    name = _plain_text(screen, operator)
    if not name:
        raise ActionRefused(screen.t("Write your name first: every action says who took it."))
    if len(name) > MAX_NAME:
        raise ActionRefused(
            screen.t("A name has at most {n} characters.", n=screen.t.count(MAX_NAME))
        )
    return name


def acknowledge(
    context: ViewContext, screen: Screen, operator: Any, rule: Any, subject: Any
) -> str:
    name = _operator(screen, operator)
    names = (rule, subject)
    if not all(isinstance(n, str) and text_problem(n) is None for n in names):
        raise ActionRefused(screen.t("That alert does not exist."))
    done = context.store.alerts.acknowledge(
        screen.exercise.record.id, rule, subject, name, context.clock.now()
    )
    if done is None:
        raise ActionRefused(screen.t("That alert is no longer firing."))
    return screen.t("Acknowledged by {who}.", who=name)


def _note_text(screen: Screen, note: Any, required: bool = True) -> str:
    """raises ActionRefused for an empty (when required), too long or not text note."""
    text = _plain_text(screen, note)
    if required and not text:
        raise ActionRefused(screen.t("The note is empty."))
    if len(text) > MAX_NOTE:
        raise ActionRefused(
            screen.t("A note has at most {n} characters.", n=screen.t.count(MAX_NOTE))
        )
    return text


def add_note(context: ViewContext, screen: Screen, operator: Any, note: Any) -> str:
    name = _operator(screen, operator)
    text = _note_text(screen, note)
    context.store.add_annotation(
        screen.exercise.record.id, context.clock.now(), AnnotationKind.NOTE, name, text
    )
    return screen.t("Note added; every screen shows it at the next refresh.")


def add_decision(
    context: ViewContext,
    screen: Screen,
    *,
    operator: Any,
    wave: Any,
    choice: Any,
    comment: Any,
) -> str:
    name = _operator(screen, operator)
    waves = {w.number for w in screen.exercise.plan.waves}
    if not isinstance(wave, int) or isinstance(wave, bool) or wave not in waves:
        raise ActionRefused(screen.t("Choose the wave the decision is about."))
    if choice not in CHOICES:
        raise ActionRefused(screen.t("Choose GO, HOLD or SPLIT."))
    why = _note_text(screen, comment, required=False)
    decision = Decision(Choice(choice), why)
    context.store.add_decision(screen.exercise.record.id, context.clock.now(), name, decision, wave)
    return screen.t("Decision recorded; every screen shows it at the next refresh.")


def add_review_note(context: ViewContext, screen: Screen, author: Any, note: Any) -> str:
    """A note about the instant `screen` shows, written after the fact: stored as a
    review note (never shown to the room) with its author and the time of writing."""
    name = _operator(screen, author)
    text = _note_text(screen, note)
    context.store.add_annotation(screen.exercise.record.id, screen.at, REVIEW_NOTE, name, text)
    return screen.t(
        "Review note added at T+{clock}, marked as written after the fact.",
        clock=screen.t.clock(screen.elapsed_s),
    )
