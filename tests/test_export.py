"""`--csv DIR`: samples, alert transitions and annotations as CSV, readable by any tool."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.conftest import Drilled
from vigie.review.export import export_csv
from vigie.series import Sample


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_stored_sample_is_exported_with_its_clock_series_and_labels(
    drilled: Drilled, tmp_path: Path
) -> None:
    store, exercise_id, t0 = drilled
    record = store.exercise(exercise_id)
    assert record is not None
    export_csv(store, record, tmp_path / "out")
    rows = read(tmp_path / "out" / "samples.csv")
    assert len(rows) == store.sample_count(exercise_id)
    alpha = [
        r
        for r in rows
        if r["series"] == "sessions_active" and json.loads(r["labels"]) == {"faculty": "alpha"}
    ]
    stored = store.history(exercise_id, "sessions_active")[(("faculty", "alpha"),)]
    assert [(float(r["exercise_s"]), float(r["value"])) for r in alpha] == [
        (p.at - t0, p.value) for p in stored
    ]
    assert alpha[60]["clock"] == "T+01:01" and alpha[60]["exercise_s"] == "61.0"


def test_alert_transitions_and_annotations_keep_their_text_whole(
    drilled: Drilled, tmp_path: Path
) -> None:
    store, exercise_id, t0 = drilled
    awkward = 'gw refuses, "again";\nsecond line, =SUM(A1)'
    store.add_annotation(exercise_id, t0 + 210, "note", "Marc", awkward)
    store.add_annotation(exercise_id, t0 + 150, "decision", "Claire", "hold: gw", wave=2)
    record = store.exercise(exercise_id)
    assert record is not None
    export_csv(store, record, tmp_path)
    alerts = read(tmp_path / "alerts.csv")
    assert len(alerts) == len(store.alerts.transitions(exercise_id))
    assert {"firing", "resolved"} <= {a["state"] for a in alerts}
    note, decision = read(tmp_path / "annotations.csv")
    assert (note["clock"], note["kind"], note["text"]) == ("T+03:30", "note", awkward)
    assert (decision["kind"], decision["wave"], decision["text"]) == ("decision", "2", "hold: gw")


def test_a_text_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(
    drilled: Drilled, tmp_path: Path
) -> None:
    store, exercise_id, t0 = drilled
    for text in ('=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)"):
        store.add_annotation(exercise_id, t0 + 60, "note", "Marc", text)
    store.add_annotation(exercise_id, t0 + 61, "note", "=cmd|' /C calc'!A0", "plain")
    store.write_cycle(exercise_id, [Sample("clock_skew_seconds", (), t0 + 1, -3.5)])
    record = store.exercise(exercise_id)
    assert record is not None
    export_csv(store, record, tmp_path)
    *notes, signed = read(tmp_path / "annotations.csv")
    assert [n["text"] for n in notes] == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
    ]
    assert (signed["author"], signed["text"]) == ("'=cmd|' /C calc'!A0", "plain")
    (skew,) = [r for r in read(tmp_path / "samples.csv") if r["series"] == "clock_skew_seconds"]
    assert skew["value"] == "-3.5"  # a number is written as it is
