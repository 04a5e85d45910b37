"""`vigie report EXERCISE --db URL`: as a user runs it, including with bad input."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Drilled
from tests.support.cli import run_on_a_terminal, run_vigie
from tests.support.postgres import free_port


def test_report_writes_the_html_and_the_csv_files_in_the_plans_language(
    drilled: Drilled, tmp_path: Path
) -> None:
    _, exercise_id, _ = drilled
    out, folder = tmp_path / "r.html", tmp_path / "csv"
    db = str(tmp_path / "vigie.db")  # the drilled store's file
    result = run_vigie(
        "report", str(exercise_id), "--db", db, "--out", str(out), "--csv", str(folder)
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        "alerts.csv",
        "annotations.csv",
        "samples.csv",
    ]
    html = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Incident timeline" in html


def test_exporting_the_samples_draws_a_progress_bar_on_a_terminal(
    drilled: Drilled, tmp_path: Path
) -> None:
    _, exercise_id, _ = drilled
    db = str(tmp_path / "vigie.db")
    out, folder = tmp_path / "r.html", tmp_path / "csv"
    args = ("report", str(exercise_id), "--db", db, "--out", str(out), "--csv", str(folder))
    done, bar = run_on_a_terminal(*args)
    assert done.returncode == 0, done.stderr
    assert "Exporting samples" in bar and "100%" in bar
    quiet = run_vigie(*args)  # not a terminal (a log file): no bar
    assert quiet.returncode == 0 and "Exporting" not in quiet.stderr


def test_lang_fr_writes_the_report_in_french(drilled: Drilled, tmp_path: Path) -> None:
    _, exercise_id, _ = drilled
    out = tmp_path / "r.html"
    db = str(tmp_path / "vigie.db")
    result = run_vigie("report", str(exercise_id), "--db", db, "--out", str(out), "--lang", "fr")
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "Chronologie de l\u2019incident" in html and "LIMITE DÉPASSÉE : gw" in html


def test_an_unknown_exercise_is_one_line_and_exit_2(drilled: Drilled, tmp_path: Path) -> None:
    result = run_vigie("report", "999", "--db", str(tmp_path / "vigie.db"))
    assert result.returncode == 2
    assert result.stderr == "vigie: exercise 999 is not in the store\n"


def test_a_missing_store_file_is_not_created_and_exits_1(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.db"
    result = run_vigie("report", "1", "--db", str(missing))
    assert (result.returncode, result.stderr) == (1, f"vigie: no store at {missing}\n")
    assert not missing.exists()


def test_an_unreachable_store_is_one_line_and_exit_1() -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/vigie"
    result = run_vigie("report", "1", "--db", url)
    assert result.returncode == 1
    assert result.stderr.startswith("vigie: cannot open store") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_an_unwritable_output_is_one_line_and_exit_1(drilled: Drilled, tmp_path: Path) -> None:
    _, exercise_id, _ = drilled
    out = tmp_path / "no" / "such" / "dir" / "r.html"
    result = run_vigie(
        "report", str(exercise_id), "--db", str(tmp_path / "vigie.db"), "--out", str(out)
    )
    assert result.returncode == 1
    assert result.stderr == f"vigie: cannot write {out}: No such file or directory\n"
