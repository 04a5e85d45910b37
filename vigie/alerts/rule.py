"""What a rule is to the engine and the screens: a `RuleSpec`, one per rule module.

A rule's module holds all of it: its name (`RULE`), the typed facts it keeps
beside its transitions, its function, the words a screen says it in, and its
`SPEC`. `vigie.alerts.rules.REGISTERED` lists the specs, and is the whole list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from vigie.alerts.facts import RuleFacts
from vigie.alerts.inputs import RuleInputs
from vigie.alerts.verdict import Severity, Verdict
from vigie.i18n import ENGLISH, Texts
from vigie.i18n.formats import wall_time
from vigie.plan.model import Plan

Rule = Callable[[RuleInputs, Mapping[str, Severity]], list[Verdict]]
Instant = Callable[[float], str]  # writes an epoch instant: "T+24:54" on every screen

F = TypeVar("F", bound=RuleFacts)
Words = Callable[[Texts, str, F, Plan, Instant], str]


@dataclass(frozen=True, kw_only=True)
class RuleSpec(Generic[F]):
    """A rule: its name, its function, the facts it keeps, how long a verdict must
    hold before it fires (none: at once), and its words on the screens."""

    name: str
    evaluate: Rule
    facts: type[F]
    # The message in a screen's language, from (texts, subject, facts, plan, instant
    # writer); the rule's own message is English, for notifiers and the log.
    words: Words[F]
    hold_s: Callable[[Plan], float] | None = None


def in_utc(epoch: float) -> str:
    """How a rule's own message writes an instant: notifiers and logs are read anywhere."""
    return f"{wall_time(epoch, None, 'en')} UTC"


def in_english(words: Words[F], subject: str, facts: F, plan: Plan) -> str:
    """A rule's own message: its screen words in English, so that what the notifiers
    and the log say and what an English screen shows cannot drift apart."""
    return words(ENGLISH, subject, facts, plan, in_utc)
