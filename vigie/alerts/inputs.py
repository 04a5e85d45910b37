"""Everything a rule may read: the plan, the instant, and the recent series.

One instance serves one evaluation; what several rules read (sessions, started
waves) is computed on first use and kept for the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from vigie.alerts.window import SeriesWindow
from vigie.capacity import Rates
from vigie.capacity.live_limits import LiveLimit
from vigie.plan.model import Plan
from vigie.store import Point

# Sites whose sessions may be stale, as a share of the students, for the national
# sum to stand: well under the wave gate's margin, so a projection moves by less.
QUIET_SHARE = 0.02


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
    # Connections per typical student once measured, kept for when they cannot be.
    ratios: Mapping[str, float] = field(default_factory=dict)
    # Wave number -> exercise second it was actually launched (alerts/launches.py).
    launches: Mapping[int, float] = field(default_factory=dict)
    # The limits servers' software says (vigie/capacity/live_limits.py): `plan` has
    # them in force already; these say where each came from, and what the plan said.
    live_limits: tuple[LiveLimit, ...] = ()
    # When the engine judging now first judged (its start, restart or takeover): a
    # gap before it is the collector's, not the sources', and gets a grace.
    judging_since: float | None = None

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
    def quiet_sites(self) -> tuple[str, ...]:
        """Faculties whose latest sessions are stale, in the plan's order of the window."""
        return tuple(f for f, p in self.sessions_by_faculty.items() if not self.fresh(p))

    @cached_property
    def total_sessions(self) -> float | None:
        """Active sessions now, or None when that signal is missing, or stale for
        more than QUIET_SHARE of the students: at 3,000 sites a few are always quiet
        (named, blind, on the wall) and their last values barely move the sum."""
        latest = self.sessions_by_faculty
        if not latest:
            return None
        if self.quiet_sites:
            quiet = sum(self.plan.expected_of(f) for f in self.quiet_sites)
            if quiet > QUIET_SHARE * self.plan.total_expected:
                return None
        return sum(p.value for p in latest.values())

    @cached_property
    def started_waves(self) -> list[int]:
        """Waves launched by now, in wave order (not the plan's times: the room's)."""
        return [
            w.number
            for w in self.plan.waves_in_order
            if self.launches.get(w.number, float("inf")) <= self.elapsed_s
        ]

    def launched_s(self, wave: int) -> float | None:
        at = self.launches.get(wave)
        return at if at is not None and at <= self.elapsed_s else None

    @cached_property
    def rates(self) -> Rates:
        """Connections per student and background load per server, once per evaluation."""
        from vigie.alerts.rates import capacity_rates  # it reads these inputs

        return capacity_rates(self)

    @cached_property
    def launched(self) -> dict[str, float]:
        """Students of launched waves by faculty (connected now, or still to come), once."""
        from vigie.alerts.rates import launched_demand  # it reads these inputs

        return launched_demand(self)

    @cached_property
    def expected_started(self) -> int:
        return sum(self.plan.expected_in_wave(n) for n in self.started_waves)
