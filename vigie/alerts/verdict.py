"""What a rule says about one subject at one instant."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from vigie.alerts.facts import RuleFacts


class Severity(IntEnum):
    """Ordered: a rule's worst verdict wins, and escalation is a comparison."""

    OK = 0
    CAREFUL = 1
    WARNING = 2
    CRITICAL = 3

    @property
    def label(self) -> str:
        return self.name.lower()


# The message of every alert resolved by the exercise's stop rather than by a recovery.
STOPPED_MESSAGE = "exercise stopped"


@dataclass(frozen=True)
class Verdict:
    rule: str
    subject: str  # a server, faculty, wave ("wave-4") or source id
    severity: Severity
    message: str
    unknown: bool = False  # the data it needs is stale or missing: neither ok nor alert
    server: str | None = None  # the server whose limit this is about, for lead times
    facts: RuleFacts | None = None  # the numbers behind it, typed per rule

    @classmethod
    def unknown_for(cls, rule: str, subject: str, why: str) -> Verdict:
        return cls(rule, subject, Severity.OK, why, unknown=True)
