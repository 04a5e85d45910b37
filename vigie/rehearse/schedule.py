"""Who comes to a rehearsal: a plan scaled down to virtual students, each with a
loopback source address, a delay after its wave's launch and a number of connections.

Pure and deterministic for a seed; the draws are the simulator's own, so a rehearsal
and a simulation of the same plan tell the same story.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from vigie.plan.model import ConnectionsPerStudent, Plan, Simulation
from vigie.simulator.students import draw_connect_delay, draw_connections, faculty_connections

MAX_VIRTUAL_STUDENTS = 5_000  # what one 2-core machine plays; more needs Locust workers
DEFAULT_CONNECTIONS = 2
_PER_BLOCK = 254  # 127.0.N.1 .. 127.0.N.254
_BLOCKS = 255  # 127.0.1.x .. 127.0.255.x


@dataclass(frozen=True, slots=True)
class Arrival:
    student: str  # "lille-0001"
    faculty: str
    address: str  # the loopback address its connections come from
    wave: int
    delay_s: float  # after its wave's launch
    connections: int


def loopback_address(index: int) -> str:
    """The index-th rehearsal address: 127.0.1.1 upward, never 127.0.0.1.

    Raises ValueError past the 64,770 addresses of 127.0.1.0-127.0.255.255."""
    if not 0 <= index < _PER_BLOCK * _BLOCKS:
        raise ValueError(f"no loopback address #{index}: at most {_PER_BLOCK * _BLOCKS}")
    block, host = divmod(index, _PER_BLOCK)
    return f"127.0.{block + 1}.{host + 1}"


def loopback_addresses(plan: Plan) -> dict[str, tuple[str, ...]]:
    """Faculty id -> the loopback addresses standing for its egress addresses.

    One loopback address per distinct plan address, shared by the faculties that share
    it, and one of its own for a faculty that declares none: per-source limits then
    group students exactly as `vigie.capacity.limits` counts them. Allocated in plan order.
    """
    allocated: dict[str, str] = {}
    mapping = {}
    for faculty in plan.faculties:
        # "own:" cannot be an IP address, so a faculty's own never collides with one.
        keys = [str(ip) for ip in faculty.egress_ips] or [f"own:{faculty.id}"]
        mapping[faculty.id] = tuple(
            allocated.setdefault(key, loopback_address(len(allocated))) for key in keys
        )
    return mapping


def rehearsal_simulation(plan: Plan) -> Simulation:
    """The plan's [simulation], or defaults whose connections per student are the
    exercise's typical figure (rounded, at least 1; 2 when the plan says nothing)."""
    if plan.simulation is not None:
        return plan.simulation
    typical = plan.exercise.connections_per_student
    values = (max(1, round(typical)),) if typical else (DEFAULT_CONNECTIONS,)
    return Simulation(connections_per_student=ConnectionsPerStudent(values=values))


def scaled_counts(plan: Plan, scale: float) -> dict[str, int]:
    """Faculty id -> its virtual students: round(expected * scale), at least 1 if expected."""
    if not scale > 0:
        raise ValueError(f"the scale must be above 0, not {scale}")
    return {
        f.id: max(1, round(f.expected_students * scale)) if f.expected_students else 0
        for f in plan.faculties
    }


def plan_arrivals(
    plan: Plan, scale: float, seed: int | None = None, max_students: int = MAX_VIRTUAL_STUDENTS
) -> list[Arrival]:
    """Every virtual student of the scaled plan, sorted by (wave, delay).

    A faculty's students take its loopback addresses in turn. Delays come from the
    simulation's connect-delay distribution and connections from what the simulator
    gives that faculty (`faculty_connections`). `seed` defaults to the simulation's.

    Raises ValueError for a scale <= 0 or more than `max_students` students in all.
    """
    counts = scaled_counts(plan, scale)
    total = sum(counts.values())
    if total > max_students:
        raise ValueError(
            f"scale {scale} makes {total} virtual students, above the {max_students} "
            "one machine plays; lower --scale or add Locust workers"
        )
    sim = rehearsal_simulation(plan)
    rng = random.Random(sim.seed if seed is None else seed)
    addresses = loopback_addresses(plan)
    arrivals = []
    for faculty in plan.faculties:
        per_student = faculty_connections(plan, sim, faculty)
        own = addresses[faculty.id]
        for n in range(counts[faculty.id]):
            connections = draw_connections(per_student, rng)
            delay = draw_connect_delay(sim.connect_delay, rng)
            arrivals.append(
                Arrival(
                    f"{faculty.id}-{n + 1:04d}",
                    faculty.id,
                    own[n % len(own)],
                    faculty.wave,
                    delay,
                    connections,
                )
            )
    return sorted(arrivals, key=lambda a: (a.wave, a.delay_s))


def retry_bounds(plan: Plan) -> tuple[float, float]:
    """How long (s) a refused student waits before trying again: the simulation's range."""
    sim = rehearsal_simulation(plan)
    return sim.retry_min_s, sim.retry_max_s
