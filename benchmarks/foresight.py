"""Drill one generated plan and judge the foresight against its outcome on paper.

Shared by the foresight benchmark and its fast test subset.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from benchmarks.plan_corpus import GeneratedPlan, Outcome
from vigie.alerts.rules import headroom, throttling, time_to_limit, wave_gate
from vigie.plan.loader import plan_from_dict
from vigie.run.drill import run_drill
from vigie.store import AlertTransition, Store, sqlite_url
from vigie.store.records import AlertState

CAPACITY_RULES = (headroom.RULE, time_to_limit.RULE, throttling.RULE, wave_gate.RULE)
WARNINGS = ("HOLD", "FORECAST")


@dataclass(frozen=True)
class Judged:
    number: int
    outcome: Outcome
    spacing_min: float
    breach_s: float | None  # first refusal by the limit that breaks, exercise seconds
    warned_s: float | None  # first HOLD or forecast that fired
    named_right: bool  # that first warning named the limit that breaks
    false_holds: int  # HOLDs or forecasts on a plan that holds
    capacity_alerts: int  # any capacity alert fired on a plan that holds with room
    most_episodes: int  # the most firing episodes of one (rule, subject)

    @property
    def lead_s(self) -> float | None:
        if self.breach_s is None or self.warned_s is None:
            return None
        return self.breach_s - self.warned_s


def drill_generated(generated: GeneratedPlan) -> Judged:
    plan = plan_from_dict(generated.plan, f"corpus-{generated.number}")
    with tempfile.TemporaryDirectory(prefix="vigie-foresight-") as scratch:
        store = Store.open(sqlite_url(Path(scratch) / "drill.db"))
        try:
            run = run_drill(plan, tomli_w.dumps(generated.plan), store)
            record = store.exercise(run.exercise_id)
            assert record is not None, "the drill stored its exercise"
            t0 = record.t0
            transitions = store.alerts.transitions(run.exercise_id)
            breach = _first_refusal(store, run.exercise_id, generated.outcome, t0)
        finally:
            store.close()
    return _judge(generated, transitions, breach, t0)


def _first_refusal(store: Store, exercise_id: int, outcome: Outcome, t0: float) -> float | None:
    if not outcome.breaks:
        return None
    series = store.window(exercise_id, "server_rejected_total", t0 - 1, t0 + 10**6)
    for labels, points in series.items():
        if ("server", outcome.server) in labels:
            return next((p.at - t0 for p in points if p.value > 0), None)
    return None


def _judge(
    generated: GeneratedPlan, transitions: list[AlertTransition], breach: float | None, t0: float
) -> Judged:
    outcome = generated.outcome
    fired = [t for t in transitions if t.state == AlertState.FIRING and t.rule in CAPACITY_RULES]
    warnings = [t for t in fired if t.rule == wave_gate.RULE and t.facts.get("verdict") in WARNINGS]
    first = warnings[0] if warnings else None
    holds_with_room = outcome.kind == "holds"
    return Judged(
        number=generated.number,
        outcome=outcome,
        spacing_min=generated.spacing_min,
        breach_s=breach,
        warned_s=None if first is None else first.at - t0,
        named_right=first is not None and _names(first, outcome),
        false_holds=0 if outcome.breaks else len(warnings),
        capacity_alerts=len(fired) if holds_with_room else 0,
        most_episodes=_most_episodes(transitions),
    )


def _names(t: AlertTransition, outcome: Outcome) -> bool:
    facts = t.facts
    if facts.get("server") != outcome.server or facts.get("kind") != outcome.limit_kind:
        return False
    faculties = facts.get("faculties") or []
    return outcome.faculty is None or (isinstance(faculties, list) and outcome.faculty in faculties)


def _most_episodes(transitions: list[AlertTransition]) -> int:
    """Firing episodes per (rule, subject): one per real excursion is the target."""
    episodes: dict[tuple[str, str], int] = defaultdict(int)
    open_: set[tuple[str, str]] = set()
    for t in transitions:
        key = (t.rule, t.subject)
        if t.rule not in CAPACITY_RULES:
            continue
        if t.state == AlertState.FIRING and key not in open_:
            episodes[key] += 1
            open_.add(key)
        elif t.state == AlertState.RESOLVED:
            open_.discard(key)
    return max(episodes.values(), default=0)
