"""The timeline's facts as sentences, in English and in French."""

from __future__ import annotations

from tests.conftest import Drilled
from vigie.i18n import texts
from vigie.plan import Plan
from vigie.review.timeline import (
    DecisionTaken,
    FacultyConnected,
    LimitBreached,
    build_timeline,
)
from vigie.review.wording import Wording


def test_the_breach_names_the_server_the_numbers_and_who_warned_first(
    seed_drilled: Drilled, seed_plan: Plan
) -> None:
    store, exercise_id, _ = seed_drilled
    timeline = build_timeline(store, exercise_id, seed_plan)
    (breach,) = [f for f in timeline.facts if isinstance(f, LimitBreached)]
    english = Wording(texts("en"), seed_plan, None, 0.0).fact(breach)
    assert english.startswith(
        "LIMIT BREACHED: waf-1 at 16,002 connections, over its limit of 16,000, "
        "with 8,001 active sessions. First warned by wave_gate on wave-4 at T+00:00, "
        "24 min 54 s ahead. Then: headroom "
    )
    assert "time_to_limit 17 s ahead" in english
    french = Wording(texts("fr"), seed_plan, None, 0.0).fact(breach)
    assert french.startswith("LIMITE DÉPASSÉE : waf-1 à 16\u202f002 connexions")
    assert "Première alerte : wave_gate sur wave-4 à T+00:00, 24 min 54 s avant." in french


def test_a_faculty_that_never_connected_90_percent_says_so_with_its_peak(
    drilled: Drilled, small_plan: Plan
) -> None:
    store, exercise_id, _ = drilled
    timeline = build_timeline(store, exercise_id, small_plan)
    said = {
        f.faculty.faculty: Wording(texts("en"), small_plan, None, 0.0).fact(f)
        for f in timeline.facts
        if isinstance(f, FacultyConnected)
    }
    assert said["gamma"].startswith("Faculté Gamma never connected 90% of its 100 students")
    assert said["alpha"].startswith("Faculté Alpha connected 90% of its 120 students, ")
    assert said["alpha"].endswith(" after its wave opened")


def test_a_decision_reads_with_its_choice_in_the_language_and_its_comment_as_written(
    small_plan: Plan,
) -> None:
    decision = DecisionTaken(150, 2, "hold", "gw at 90%", "Claire")
    assert Wording(texts("en"), small_plan, None, 0.0).fact(decision) == (
        "Decision on wave 2: HOLD, by Claire — gw at 90%"
    )
    assert (
        Wording(texts("fr"), small_plan, None, 0.0)
        .fact(decision)
        .startswith("Décision sur la vague 2 : NE PAS LANCER, par Claire")
    )
