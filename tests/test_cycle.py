"""A poll cycle: one failing source is marked down and never stops the others."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from vigie.collectors.cycle import read_collectors, run_cycle
from vigie.collectors.registry import CollectorRegistry, DuplicateCollector
from vigie.series import Sample
from vigie.store import Store


class Steady:
    def __init__(self, source: str, value: float) -> None:
        self._source = source
        self.value = value

    @property
    def name(self) -> str:
        return f"steady:{self._source}"

    @property
    def source(self) -> str:
        return self._source

    def collect(self, now: float) -> Sequence[Sample]:
        return [Sample("sessions_active", (("faculty", "lyon"),), now, self.value)]


class Broken:
    name = "broken"
    source = "prometheus"
    failing = True

    def collect(self, now: float) -> Sequence[Sample]:
        if self.failing:
            raise ConnectionError("connection refused\nmore detail")
        return []


def test_registry_refuses_two_collectors_for_one_source() -> None:
    registry = CollectorRegistry([Steady("platform", 1)])
    with pytest.raises(DuplicateCollector, match="platform"):
        registry.register(Steady("platform", 2))


def test_a_failing_collector_is_marked_down_and_the_others_still_report() -> None:
    result = read_collectors([Broken(), Steady("platform", 7)], now=100.0)
    assert result.failures == {"prometheus": "ConnectionError: connection refused"}
    values = {(s.name, s.labels): s.value for s in result.samples}
    assert values[("sessions_active", (("faculty", "lyon"),))] == 7
    assert values[("source_up", (("source", "prometheus"),))] == 0.0
    assert values[("source_up", (("source", "platform"),))] == 1.0


def test_health_counts_consecutive_failures_until_a_success(sqlite_store: Store) -> None:
    exercise = sqlite_store.create_exercise(
        plan_id="p", name="P", mode="live", plan_toml="", t0=0.0
    )
    prometheus = Broken()
    for now in (1.0, 2.0):
        run_cycle(sqlite_store, exercise, [prometheus], now)
    (health,) = sqlite_store.source_health(exercise)
    assert (health.source, health.up, health.consecutive_failures) == ("prometheus", False, 2)
    assert health.last_error == "ConnectionError: connection refused"
    assert health.last_error_at == 2.0 and health.last_success is None
    prometheus.failing = False
    run_cycle(sqlite_store, exercise, [prometheus], 3.0)
    (health,) = sqlite_store.source_health(exercise)
    assert health.up and health.last_success == 3.0 and health.consecutive_failures == 0
    assert health.last_error_at == 2.0  # the last error is kept for the post-mortem
