"""The incident timeline: the ordered facts of a stored exercise, on the exercise clock."""

from __future__ import annotations

import pytest

from tests.conftest import Drilled
from vigie.dashboard.history import highest_per_bucket
from vigie.i18n import texts
from vigie.plan import Plan
from vigie.review.charts import report_charts
from vigie.review.timeline import (
    DecisionTaken,
    ExerciseStopped,
    FacultyConnected,
    LimitBreached,
    NoteWritten,
    PeakSessions,
    Timeline,
    WaveCompleted,
    WaveStarted,
    build_timeline,
)
from vigie.store import Point


@pytest.fixture(scope="module")
def seed_timeline(seed_drilled: Drilled, seed_plan: Plan) -> Timeline:
    store, exercise_id, _ = seed_drilled
    return build_timeline(store, exercise_id, seed_plan)


def test_seed_timeline_states_the_wave_4_breach_of_waf_1_just_past_8000_sessions(
    seed_timeline: Timeline,
) -> None:
    (breach,) = [f for f in seed_timeline.facts if isinstance(f, LimitBreached)]
    assert breach.breach.server == "waf-1"
    assert breach.at_s == 24 * 60 + 54  # T+24:54
    assert breach.breach.active_sessions == 8001
    assert breach.breach.connections == 16002 and breach.breach.limit == 16000
    opened_before = [
        f.wave.wave
        for f in seed_timeline.facts
        if isinstance(f, WaveStarted) and f.at_s <= breach.at_s
    ]
    assert opened_before[-1] == 4  # in wave 4


def test_seed_timeline_names_the_wave_gate_as_first_warning_and_every_other_lead_time(
    seed_timeline: Timeline,
) -> None:
    (breach,) = [f for f in seed_timeline.facts if isinstance(f, LimitBreached)]
    first, *others = breach.warnings
    assert (first.rule, first.subject) == ("wave_gate", "wave-4")
    # The gate forecasts from T+0 that wave 4 will not fit: 24 min 54 s before the breach.
    assert first.fired_at_s == 0
    assert first.lead_time_s == breach.at_s == 24 * 60 + 54
    leads = {a.rule: a.lead_time_s for a in others}
    assert set(leads) == {"headroom", "time_to_limit"}
    assert first.lead_time_s is not None
    assert all(lead is not None and 0 < lead < first.lead_time_s for lead in leads.values())
    assert leads["time_to_limit"] == pytest.approx(17, abs=5)


def test_seed_timeline_gives_the_peak_then_the_stop_at_minute_37_last(
    seed_timeline: Timeline,
) -> None:
    (peak,) = [f for f in seed_timeline.facts if isinstance(f, PeakSessions)]
    assert (peak.active_sessions, peak.at_s, peak.expected) == (8001, 1494, 9800)
    assert seed_timeline.facts[-1] == ExerciseStopped(37 * 60)


def test_every_fact_carries_its_offset_and_the_facts_are_in_order(
    seed_timeline: Timeline,
) -> None:
    offsets = [f.at_s for f in seed_timeline.facts]
    assert offsets == sorted(offsets)
    assert offsets[0] >= 0 and offsets[-1] == seed_timeline.end_s == 37 * 60


def test_waves_complete_at_95_percent_and_wave_4_never_does(seed_timeline: Timeline) -> None:
    completed = {f.wave.wave: f for f in seed_timeline.facts if isinstance(f, WaveCompleted)}
    assert [completed[n].wave.completed_at_s is not None for n in (1, 2, 3, 4)] == [
        True,
        True,
        True,
        False,
    ]
    assert completed[4].at_s == 37 * 60  # a "never" is placed at the end of the record
    wave_1 = completed[1].wave
    assert wave_1.completed_at_s is not None and 0 < wave_1.completed_at_s < 8 * 60


def test_faculty_time_to_90_percent_counts_from_its_waves_planned_start(
    drilled: Drilled, small_plan: Plan
) -> None:
    store, exercise_id, t0 = drilled
    timeline = build_timeline(store, exercise_id, small_plan)
    faculties = {f.faculty.faculty: f for f in timeline.facts if isinstance(f, FacultyConnected)}
    history = store.history(exercise_id, "sessions_active")
    alpha_points = history[(("faculty", "alpha"),)]
    reached = next(p.at - t0 for p in alpha_points if p.value >= 0.9 * 120)
    alpha = faculties["alpha"].faculty
    assert alpha.connected_at_s == reached == faculties["alpha"].at_s
    assert alpha.time_to_connect_s == reached  # wave 1 opens at T+0
    gamma = faculties["gamma"].faculty  # wave 2, throttled by the gateway
    assert gamma.wave_start_s == 180
    assert gamma.time_to_connect_s is None and gamma.connected_peak < 90
    assert faculties["gamma"].at_s == timeline.end_s


def test_decisions_and_notes_are_placed_on_the_exercise_clock_with_their_wave(
    drilled: Drilled, small_plan: Plan
) -> None:
    store, exercise_id, t0 = drilled
    store.add_annotation(exercise_id, t0 + 150, "decision", "Claire", "hold: gw at 90%", wave=2)
    store.add_annotation(exercise_id, t0 + 170, "decision", "Claire", "go", wave=2)
    store.add_annotation(exercise_id, t0 + 210, "note", "Marc", "gw refuses: call the host")
    timeline = build_timeline(store, exercise_id, small_plan)
    decisions = [f for f in timeline.facts if isinstance(f, DecisionTaken)]
    assert decisions == [
        DecisionTaken(150, 2, "hold", "gw at 90%", "Claire"),
        DecisionTaken(170, 2, "go", "", "Claire"),
    ]
    (note,) = [f for f in timeline.facts if isinstance(f, NoteWritten)]
    assert note == NoteWritten(210, "Marc", "gw refuses: call the host")
    order = [type(f) for f in timeline.facts if 150 <= f.at_s <= 210]
    assert order.index(DecisionTaken) < order.index(WaveStarted) < order.index(NoteWritten)


def test_an_exercise_not_in_the_store_is_a_lookup_error(drilled: Drilled, small_plan: Plan) -> None:
    store, _, _ = drilled
    with pytest.raises(LookupError, match="exercise 999"):
        build_timeline(store, 999, small_plan)


def test_the_report_chart_and_the_review_line_draw_the_exact_peak_the_timeline_states(
    seed_drilled: Drilled, seed_timeline: Timeline
) -> None:
    store = seed_drilled[0]
    sessions, _ = report_charts(store, seed_timeline, texts("en"))
    (total,) = [trace for trace in sessions["data"] if trace.get("name") == "Total"]
    assert max(total["y"]) == seed_timeline.summary.peak_active_sessions == 8001
    record = seed_timeline.record
    drawn = highest_per_bucket(seed_timeline.sessions.total, record.t0, record.t0 + 2220, 100)
    assert len(drawn) <= 100
    assert max(p.value for p in drawn) == 8001


def test_highest_per_bucket_keeps_each_span_s_highest_sample_at_its_own_instant() -> None:
    points = [Point(float(s), v) for s, v in enumerate([1, 7, 3, 2, 9, 4, 4, 1, 5])]
    assert highest_per_bucket(points, 0.0, 8.0, 4) == [  # spans of 2 s, the end in the last
        Point(1.0, 7),
        Point(2.0, 3),
        Point(4.0, 9),
        Point(8.0, 5),
    ]
    assert highest_per_bucket([], 0.0, 8.0, 4) == []
