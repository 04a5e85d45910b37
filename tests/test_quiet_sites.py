"""A few quiet sites among thousands: the national sum stands on the others' numbers,
up to QUIET_SHARE of the students; past it, it is unknown (stale), as before."""

from __future__ import annotations

from vigie.alerts.inputs import QUIET_SHARE, RuleInputs
from vigie.alerts.window import SeriesWindow
from vigie.plan import Plan
from vigie.plan.scaled import scaled_plan
from vigie.series import Sample

NOW = 1_000.0


def inputs_with_quiet(plan: Plan, quiet: set[str]) -> RuleInputs:
    """Every site connected; the `quiet` ones last heard of a minute ago."""
    window = SeriesWindow()
    window.observe(
        Sample(
            "sessions_active",
            (("faculty", f.id),),
            NOW - 60 if f.id in quiet else NOW,
            float(f.expected_students),
        )
        for f in plan.faculties
    )
    return RuleInputs(plan, NOW, 0.0, window, 1.0)


def quiet_up_to(plan: Plan, share: float) -> set[str]:
    """Sites, smallest first, holding together at most `share` of the students."""
    chosen, students = set(), 0
    for f in sorted(plan.faculties, key=lambda f: f.expected_students):
        if students + f.expected_students > share * plan.total_expected:
            break
        chosen.add(f.id)
        students += f.expected_students
    return chosen


def test_a_few_quiet_sites_leave_the_sum_standing(seed_plan: Plan) -> None:
    plan = scaled_plan(seed_plan, 1_000)
    quiet = quiet_up_to(plan, QUIET_SHARE)
    assert len(quiet) >= 5
    judged = inputs_with_quiet(plan, quiet)
    assert set(judged.quiet_sites) == quiet
    assert judged.total_sessions == plan.total_expected  # their last values count


def test_past_the_share_the_sum_is_unknown(seed_plan: Plan) -> None:
    plan = scaled_plan(seed_plan, 1_000)
    quiet = quiet_up_to(plan, 2 * QUIET_SHARE)
    assert inputs_with_quiet(plan, quiet).total_sessions is None


def test_one_quiet_faculty_of_the_seed_is_already_too_many(seed_plan: Plan) -> None:
    """At 35 faculties, the largest is 6.5 % of the students: the sum is unknown."""
    assert inputs_with_quiet(seed_plan, {"paris-cite"}).total_sessions is None
