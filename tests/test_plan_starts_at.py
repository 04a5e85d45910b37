"""A plan moved to another start: the model and the TOML text the store keeps agree."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import SEED_PLAN, SMALL_PLAN
from vigie.plan import load_plan, parse_plan
from vigie.plan.starts_at import StartNotWritable, with_starts_at

WHEN = datetime(2026, 12, 1, 14, 0, tzinfo=timezone(timedelta(hours=1)))


@pytest.mark.parametrize("path", [SEED_PLAN, SMALL_PLAN], ids=["with a start", "without"])
def test_the_stored_text_says_the_new_start_and_nothing_else_changes(path: Path) -> None:
    plan = load_plan(path)
    moved, text = with_starts_at(plan, path.read_text(encoding="utf-8"), WHEN)
    assert moved.exercise.starts_at == WHEN
    assert parse_plan(text) == moved
    assert moved.model_copy(update={"exercise": plan.exercise}) == plan


def test_the_stored_text_keeps_the_files_start_in_a_comment() -> None:
    _, text = with_starts_at(load_plan(SEED_PLAN), SEED_PLAN.read_text(encoding="utf-8"), WHEN)
    line = next(line for line in text.splitlines() if line.startswith("starts_at"))
    assert line == (
        "starts_at = 2026-12-01T14:00:00+01:00  "
        "# --starts-at; the plan file says 2022-01-21T14:00:00+01:00"
    )


def test_an_inline_exercise_table_is_refused_rather_than_rewritten_wrong() -> None:
    rest = SMALL_PLAN.read_text(encoding="utf-8").split("[[waves]]", 1)[1]
    inline = 'exercise = { id = "small-drill", name = "Small drill" }\n[[waves]]' + rest
    plan = parse_plan(inline)
    with pytest.raises(StartNotWritable):
        with_starts_at(plan, inline, WHEN)
