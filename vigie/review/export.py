"""`vigie report --csv DIR`: an exercise's samples, alert transitions and annotations
as CSV files for other tools (spreadsheets, pandas, R).

Times are given twice: seconds from T+0 (for tools) and the exercise clock
(for people). Labels are a JSON object, so any label value survives the trip.
A text that a spreadsheet would run as a formula (it starts with = + - @, a tab
or a carriage return) is written with a leading apostrophe, as OWASP advises
for CSV: notes and names come from people and plans, and a reviewer opens the
file in a spreadsheet. Numbers are written as they are.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from vigie.i18n import exercise_clock
from vigie.store import ExerciseRecord, Store

SAMPLE_COLUMNS = ("exercise_s", "clock", "series", "labels", "value")
ALERT_COLUMNS = (
    "exercise_s",
    "clock",
    "rule",
    "subject",
    "state",
    "severity",
    "server",
    "actor",
    "message",
)
ANNOTATION_COLUMNS = ("exercise_s", "clock", "kind", "wave", "author", "text", "written_s")


def export_csv(
    store: Store,
    record: ExerciseRecord,
    folder: Path,
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """Write samples.csv, alerts.csv and annotations.csv into `folder` (made if need be).
    `progress` is told of each batch of samples written (29 million for 4 hours of 2,000
    series: minutes).

    raises OSError when the folder or a file cannot be written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    t0 = record.t0
    samples = _counted(
        (
            (*_when(point.at, t0), name, json.dumps(dict(labels)), point.value)
            for name, labels, point in store.every_sample(record.id)
        ),
        progress,
    )
    alerts = (
        (*_when(a.at, t0), a.rule, a.subject, a.state, a.severity, a.server, a.actor, a.message)
        for a in store.alerts.transitions(record.id)
    )
    annotations = (
        (*_when(a.at, t0), a.kind, a.wave, a.author, a.text, round(a.created - t0, 3))
        for a in store.annotations(record.id)
    )
    return [
        _write(folder / "samples.csv", SAMPLE_COLUMNS, samples),
        _write(folder / "alerts.csv", ALERT_COLUMNS, alerts),
        _write(folder / "annotations.csv", ANNOTATION_COLUMNS, annotations),
    ]


PROGRESS_EVERY = 10_000


def _counted(
    rows: Iterator[tuple[object, ...]], progress: Callable[[int], None] | None
) -> Iterator[tuple[object, ...]]:
    if progress is None:
        yield from rows
        return
    count = 0
    for row in rows:
        yield row
        count += 1
        if count == PROGRESS_EVERY:
            progress(count)
            count = 0
    progress(count)


def _when(at: float, t0: float) -> tuple[float, str]:
    offset = round(at - t0, 3)
    return offset, f"T+{exercise_clock(offset)}"


def _write(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows([_cell(value) for value in row] for row in rows)
    return path


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
