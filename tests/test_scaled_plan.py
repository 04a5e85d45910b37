"""Seed-shaped plans of any size: the same outcome on paper as the seed, at every size."""

from __future__ import annotations

import pytest

from vigie.capacity.preflight import preflight
from vigie.plan import Plan
from vigie.plan.checks import cross_check
from vigie.plan.scaled import scaled_plan


def first_break(plan: Plan) -> tuple[int, str] | None:
    """The first wave (and server) the pre-flight says cannot hold."""
    broken = [(row.wave, row.projection.limit.server) for row in preflight(plan) if not row.holds]
    return min(broken) if broken else None


@pytest.mark.parametrize("sites", [36, 350, 1_000, 3_000])
def test_a_scaled_plan_breaks_where_the_seed_breaks(seed_plan: Plan, sites: int) -> None:
    plan = scaled_plan(seed_plan, sites)
    assert len(plan.faculties) == sites
    assert len({f.id for f in plan.faculties}) == sites
    assert first_break(plan) == first_break(seed_plan) == (4, "waf-1")
    assert cross_check(plan) == []


def test_each_site_keeps_its_models_wave_size_and_region(seed_plan: Plan) -> None:
    plan = scaled_plan(seed_plan, 3_000)
    models = {f.id: f for f in seed_plan.faculties}
    copy = plan.faculty("lille-12")
    assert (copy.wave, copy.expected_students, copy.region) == (
        models["lille"].wave,
        models["lille"].expected_students,
        "Hauts-de-France",
    )
    # 85 whole copies of the seed's 35 faculties, then its first 25 once more.
    first_25 = sum(f.expected_students for f in seed_plan.faculties[:25])
    assert plan.total_expected == 85 * seed_plan.total_expected + first_25


def test_the_seed_size_is_the_seed(seed_plan: Plan) -> None:
    assert scaled_plan(seed_plan, len(seed_plan.faculties)) is seed_plan
    with pytest.raises(ValueError, match="at least one site"):
        scaled_plan(seed_plan, 0)
