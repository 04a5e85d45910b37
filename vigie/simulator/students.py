"""The student roster of a simulation: who connects when, from where, with what connections."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from vigie.plan.model import ConnectDelay, ConnectionsPerStudent, Faculty, Plan, Simulation


@dataclass(frozen=True, slots=True)
class Student:
    faculty: int  # index into plan.faculties
    address: int  # index into the roster's addresses
    connections: int
    first_attempt_s: float  # exercise seconds


@dataclass(frozen=True)
class Roster:
    students: list[Student]
    addresses: list[str]  # an egress address, or "<faculty id>" for a faculty's own


def launch_times(plan: Plan, sim: Simulation) -> dict[int, float]:
    """Exercise second each wave really goes out: the plan's time unless the room moved it."""
    times = {w.number: w.start_min * 60 for w in plan.waves}
    times |= {launch.wave: launch.at_min * 60 for launch in sim.launches}
    return times


def faculty_connections(plan: Plan, sim: Simulation, faculty: Faculty) -> ConnectionsPerStudent:
    """What one faculty's students really hold: its own entry, else a whole-number
    mix around the faculty's declared ratio (relative to the typical student), else
    the simulation's default."""
    for entry in sim.faculty_connections:
        if entry.faculty == faculty.id:
            return entry.connections
    typical = plan.exercise.connections_per_student
    if faculty.connections_per_student is None or not typical:
        return sim.connections_per_student
    mean = sim.connections_per_student.mean * faculty.connections_per_student / typical
    low = max(1, math.floor(mean))
    high_weight = max(0.0, mean - low)
    return ConnectionsPerStudent(values=(low, low + 1), weights=(1 - high_weight, high_weight))


def draw_connections(per_student: ConnectionsPerStudent, rng: random.Random) -> int:
    """One student's connections, drawn from the weighted values."""
    return rng.choices(per_student.values, per_student.weights)[0]


def draw_connect_delay(delay: ConnectDelay, rng: random.Random) -> float:
    """Seconds after its wave's launch one student connects (never past `max_s`)."""
    if delay.distribution == "uniform":
        return rng.uniform(0.0, delay.max_s)
    return min(delay.max_s, delay.median_s * math.exp(rng.gauss(0.0, delay.sigma)))


def draw_roster(plan: Plan, sim: Simulation, rng: random.Random) -> Roster:
    """Draw every expected student, faculty by faculty, in plan order (deterministic).
    A faculty's students are spread over its egress addresses in turn."""
    delay = sim.connect_delay
    launches = launch_times(plan, sim)
    addresses: dict[str, int] = {}
    students = []
    for index, faculty in enumerate(plan.faculties):
        own = [str(ip) for ip in faculty.egress_ips] or [faculty.id]
        slots = [addresses.setdefault(a, len(addresses)) for a in own]
        per_student = faculty_connections(plan, sim, faculty)
        for n in range(faculty.expected_students):
            connections = draw_connections(per_student, rng)
            lag = draw_connect_delay(delay, rng)
            students.append(
                Student(index, slots[n % len(slots)], connections, launches[faculty.wave] + lag)
            )
    return Roster(students, list(addresses))
