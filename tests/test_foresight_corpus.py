"""A fast subset of the generated corpus (benchmarks/bench_foresight.py drills 240):
one plan of each shape, drilled, judged against its outcome known on paper."""

from __future__ import annotations

import pytest
import tomli_w

from benchmarks.foresight import drill_generated
from benchmarks.plan_corpus import KINDS, generate
from vigie.plan import parse_plan
from vigie.review.summary import summarize
from vigie.run.drill import run_drill
from vigie.store import Store

# Plan numbers are seeds: number % 6 picks the shape (KINDS), the rest varies.
SUBSET = (1, 2, 3, 4, 5, 12, 13)


@pytest.mark.parametrize("number", SUBSET)
def test_the_first_hold_names_the_limit_that_breaks_and_plans_that_hold_get_none(
    number: int,
) -> None:
    generated = generate(number)
    judged = drill_generated(generated)
    outcome = generated.outcome
    assert outcome.kind == KINDS[number % len(KINDS)] or not outcome.breaks
    if outcome.breaks:
        assert judged.breach_s is not None, "the plan was built to break in the drill"
        assert judged.named_right, f"first warning did not name {outcome}"
        assert judged.lead_s is not None and judged.lead_s > 0
    else:
        assert judged.breach_s is None and judged.false_holds == 0
        assert judged.capacity_alerts == 0
    assert judged.most_episodes <= 1


def test_a_refused_address_is_a_breach_in_the_summary_warned_of_by_the_gate(
    sqlite_store: Store,
) -> None:
    generated = generate(1)  # fac-00's 530 students behind one address, 976 per address
    text = tomli_w.dumps(generated.plan)
    run = run_drill(parse_plan(text), text, sqlite_store)
    summary = summarize(sqlite_store, run.exercise_id, parse_plan(text))
    (breach,) = summary.breaches
    assert (breach.server, breach.kind, breach.limit) == ("gw", "per_source", 976)
    first = summary.warnings_of(breach)[0]
    assert first.rule == "wave_gate" and first.fired_at_s == 0
    assert first.lead_time_s == breach.at_s > 60
