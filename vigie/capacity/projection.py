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

from vigie.capacity.limit import Limit
from vigie.capacity.limits import CapacityModel


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


@dataclass(frozen=True, kw_only=True)
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
    # A whole-server limit counts every student: sum the demand once for all of them.
    everyone = (_sums(model, demand.before), _sums(model, demand.wave))
    for limit in model.limits if limits is None else limits:
        ratio = rates.per_student.get(limit.server)
        if ratio is None:
            continue
        sums = everyone if limit.kind.whole_server else _counted(model, limit, demand)
        projections.append(_project_one(limit, demand, rates, ratio * (1 + margin), sums))
    return projections


Sums = tuple[float, float]  # (students, students weighted by their faculty's factor)


def _sums(model: CapacityModel, students: Mapping[str, float]) -> Sums:
    factors = model.factors
    return (
        sum(students.values()),
        sum(n * factors.get(f, 1.0) for f, n in students.items()),
    )


def _counted(model: CapacityModel, limit: Limit, demand: Demand) -> tuple[Sums, Sums]:
    """The demand behind one address: only the faculties it counts, at their shares."""
    before = [0.0, 0.0]
    wave = [0.0, 0.0]
    for faculty, share in limit.counts:
        factor = model.factors.get(faculty, 1.0)
        b, w = demand.before.get(faculty, 0.0) * share, demand.wave.get(faculty, 0.0) * share
        before[0] += b
        before[1] += b * factor
        wave[0] += w
        wave[1] += w * factor
    return (before[0], before[1]), (wave[0], wave[1])


def _project_one(
    limit: Limit,
    demand: Demand,
    rates: Rates,
    per_student: float,
    sums: tuple[Sums, Sums],
) -> LimitProjection:
    base = rates.base.get(limit.server, 0.0) if limit.background else 0.0
    (counted_before, weighted_before), (counted_wave, weighted_wave) = sums
    before, wave = weighted_before * per_student, weighted_wave * per_student
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
