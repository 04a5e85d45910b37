"""A fast subset of the generated corpus (benchmarks/bench_foresight.py drills 240):
one plan of each shape, drilled, judged against its outcome known on paper."""

from __future__ import annotations

import pytest

from benchmarks.foresight import drill_generated
from benchmarks.plan_corpus import KINDS, generate

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
