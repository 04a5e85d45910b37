"""Plain values the store takes and returns, so no caller ever sees a SQL row."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from pydantic import JsonValue

from vigie.series import Labels


@dataclass(frozen=True, slots=True)
class Point:
    at: float  # seconds since the epoch
    value: float


@dataclass(frozen=True, kw_only=True)
class ExerciseRecord:
    id: int
    plan_id: str
    name: str
    mode: str
    plan_toml: str
    t0: float
    created: float
    ended: float | None


@dataclass(frozen=True)
class HealthUpdate:
    """The outcome of polling one source once."""

    source: str
    at: float
    ok: bool
    latency_s: float
    error: str | None = None


@dataclass(frozen=True, kw_only=True)
class SourceHealth:
    source: str
    up: bool
    last_success: float | None
    last_error_at: float | None
    last_error: str | None
    consecutive_failures: int
    last_latency_s: float | None
    down_since: float | None
    updated: float


class AnnotationKind(StrEnum):
    NOTE = "note"  # the room's, during the exercise
    DECISION = "decision"  # on a wave: its text is a Decision's
    REVIEW = "review"  # a reviewer's, written afterwards on the review page


class Choice(StrEnum):
    GO = "go"
    HOLD = "hold"
    SPLIT = "split"


@dataclass(frozen=True)
class Decision:
    """The room's decision on a wave. The store keeps it as its annotation's text,
    "go: why" (the form every Vigie wrote); it is read back here and nowhere else."""

    choice: str  # a Choice, or whatever an older text held
    comment: str = ""

    def text(self) -> str:
        return f"{self.choice}: {self.comment}" if self.comment else str(self.choice)

    @classmethod
    def of_text(cls, text: str) -> Decision:
        choice, _, comment = text.partition(":")
        return cls(choice.strip().lower(), comment.strip())


@dataclass(frozen=True)
class Annotation:
    id: int
    at: float
    kind: str  # an AnnotationKind
    author: str
    text: str
    wave: int | None
    created: float


def labels_key(labels: Labels) -> str:
    return json.dumps(sorted(labels), separators=(",", ":"))


@lru_cache(maxsize=65_536)  # a read of N series' buckets repeats N keys: each parsed once
def labels_from_key(key: str) -> Labels:
    return tuple((str(k), str(v)) for k, v in json.loads(key))


def to_ms(seconds: float) -> int:
    return round(seconds * 1000)


def from_ms(ms: int) -> float:
    return ms / 1000


class AlertState(StrEnum):
    """An alert's state, as its transitions record it (and as the store keeps the text)."""

    PENDING = "pending"  # the rule says so, for less than its hold
    FIRING = "firing"
    RESOLVED = "resolved"
    ACKNOWLEDGED = "acknowledged"  # a person has seen it; it goes on firing


class DeliveryStatus(StrEnum):
    """A notification's delivery to one notifier."""

    PENDING = "pending"  # queued, or failed and due again
    SENT = "sent"
    FAILED = "failed"  # given up on


@dataclass(frozen=True, kw_only=True)
class AlertTransition:
    id: int
    at: float
    rule: str
    subject: str
    state: AlertState
    severity: str
    message: str
    server: str | None
    facts: dict[str, JsonValue]
    actor: str | None


@dataclass(frozen=True, kw_only=True)
class NewTransition:
    at: float
    rule: str
    subject: str
    state: AlertState
    severity: str
    message: str
    server: str | None = None
    facts: dict[str, JsonValue] | None = None
    actor: str | None = None
    notify: bool = False  # queue it for every notifier
    # The id of the state transition of (rule, subject) it follows, 0 for the first;
    # None (an acknowledgement) follows nothing and never collides.
    follows: int | None = None


@dataclass(frozen=True)
class Delivery:
    id: int
    notifier: str
    attempts: int
    transition: AlertTransition


@dataclass(frozen=True)
class AgentToken:
    id: int
    faculty: str
    created: float
    revoked: float | None
