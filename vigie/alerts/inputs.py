"""Everything a rule may read: the plan, the instant, and the recent series.

One instance serves one evaluation; what several rules read (sessions, started
waves) is computed on first use and kept for the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from vigie.alerts.window import SeriesWindow
from vigie.plan.model import Plan
from vigie.store import Point


@dataclass(frozen=True)
class RuleInputs:
    plan: Plan
    now: float
    t0: float
    window: SeriesWindow
    poll_interval_s: float
    # Each server's connections while no student was connected (health checks,
    # pools): measured ratios count only what students add on top of it.
    baselines: Mapping[str, float] = field(default_factory=dict)

    @property
    def elapsed_s(self) -> float:
        return self.now - self.t0

    @property
    def stale_after_s(self) -> float:
        return self.plan.alerts.blind.stale_intervals * self.poll_interval_s

    def fresh(self, point: Point | None) -> bool:
        return point is not None and self.now - point.at <= self.stale_after_s

    def connections(self, server: str) -> Point | None:
        return self.window.latest("server_connections", "server", server)

    @cached_property
    def sessions_by_faculty(self) -> dict[str, Point]:
        return {
            faculty: points[-1]
            for faculty, points in self.window.by_entity("sessions_active", "faculty").items()
        }

    @cached_property
    def total_sessions(self) -> float | None:
        """Active sessions now, or None when that signal is stale or missing."""
        latest = self.sessions_by_faculty
        if not latest or not all(self.fresh(p) for p in latest.values()):
            return None
        return sum(p.value for p in latest.values())

    @cached_property
    def started_waves(self) -> list[int]:
        return [w.number for w in self.plan.waves_in_order if w.start_min * 60 <= self.elapsed_s]

    @cached_property
    def expected_started(self) -> int:
        return sum(self.plan.expected_in_wave(n) for n in self.started_waves)
