"""Who comes next: the arrivals due at an instant, and handing each one out once.

A Locust user does not know which student it plays; it claims one. The claimed student
is the earliest due and not yet claimed, so students come in the order of their real
arrival times, whatever order the waves were launched in.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence

from vigie.rehearse.control import Control
from vigie.rehearse.schedule import Arrival


class Dispatcher:
    def __init__(self, arrivals: Sequence[Arrival]) -> None:
        self.arrivals = list(arrivals)
        by_wave: dict[int, list[int]] = defaultdict(list)
        for index, arrival in enumerate(self.arrivals):
            by_wave[arrival.wave].append(index)
        for indexes in by_wave.values():
            indexes.sort(key=lambda i: self.arrivals[i].delay_s)
        self._by_wave = dict(by_wave)
        self._delays = {
            w: [self.arrivals[i].delay_s for i in indexes] for w, indexes in by_wave.items()
        }
        self._next = dict.fromkeys(by_wave, 0)  # per wave: its first unclaimed arrival

    def due(self, control: Control, now: float) -> int:
        """How many students have arrived by `now` (epoch seconds) under `control`."""
        return sum(
            bisect_right(self._delays[w], now - launched)
            for w, launched in control.launched.items()
            if w in self._delays
        )

    def claim(self, control: Control, now: float) -> int | None:
        """The index of the earliest due, unclaimed arrival (now claimed), or None."""
        best: tuple[float, int] | None = None
        for wave, launched in control.launched.items():
            position = self._next.get(wave)
            if position is None or position >= len(self._by_wave[wave]):
                continue
            at = launched + self._delays[wave][position]
            if at <= now and (best is None or at < best[0]):
                best = (at, wave)
        if best is None:
            return None
        wave = best[1]
        self._next[wave] += 1
        return self._by_wave[wave][self._next[wave] - 1]

    @property
    def claimed(self) -> int:
        return sum(self._next.values())
