"""What `vigie report` does, apart from its options and exit codes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vigie.capacity.live_limits import recorded_in_force
from vigie.i18n import texts
from vigie.plan import parse_plan
from vigie.review.export import export_csv
from vigie.review.report import render_report
from vigie.review.timeline import build_timeline
from vigie.store import Store


def make_report(
    store: Store,
    exercise_id: int,
    out: Path,
    csv_dir: Path | None,
    lang: str | None,
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """Write the HTML report to `out` (and the CSV files into `csv_dir`); the files written.
    `progress` is told of the samples exported as they are written.

    raises LookupError for an exercise not in the store, PlanInvalid when its stored
    plan no longer loads, OSError when a file cannot be written.
    """
    record = store.exercise(exercise_id)
    if record is None:
        raise LookupError(f"exercise {exercise_id} is not in the store")
    # The plan the exercise ran with, as stored with it: never today's file.
    planned = parse_plan(record.plan_toml, f"exercise {exercise_id}")
    plan = recorded_in_force(store, exercise_id, planned, float("inf"))
    timeline = build_timeline(store, exercise_id, plan)
    page = render_report(store, timeline, texts(lang or plan.exercise.language.value))
    out.write_text(page, encoding="utf-8")
    written = [out]
    if csv_dir is not None:
        written += export_csv(store, record, csv_dir, progress)
    return written
