"""Students -> connections, against every limit (FORESIGHT.md, "The projection").

    peak(L) = base(L) + sum over the faculties f that L counts of
              students(f) x share(f, L) x cps(f, L) x (1 + margin)

cps(f, L) is the server's connections per typical student (the plan's estimate,
or measured above its background load) times the faculty's own factor. The
students of the gated wave that fit under L are found by adding the wave in
proportion across its faculties; the wave's verdict takes the fewest over every
limit, which is not always the fullest one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from vigie.capacity.limits import CapacityModel, Limit


@dataclass(frozen=True)
class Demand:
    """Students to project, by faculty."""

    before: Mapping[str, float]  # counted before the wave: connected now + still to come
    wave: Mapping[str, float]  # the gated wave's students

    @property
    def wave_total(self) -> float:
        return sum(self.wave.values())


@dataclass(frozen=True)
class Rates:
    per_student: Mapping[str, float]  # server -> connections per typical student
    measured: Mapping[str, bool]  # server -> measured on connected students, or planned
    base: Mapping[str, float]  # server -> background connections


@dataclass(frozen=True)
class LimitProjection:
    limit: Limit
    base: float  # the background load it carries
    before: float  # connections without the wave
    peak: float  # connections once the wave is in
    ratio: float  # connections per typical student on its server
    measured: bool
    fit: int  # students of the whole wave that fit before this limit is reached
    counted: float  # students (before and wave) this limit counts
    wave_counted: float  # of the wave's students, those this limit counts
    counted_fit: int  # of those, how many fit

    @property
    def share(self) -> float:
        return self.peak / self.limit.level

    @property
    def holds(self) -> bool:
        """Reaching the level is refusing: exactly 100% does not hold."""
        return self.peak < self.limit.level


def project(
    model: CapacityModel,
    demand: Demand,
    rates: Rates,
    margin: float,
    limits: Iterable[Limit] | None = None,
) -> list[LimitProjection]:
    """One projection per limit (all the model's, or `limits`) whose server has a rate."""
    projections = []
    for limit in model.limits if limits is None else limits:
        ratio = rates.per_student.get(limit.server)
        if ratio is None:
            continue
        projections.append(_project_one(model, limit, demand, rates, ratio * (1 + margin)))
    return projections


def _project_one(
    model: CapacityModel, limit: Limit, demand: Demand, rates: Rates, per_student: float
) -> LimitProjection:
    base = rates.base.get(limit.server, 0.0) if limit.background else 0.0
    before = wave = counted_before = counted_wave = 0.0
    for faculty, share in limit.counts:
        connections_each = model.factors.get(faculty, 1.0) * per_student
        students_before = demand.before.get(faculty, 0.0) * share
        students_wave = demand.wave.get(faculty, 0.0) * share
        before += students_before * connections_each
        wave += students_wave * connections_each
        counted_before += students_before
        counted_wave += students_wave
    room = limit.level - base - before
    return LimitProjection(
        limit=limit,
        base=base,
        before=base + before,
        peak=base + before + wave,
        ratio=rates.per_student[limit.server],
        measured=rates.measured.get(limit.server, False),
        fit=_fit(room, wave, demand.wave_total),
        counted=counted_before + counted_wave,
        wave_counted=counted_wave,
        counted_fit=_fit(room, wave, counted_wave),
    )


def _fit(room: float, connections: float, students: float) -> int:
    """How many of `students`, bringing `connections` in all, stay strictly below `room`."""
    whole = math.floor(students + 1e-9)
    if room <= 0:
        return 0
    if connections <= 0:
        return whole
    per_student = connections / students
    return max(0, min(whole, math.ceil(room / per_student - 1e-9) - 1))


def binding(projections: list[LimitProjection]) -> LimitProjection | None:
    """The limit that binds first: the fewest of the wave's students fit under it.
    Among equals (none of the wave fits under several), the fullest."""
    if not projections:
        return None
    return min(projections, key=lambda p: (p.fit, p.holds, -p.share))
