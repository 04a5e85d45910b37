"""What `vigie import` is asked to read: the span and its step, parsed from the
command line, and the size of the chunks it is read in.

Kept apart from the backfill itself, which needs the Prometheus client: the
command line reads these bounds when it starts.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

# Prometheus refuses a range query of more than 11,000 points per series. A chunk
# also is one transaction held in memory and what a crash can lose, so the default
# is well below: 30 minutes at 1 s (the seed exercise in two chunks).
MAX_CHUNK_STEPS = 10_000
DEFAULT_CHUNK_STEPS = 1_800


class ImportRefused(Exception):
    """Bad input: the plan or the span cannot be imported (exit code 2)."""


@dataclass(frozen=True)
class Span:
    start: float  # epoch seconds, the first step
    end: float  # the last step is at or before it
    step: float

    @property
    def steps(self) -> int:
        return math.floor((self.end - self.start) / self.step + 1e-9) + 1

    def at(self, index: int) -> float:
        return self.start + index * self.step

    def chunks(self, size: int, first: int = 0) -> Iterator[tuple[int, int]]:
        """[first step, last step] of each chunk, from the chunk holding step `first`."""
        begin = first - first % size
        while begin < self.steps:
            yield begin, min(begin + size, self.steps) - 1
            begin += size


def parse_instant(text: str) -> float:
    """Epoch seconds, or an ISO 8601 datetime with its offset. raises ImportRefused."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ImportRefused(
            f"{text!r} is not a time: give epoch seconds or ISO 8601 (2022-01-21T13:30:00+01:00)"
        ) from exc
    if parsed.tzinfo is None:
        raise ImportRefused(f"{text!r} has no UTC offset: add one, e.g. +01:00 or Z")
    return parsed.timestamp()


_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0}


def parse_step(text: str) -> float:
    """ "1s", "500ms", "1m" or plain seconds. raises ImportRefused."""
    for unit in ("ms", "s", "m"):
        if text.endswith(unit):
            number_part, scale = text.removesuffix(unit), _UNITS[unit]
            break
    else:
        number_part, scale = text, 1.0
    try:
        seconds = float(number_part) * scale
    except ValueError:
        seconds = math.nan
    if not seconds >= 0.001 or math.isinf(seconds):
        raise ImportRefused(f"step {text!r} is not a duration: give e.g. 1s, 500ms or 1m")
    return seconds


def make_span(start: str, end: str, step: str) -> Span:
    """raises ImportRefused for a bad time, a bad step or an empty span."""
    first, last, seconds = parse_instant(start), parse_instant(end), parse_step(step)
    if last <= first:
        raise ImportRefused(f"--to ({end}) must be after --from ({start})")
    return Span(first, last, seconds)
