"""Capacity arithmetic shared by the wave gate and the pre-flight check."""

from __future__ import annotations

import math
from dataclasses import dataclass

from vigie.plan.model import Plan, Server


@dataclass(frozen=True)
class Projection:
    server: str
    current: float
    projected: float
    limit: int
    ratio: float  # connections per student used
    measured: bool  # ratio measured on connected students, or the plan's estimate
    fit: int  # students of the gated wave that fit under the limit

    @property
    def share(self) -> float:
        return self.projected / self.limit


def project(
    server: Server,
    current: float,
    ratio: float,
    measured: bool,
    still_coming: float,
    wave_students: int,
    margin: float,
) -> Projection:
    """Peak = current + (students still to connect + the wave) x ratio x (1 + margin)."""
    per_student = ratio * (1 + margin)
    projected = current + (still_coming + wave_students) * per_student
    room = server.connection_limit - current - still_coming * per_student
    fit = max(0, math.floor(room / per_student)) if per_student > 0 else wave_students
    return Projection(
        server.id,
        current,
        projected,
        server.connection_limit,
        ratio,
        measured,
        min(fit, wave_students),
    )


@dataclass(frozen=True)
class PreflightRow:
    wave: int
    students: int  # cumulative, once the wave is in
    server: str
    connections: float
    limit: int
    at_most: int  # students the server can hold at once

    @property
    def holds(self) -> bool:
        return self.connections <= self.limit


def preflight(plan: Plan) -> list[PreflightRow]:
    """Wave by wave, the plan's own estimate of each server's load once the wave is in."""
    rows = []
    cumulative = 0
    for wave in plan.waves_in_order:
        cumulative += plan.expected_in_wave(wave.number)
        for server in plan.servers:
            ratio = server.connections_per_student
            if not ratio:
                continue
            rows.append(
                PreflightRow(
                    wave.number,
                    cumulative,
                    server.id,
                    cumulative * ratio,
                    server.connection_limit,
                    math.floor(server.connection_limit / ratio),
                )
            )
    return rows
