"""The plan a rehearsal plays and stores: the real one at a fraction of its students."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vigie.capacity.kinds.per_source import KIND as PER_SOURCE
from vigie.capacity.limits import capacity_model
from vigie.plan import Plan, parse_plan
from vigie.rehearse.scaled import plan_text, rehearsal_plan
from vigie.rehearse.schedule import loopback_addresses

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize("scale", [0.01, 0.05, 0.5, 1.0])
def test_the_stored_text_reads_back_as_the_plan_rehearsed(seed_plan: Plan, scale: float) -> None:
    rehearsed = rehearsal_plan(seed_plan, scale, loopback_addresses(seed_plan), NOW)
    assert parse_plan(plan_text(rehearsed)) == rehearsed
    assert rehearsed.exercise.starts_at == NOW
    assert rehearsed.exercise.total_students == rehearsed.total_expected
    assert all(f.expected_students >= 1 for f in rehearsed.faculties)
    assert [s.connection_limit for s in rehearsed.servers] == [
        s.connection_limit for s in seed_plan.servers
    ]  # limits are the platform's, never scaled


def test_refusal_counts_scale_with_the_students_and_fractions_stay(seed_plan: Plan) -> None:
    rehearsed = rehearsal_plan(seed_plan, 0.05, None, NOW)
    assert rehearsed.alerts.throttling.min_refused == 1.0  # 20 at full size
    assert rehearsed.alerts.throttling.high_fraction == seed_plan.alerts.throttling.high_fraction
    assert rehearsed.alerts.wave_gate == seed_plan.alerts.wave_gate


def test_on_loopback_per_source_limits_group_faculties_as_their_real_addresses_do(
    small_plan: Plan,
) -> None:
    plan = small_plan.model_copy(
        update={
            "servers": tuple(
                s.model_copy(update={"per_source_limit": 50}) for s in small_plan.servers
            ),
            "faculties": tuple(
                f.model_copy(update={"egress_ips": ("192.0.2.10",)}) if f.id != "alpha" else f
                for f in small_plan.faculties
            ),
        }
    )
    rehearsed = rehearsal_plan(plan, 0.5, loopback_addresses(plan), NOW)

    def groups(p: Plan) -> set[tuple[str, ...]]:
        return {
            limit.faculties
            for limit in capacity_model(p).limits
            if limit.kind is PER_SOURCE and limit.server == "gw"
        }

    assert groups(rehearsed) == groups(plan) == {("alpha",), ("beta", "gamma")}
    addresses = {str(a) for f in rehearsed.faculties for a in f.egress_ips}
    assert all(a.startswith("127.0.") and a != "127.0.0.1" for a in addresses)
