"""An alert's message in the screen's language, from the typed facts the rule kept.

Rules write their message in English for notifiers and logs; screens rebuild it
from the rule's facts through the catalogue, in the rule's own `words` (its
`SPEC`). Without facts that validate (a transition written by an older Vigie)
the rule's own message is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vigie.alerts.facts import RuleFacts
from vigie.alerts.rule import Instant
from vigie.alerts.rules import REGISTERED, facts_of
from vigie.capacity import kind_named
from vigie.i18n import Texts
from vigie.plan import Plan
from vigie.tick import AlertView

Writer = Callable[[Texts, str, Any, Plan, Instant], str]
# Each rule's words, by the type of the facts they read.
WRITERS: dict[type[RuleFacts], Writer] = {spec.facts: spec.words for spec in REGISTERED}


def alert_message(t: Texts, alert: AlertView, plan: Plan, when: Instant) -> str:
    """`when` writes the instants a message names (a source blind since when)."""
    facts = facts_of(alert.rule, alert.facts)
    writer = WRITERS.get(type(facts)) if facts is not None else None
    if writer is None:
        return alert.message
    return writer(t, alert.subject, facts, plan, when)


def verdict_words(t: Texts, verdict: str) -> str:
    """A gate verdict or a room's decision (go, hold, split), read from across the
    room: a French operator reads "LANCER" / "NE PAS LANCER"."""
    words = {"GO": t("GO"), "HOLD": t("HOLD"), "UNKNOWN": t("UNKNOWN"), "SPLIT": t("SPLIT")}
    return words.get(verdict.upper(), verdict)


def limit_text(
    t: Texts,
    plan: Plan,
    server: str,
    kind: str | None,
    address: str | None,
    faculties: tuple[str, ...],
) -> str:
    """A limit named in the screen's language, in its kind's words (`KindOfLimit.named`)."""
    return kind_named(kind).named(t, plan, server, address, faculties)
