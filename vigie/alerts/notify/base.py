"""The notifier protocol and the payload every notifier starts from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from vigie.store import AlertTransition


class NotifyError(Exception):
    """A delivery failed. permanent=True: resending the same thing can never succeed."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class AlertContext:
    exercise_id: int
    plan_id: str
    dashboard_url: str = ""


class Notifier(Protocol):
    @property
    def name(self) -> str: ...

    def notify(self, transition: AlertTransition, context: AlertContext) -> None:
        """Deliver one transition. raises NotifyError(permanent=...) when it cannot."""


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def transition_document(t: AlertTransition, context: AlertContext) -> dict[str, Any]:
    return {
        "exercise": context.exercise_id,
        "plan": context.plan_id,
        "id": t.id,
        "rule": t.rule,
        "subject": t.subject,
        "state": t.state,
        "severity": t.severity,
        "message": t.message,
        "at": iso(t.at),
        "server": t.server,
        "facts": t.facts,
    }
