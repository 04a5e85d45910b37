"""The recent past of the series rules read, kept in memory by the engine.

Fed with each cycle's samples and primed from the store after a restart, so
rules read a few minutes of history without querying the store every second.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable

from vigie.series import Labels, Sample
from vigie.store import Point

# The only series any rule reads; everything else passes by.
RULE_INPUTS = frozenset(
    {
        "server_connections",
        "server_connection_limit",
        "sessions_active",
        "server_rejected_total",
        "server_reset_total",
        "server_throttled",
        "source_up",
    }
)


class SeriesWindow:
    def __init__(self, keep_s: float = 600, names: frozenset[str] | None = None) -> None:
        self.keep_s = keep_s
        self._names = names
        self._points: dict[str, dict[Labels, list[Point]]] = defaultdict(dict)
        # name -> label name -> label value -> the same point lists: rules look up
        # "server_connections of waf-1" every poll, so the index is kept, not rebuilt.
        self._index: dict[str, dict[str, dict[str, list[Point]]]] = defaultdict(dict)
        self._newest: dict[str, float] = {}

    def observe(self, samples: Iterable[Sample]) -> None:
        for sample in samples:
            newest = self._newest.get(sample.name)
            if newest is None or sample.at > newest:
                self._newest[sample.name] = sample.at
            if self._names is not None and sample.name not in self._names:
                continue
            points = self._points[sample.name].get(sample.labels)
            if points is None:
                points = self._points[sample.name][sample.labels] = []
                self._reindex(sample.name, sample.labels, points)
            if points and sample.at <= points[-1].at:
                continue  # a repeated or late sample changes nothing already seen
            points.append(Point(sample.at, sample.value))

    def forget_before(self, instant: float) -> None:
        """Drop points older than `keep_s`, in batches (a slice per half-window, not per poll)."""
        cutoff = instant - self.keep_s
        for by_labels in self._points.values():
            for points in by_labels.values():
                if points and points[0].at < cutoff - self.keep_s / 2:
                    del points[
                        : bisect_left(points, cutoff, key=_at)
                    ]  # in place: the index shares it

    def _reindex(self, name: str, labels: Labels, points: list[Point]) -> None:
        for key, value in labels:
            self._index[name].setdefault(key, {})[value] = points

    def by_entity(self, name: str, entity: str) -> dict[str, list[Point]]:
        """Series of `name` keyed by their `entity` label (faculty, server, source)."""
        return {k: v for k, v in self._index.get(name, {}).get(entity, {}).items() if v}

    def _series(self, name: str, entity: str, entity_id: str) -> list[Point]:
        return self._index.get(name, {}).get(entity, {}).get(entity_id, [])

    def known(self, name: str, entity: str, entity_id: str) -> bool:
        """Whether this series ever had a value here, even if its points have aged out."""
        return entity_id in self._index.get(name, {}).get(entity, {})

    def latest(self, name: str, entity: str, entity_id: str) -> Point | None:
        points = self._series(name, entity, entity_id)
        return points[-1] if points else None

    def since(self, name: str, entity: str, entity_id: str, start: float) -> list[Point]:
        points = self._series(name, entity, entity_id)
        return points[bisect_left(points, start, key=_at) :]

    def newest(self, name: str) -> float | None:
        """When any series of `name` last had a value (every name is tracked for this)."""
        return self._newest.get(name)


def _at(point: Point) -> float:
    return point.at
