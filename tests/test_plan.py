"""The exam plan: valid plans load, every kind of bad plan names its field and is rejected whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from tests.conftest import SEED_PLAN, SMALL_PLAN, seed_data
from tests.support.cli import run_vigie
from vigie.plan import Plan, PlanInvalid, load_plan, plan_from_dict


def errors_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(PlanInvalid) as caught:
        plan_from_dict(data)
    return [str(e) for e in caught.value.errors]


def test_seed_plan_describes_the_2022_load_test(seed_plan: Plan) -> None:
    assert len(seed_plan.faculties) == 35
    assert seed_plan.total_expected == 9800
    assert [w.number for w in seed_plan.waves_in_order] == [1, 2, 3, 4]
    first_three = sum(seed_plan.expected_in_wave(n) for n in (1, 2, 3))
    assert first_three > 7000
    gateway = seed_plan.server("waf-1")
    assert gateway.role.value == "gateway"
    assert seed_plan.simulation is not None and seed_plan.simulation.stop_at_min == 37


def test_seed_plan_has_plausible_faculty_sizes(seed_plan: Plan) -> None:
    sizes = {f.id: f.expected_students for f in seed_plan.faculties}
    largest = sorted(sizes, key=sizes.__getitem__, reverse=True)[:6]
    assert {"paris-cite", "sorbonne", "marseille", "lille"} <= set(largest)
    assert min(sizes.values()) < 150 < max(sizes.values()) < 700


def test_small_plan_is_valid_and_small(small_plan: Plan) -> None:
    assert small_plan.total_expected == 300
    assert len(small_plan.faculties) == 3


def test_faculty_in_an_undefined_wave_names_the_faculty_field() -> None:
    data = seed_data()
    data["faculties"][3]["wave"] = 5
    assert "faculties[3].wave: wave 5 is not defined" in errors_of(data)


def test_unknown_key_is_an_error_not_ignored() -> None:
    data = seed_data()
    data["servers"][0]["conection_limit"] = 100
    assert "servers[0].conection_limit: unknown key" in errors_of(data)


def test_unknown_top_level_section_is_an_error() -> None:
    data = seed_data()
    data["alerting"] = {"x": 1}
    assert "alerting: unknown key" in errors_of(data)


def test_total_students_must_match_the_faculties() -> None:
    data = seed_data()
    data["exercise"]["total_students"] = 10000
    assert errors_of(data) == [
        "exercise.total_students: is 10000 but the faculties' expected students sum to 9800"
    ]


def test_thresholds_must_be_ordered() -> None:
    data = seed_data()
    data["servers"][0]["thresholds"] = {"careful": 0.9, "warning": 0.8, "critical": 0.95}
    assert errors_of(data) == [
        "servers[0].thresholds: must be ordered careful < warning < critical, got 0.9 / 0.8 / 0.95"
    ]


@pytest.mark.parametrize("limit", [0, -5])
def test_connection_limit_must_be_positive(limit: int) -> None:
    data = seed_data()
    data["servers"][1]["connection_limit"] = limit
    assert errors_of(data) == [f"servers[1].connection_limit: must be positive, got {limit}"]


def test_missing_required_field_is_named() -> None:
    data = seed_data()
    del data["faculties"][0]["expected_students"]
    assert errors_of(data) == ["faculties[0].expected_students: is required"]


def test_every_error_is_reported_at_once() -> None:
    data = seed_data()
    data["faculties"][0]["wave"] = 9
    data["faculties"][1]["wave"] = 7
    data["exercise"]["total_students"] = 1
    errors = errors_of(data)
    assert "faculties[0].wave: wave 9 is not defined" in errors
    assert "faculties[1].wave: wave 7 is not defined" in errors
    assert any(e.startswith("exercise.total_students:") for e in errors)


def test_duplicate_faculty_id_is_an_error() -> None:
    data = seed_data()
    data["faculties"][5]["id"] = data["faculties"][0]["id"]
    assert "faculties[5].id: duplicate id 'paris-cite'" in errors_of(data)


def test_signal_needs_exactly_one_origin() -> None:
    data = seed_data()
    data["signals"][0]["query"] = "sum(exam_sessions_active)"
    assert errors_of(data) == [
        "signals[0]: give exactly one of `query` (PromQL) or `metric` (/metrics name)"
    ]


def test_prometheus_source_signal_needs_promql() -> None:
    data = seed_data()
    data["sources"][0]["kind"] = "prometheus"
    errors = errors_of(data)
    assert "signals[0].query: source 'platform' is Prometheus: give a PromQL query" in errors


def test_signal_from_an_undefined_source() -> None:
    data = seed_data()
    data["signals"][2]["source"] = "nowhere"
    assert errors_of(data) == ["signals[2].source: source 'nowhere' is not defined"]


def test_simulation_refers_to_defined_servers() -> None:
    data = seed_data()
    data["simulation"]["throttle"]["server"] = "waf-9"
    assert errors_of(data) == ["simulation.throttle.server: server 'waf-9' is not defined"]


def test_waves_must_start_in_order() -> None:
    data = seed_data()
    data["waves"][2]["start_min"] = 4
    assert "waves[2].start_min: wave 3 starts at 4 min, not after the wave before it" in errors_of(
        data
    )


def test_bad_toml_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[exercise]\nid = "x\n', encoding="utf-8")
    with pytest.raises(PlanInvalid) as caught:
        load_plan(bad)
    (error,) = caught.value.errors
    assert error.path == "<toml>" and "line 2" in error.message


def test_missing_file_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(PlanInvalid) as caught:
        load_plan(tmp_path / "nope.toml")
    assert caught.value.errors[0].path == "<file>"


def test_check_accepts_the_shipped_plans() -> None:
    for plan in (SEED_PLAN, SMALL_PLAN, SEED_PLAN.with_name("prometheus-example.toml")):
        result = run_vigie("check", str(plan))
        assert result.returncode == 0, result.stderr
        assert "valid plan" in result.stdout


def test_check_runs_the_pre_flight_and_strict_exits_3_when_a_limit_cannot_hold(
    tmp_path: Path,
) -> None:
    result = run_vigie("check", str(SEED_PLAN))
    assert result.returncode == 0, result.stderr  # a warning, not an invalid plan
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.lstrip().startswith("after wave"))
    assert header.split() == ["after", "wave", "students", "limit", "connections", "level", "load"]
    # After wave 4, 9,800 students x 2 = 19,600 on waf-1 (123% of 16,000); 7,999 x 2 = 15,998
    # is the most that stays strictly below the limit.
    row = next(line for line in lines if line.split()[:3] == ["4", "9,800", "waf-1"])
    assert row.split()[3:] == ["19,600", "16,000", "123%", "<-", "cannot", "hold"]
    assert (
        "WARNING: after wave 4, 9,800 students x 2 = 19,600 connections on waf-1, "
        "limit 16,000: at most 7,999 students at once"
    ) in lines
    assert "Every limit holds the whole roster." not in lines
    strict = run_vigie("check", "--strict", str(SEED_PLAN))
    assert strict.returncode == 3
    assert strict.stderr.splitlines()[-1] == f"vigie: {SEED_PLAN}: a limit cannot hold (--strict)"

    data = seed_data()
    data["servers"][0]["connection_limit"] = 30000  # 19,600: 65% at the peak
    roomy = tmp_path / "roomy.toml"
    roomy.write_text(tomli_w.dumps(data), encoding="utf-8")
    fine = run_vigie("check", "--strict", str(roomy))
    assert fine.returncode == 0, fine.stderr
    assert fine.stdout.splitlines()[-1] == "Every limit holds the whole roster."
    assert "WARNING" not in fine.stdout
    # The 2022 start is warned about, and is no reason for --strict to fail.
    assert "exercise.starts_at is 2022-01-21 14:00+01:00" in fine.stderr


def test_check_warns_on_stderr_about_a_start_years_away_and_still_exits_0() -> None:
    result = run_vigie("check", str(SEED_PLAN))
    assert result.returncode == 0
    warning, fix = result.stderr.splitlines()
    assert warning.startswith("vigie: warning: exercise.starts_at is 2022-01-21 14:00+01:00, 4 y")
    assert "the screens would show T+" in warning and "--starts-at now" in fix
    moved = run_vigie("check", "--starts-at", "now", str(SEED_PLAN))
    assert moved.returncode == 0 and moved.stderr == ""
    start = datetime.fromisoformat(moved.stdout.splitlines()[2].removeprefix("  T+0 at "))
    assert abs(start - datetime.now(UTC)) < timedelta(minutes=2)
    assert start.utcoffset() == timedelta(hours=1)  # the plan's offset, kept


def test_check_refuses_a_start_without_an_offset_in_one_line_with_exit_2() -> None:
    result = run_vigie("check", "--starts-at", "2026-12-01T14:00", str(SEED_PLAN))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "vigie: --starts-at '2026-12-01T14:00' has no UTC offset: "
        "write it as 2026-12-01T14:00+01:00 (or Z for UTC), or give `now`"
    ]


def test_check_prints_one_line_per_error_and_exits_2(tmp_path: Path) -> None:
    text = SEED_PLAN.read_text(encoding="utf-8")
    text = text.replace("wave = 4\n", "wave = 5\n", 1).replace(
        "total_students = 9800", "total_students = 1"
    )
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    result = run_vigie("check", str(bad))
    assert result.returncode == 2
    lines = sorted(result.stderr.strip().splitlines())
    assert len(lines) == 2
    # Every line names the file first (PlanInvalid.lines()).
    assert lines[0].startswith(f"{bad}: exercise.total_students: is 1 but")
    assert lines[1] == f"{bad}: faculties[24].wave: wave 5 is not defined"
    assert "Traceback" not in result.stderr
