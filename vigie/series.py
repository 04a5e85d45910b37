"""The values that flow from collectors to the store: samples of labelled series."""

from __future__ import annotations

from dataclasses import dataclass

Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Sample:
    """One value of one series, named by the plan's signal name."""

    name: str
    labels: Labels
    at: float  # seconds since the epoch
    value: float
