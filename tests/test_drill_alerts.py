"""The alerts a drill raises, on the virtual clock: early on the seed, silent when it passes."""

from __future__ import annotations

import tomllib

import pytest
import tomli_w

from tests.conftest import Drilled, seed_data
from vigie.plan import Plan, plan_from_dict
from vigie.review.summary import ExerciseSummary, summarize
from vigie.run.drill import run_drill
from vigie.store import Store

CAPACITY_RULES = {"headroom", "time_to_limit", "wave_gate", "throttling"}


def drill(plan: Plan, store: Store) -> ExerciseSummary:
    run = run_drill(plan, tomli_w.dumps(plan.model_dump(mode="json", exclude_none=True)), store)
    return summarize(store, run.exercise_id, plan)


@pytest.fixture(scope="module")
def seed_summary(seed_module_copy: Drilled, seed_plan: Plan) -> ExerciseSummary:
    """The seed drill's summary: the session's one drill (run_drill stores the plan's
    text but runs the Plan it is given, here the same `seed_plan`)."""
    store, exercise_id, _ = seed_module_copy
    return summarize(store, exercise_id, seed_plan)


def test_wave_gate_says_hold_for_wave_4_before_wave_4_starts(seed_summary: ExerciseSummary) -> None:
    (hold,) = [a for a in seed_summary.alerts if a.rule == "wave_gate" and a.subject == "wave-4"]
    assert hold.severity == "critical"
    assert hold.fired_at_s < 24 * 60  # before wave 4 starts at T+24:00
    assert hold.message.startswith("Wave 4 (2,650 students) would take waf-1 to ")
    assert "HOLD. At most" in hold.message and "students fit; split the wave." in hold.message
    assert hold.lead_time_s is not None and hold.lead_time_s >= 5 * 60


def test_headroom_and_time_to_limit_fire_before_the_breach(seed_summary: ExerciseSummary) -> None:
    (breach,) = seed_summary.breaches
    for rule in ("headroom", "time_to_limit"):
        (alert,) = [a for a in seed_summary.alerts if a.rule == rule and a.subject == "waf-1"]
        assert alert.fired_at_s < breach.at_s
        assert alert.lead_time_s == breach.at_s - alert.fired_at_s


def test_throttling_names_the_2022_symptom(seed_summary: ExerciseSummary) -> None:
    (alert,) = [a for a in seed_summary.alerts if a.rule == "throttling"]
    assert alert.subject == "waf-1" and alert.severity == "critical"
    # It fires at the breach itself, before a refusal counter has moved, and names the throttle.
    assert alert.message.startswith("waf-1 has reached its limit: 16,002 of 16,000")
    assert "security layer is throttling" in alert.message
    assert alert.lead_time_s is None  # it follows the breach, it cannot warn of it


def test_the_collapse_is_not_blamed_on_the_faculties(seed_summary: ExerciseSummary) -> None:
    assert not [a for a in seed_summary.alerts if a.rule == "faculty_lag"]


def test_a_gateway_big_enough_gives_no_capacity_alert_at_all(sqlite_store: Store) -> None:
    data = seed_data()
    data["servers"][0]["connection_limit"] = 30000  # 9,800 x 2 = 19,600: 65% at the peak
    summary = drill(plan_from_dict(data), sqlite_store)
    assert summary.breaches == []
    assert [a for a in summary.alerts if a.rule in CAPACITY_RULES] == []


def test_a_slow_ramp_without_wave_steps_is_caught_by_time_to_limit(sqlite_store: Store) -> None:
    data = seed_data()
    data["waves"] = [{"number": 1, "start_min": 0}]
    for faculty in data["faculties"]:
        faculty["wave"] = 1
    data["simulation"]["connect_delay"] = {"distribution": "uniform", "max_s": 3600}
    data["simulation"]["stop_at_min"] = 60
    data["simulation"]["throttle"]["hold_min"] = 60
    plan = plan_from_dict(data)
    summary = drill(plan, sqlite_store)
    (breach,) = summary.breaches
    (alert,) = [a for a in summary.alerts if a.rule == "time_to_limit"]
    assert alert.fired_at_s < breach.at_s
    assert alert.lead_time_s is not None and alert.lead_time_s >= 5 * 60
    assert "reaches its limit in ~" in alert.message


def test_a_misspelt_metric_is_reported_not_taken_for_all_fine(sqlite_store: Store) -> None:
    from tests.conftest import SMALL_PLAN

    data = tomllib.loads(SMALL_PLAN.read_text(encoding="utf-8"))
    data["signals"][1]["metric"] = "exam_server_conections"  # typo: no series ever matches
    summary = drill(plan_from_dict(data), sqlite_store)
    (blind,) = [a for a in summary.alerts if a.rule == "blind"]
    assert blind.subject == "server_connections" and blind.severity == "warning"
    assert (
        blind.message == "server_connections has never had a value from platform: check its metric"
    )
    assert blind.fired_at_s <= 3
