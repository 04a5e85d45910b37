"""Is a source up: one reading of the 0/1 gauges (`source_up`, a probe's
`probe_success`) for the rules, the screens and the store.

A gauge is averaged when samples are bucketed, so "up" is a threshold, not == 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

UP_AT_LEAST = 0.5


class Reading(Protocol):
    @property
    def at(self) -> float: ...

    @property
    def value(self) -> float: ...


def is_up(value: float) -> bool:
    return value >= UP_AT_LEAST


def down_since(points: Sequence[Reading]) -> float | None:
    """When the current failing streak began (its first point), if the newest point
    is down; None when the source is up or has no point."""
    if not points or is_up(points[-1].value):
        return None
    first = len(points) - 1
    while first > 0 and not is_up(points[first - 1].value):
        first -= 1
    return points[first].at
