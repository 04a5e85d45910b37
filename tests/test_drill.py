"""`vigie drill`: a whole exercise through simulator, collection and store, on a virtual clock."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SEED_PLAN, SMALL_PLAN
from tests.support.cli import run_vigie
from tests.support.postgres import PostgresServer, free_port
from vigie.plan import Plan
from vigie.review.summary import summarize
from vigie.run.drill import run_drill
from vigie.store import Store, sqlite_url


def test_seed_drill_reports_the_wave_4_gateway_breach_and_the_stop() -> None:
    result = run_vigie("drill", str(SEED_PLAN), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    (breach,) = report["breaches"]
    assert breach["server"] == "waf-1"
    assert 8000 < breach["active_sessions"] <= 8100
    assert 24 * 60 < breach["at_s"] < 27 * 60  # during wave 4
    assert report["peak_active_sessions"] == breach["active_sessions"]
    waves = {w["wave"]: w for w in report["waves"]}
    assert [waves[n]["expected"] for n in (1, 2, 3, 4)] == [2460, 2460, 2230, 2650]
    assert sum(waves[n]["connected_peak"] for n in (1, 2, 3)) > 7000
    assert waves[4]["connected_peak"] < waves[4]["expected"]  # wave 4 never fully connected
    assert report["stopped_at_s"] == 37 * 60
    rules = {a["rule"] for a in report["alerts"]}
    assert {"wave_gate", "headroom", "time_to_limit", "throttling"} <= rules
    for alert in report["alerts"]:
        assert set(alert) >= {
            "rule",
            "subject",
            "severity",
            "fired_at_s",
            "resolved_at_s",
            "lead_time_s",
        }


def test_drill_with_db_keeps_the_exercise_for_the_pages(tmp_path: Path) -> None:
    db = tmp_path / "kept.db"
    result = run_vigie("drill", str(SMALL_PLAN), "--json", "--db", sqlite_url(db))
    assert result.returncode == 0, result.stderr
    exercise_id = json.loads(result.stdout)["exercise"]
    store = Store.open(sqlite_url(db))
    record = store.exercise(exercise_id)
    assert record is not None and record.mode == "drill" and record.plan_id == "small-drill"
    assert "[exercise]" in record.plan_toml
    assert store.sample_count(exercise_id) > 0
    store.close()


def test_human_summary_names_the_breach() -> None:
    result = run_vigie("drill", str(SMALL_PLAN))
    assert result.returncode == 0, result.stderr
    assert "BREACH gw at T+03:" in result.stdout
    assert "Exercise stopped at T+10:00" in result.stdout
    assert (
        "  T+00:00 CRITICAL wave_gate/wave-2 (resolved at the stop, T+10:00, 03:" in result.stdout
    )


def test_drill_on_postgres_gives_the_same_outcome_as_on_sqlite(
    small_plan: Plan, postgres: PostgresServer, tmp_path: Path
) -> None:
    text = SMALL_PLAN.read_text(encoding="utf-8")
    outcomes = []
    for url in (sqlite_url(tmp_path / "a.db"), postgres.new_database_url()):
        store = Store.open(url)
        run = run_drill(small_plan, text, store)
        summary = summarize(store, run.exercise_id, small_plan).as_json()
        outcomes.append({k: v for k, v in summary.items() if k != "exercise"})
        store.close()
    assert outcomes[0] == outcomes[1]


def test_malformed_plan_starts_nothing_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(SMALL_PLAN.read_text(encoding="utf-8").replace("wave = 2", "wave = 3"))
    db = tmp_path / "never.db"
    result = run_vigie("drill", str(bad), "--db", sqlite_url(db))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"{bad}: faculties[2].wave: wave 3 is not defined",
        f"{bad}: waves[1]: wave 2 has no faculty",
    ]
    assert not db.exists()


def test_unreachable_store_fails_at_start_with_one_clear_line() -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/vigie"
    result = run_vigie("drill", str(SMALL_PLAN), "--db", url)
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("vigie: cannot open store postgresql+psycopg://postgres@127.0.0.1:")
