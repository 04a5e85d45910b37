"""The numbers behind each rule's verdict, typed per rule.

A rule returns one of these with its verdict; the store keeps it as JSON beside
the transition, and screens and reports read it back through `facts_of` to
write the message in their own language. Adding a rule adds its model here and
one line to `vigie.alerts.rules.REGISTERED`. Unknown keys are ignored.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class RuleFacts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class HeadroomFacts(RuleFacts):
    connections: float
    limit: int
    ratio: float
    level: str  # ok, careful, warning, critical
    threshold: float | None = None  # the level's threshold, when above one


class RampState(StrEnum):
    AT_LIMIT = "at_limit"
    RAMP = "ramp"
    FLAT = "flat"
    TOO_FEW = "too_few"


class TimeToLimitFacts(RuleFacts):
    state: RampState
    connections: float
    limit: int
    slope_per_s: float | None = None
    eta_s: float | None = None


class GateVerdict(StrEnum):
    GO = "GO"
    HOLD = "HOLD"
    FORECAST = "FORECAST"  # a later wave that will not fit, known before its turn


class GateFacts(RuleFacts):
    """The gate's verdict on one wave, and the limit that binds first."""

    wave: int
    students: int  # the wave's students still to come (0: the rest of a launched wave)
    verdict: GateVerdict
    server: str
    kind: str  # the binding limit's kind: a KindOfLimit's name (vigie.capacity.kinds)
    address: str | None = None  # per-source: the address (None: a faculty's own)
    faculties: tuple[str, ...] = ()  # a partial limit's: the faculties it counts
    projected: float
    limit: int
    share: float
    fit: int  # students of the wave that fit
    counted: float  # students this limit counts once the wave is in
    counted_fit: int  # of the wave's students behind this limit, how many fit
    ratio: float  # connections per typical student on the server
    measured: bool
    critical: float  # the server's critical threshold


class ThrottlingFacts(RuleFacts):
    refused: float
    reset: float
    peak_ratio: float
    window_s: float
    # security, saturated, high, below, none, or the kind of the partial limit near
    # its level (per_source: one address's), which address and faculties then name
    cause: str
    address: str | None = None  # per_source: the address refused
    faculties: tuple[str, ...] = ()
    source_connections: float | None = None  # estimated connections from that address
    source_limit: int | None = None
    connections: float | None = None  # the server's, at this evaluation
    limit: int | None = None
    over_limit: bool = False  # at or over its connection limit now: the breach


class FacultyLagFacts(RuleFacts):
    connected: float
    expected: int
    wave: int
    minutes: float  # since the wave was launched


class BlindFacts(RuleFacts):
    kind: str  # source, never, stale
    since: float | None = None
    source: str | None = None
    newest: float | None = None
