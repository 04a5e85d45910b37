"""Clocks, injected everywhere time matters, so drills and tests never sleep.

All clocks answer `now()` in seconds since the Unix epoch (UTC).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class VirtualClock:
    """A clock that moves only when told to: drills run as fast as the machine allows."""

    def __init__(self, start: float) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def set(self, instant: float) -> None:
        if instant < self._now:
            raise ValueError(f"a virtual clock does not go back ({instant} < {self._now})")
        self._now = instant

    def advance(self, seconds: float) -> None:
        self.set(self._now + seconds)


class SpedUpClock:
    """Real time, `speed` times faster, starting at `origin` (a demo plays 37 min in ~4)."""

    def __init__(
        self,
        origin: float,
        speed: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self.origin = origin
        self.speed = speed
        self._monotonic = monotonic
        self._started = monotonic()

    def now(self) -> float:
        return self.origin + (self._monotonic() - self._started) * self.speed
