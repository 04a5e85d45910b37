"""The student roster of a simulation: who connects when, holding how many connections."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from vigie.plan.model import Plan, Simulation


@dataclass(frozen=True, slots=True)
class Student:
    faculty: int  # index into plan.faculties
    connections: int
    first_attempt_s: float  # exercise seconds


def draw_roster(plan: Plan, sim: Simulation, rng: random.Random) -> list[Student]:
    """Draw every expected student, faculty by faculty, in plan order (deterministic)."""
    per_student = sim.connections_per_student
    delay = sim.connect_delay
    roster = []
    for index, faculty in enumerate(plan.faculties):
        wave_start_s = plan.wave(faculty.wave).start_min * 60
        for _ in range(faculty.expected_students):
            connections = rng.choices(per_student.values, per_student.weights)[0]
            if delay.distribution == "uniform":
                lag = rng.uniform(0.0, delay.max_s)
            else:
                lag = min(delay.max_s, delay.median_s * math.exp(rng.gauss(0.0, delay.sigma)))
            roster.append(Student(index, connections, wave_start_s + lag))
    return roster
