"""The explicit list of a deployment's collectors, one per source id.

`kinds.py` says which collector reads each kind of source; this is what a
deployment's plan made of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from vigie.collectors.base import Collector


class DuplicateCollector(ValueError):
    pass


class CollectorRegistry:
    """The explicit list of collectors of a deployment, one per source id."""

    def __init__(self, collectors: Iterable[Collector] = ()) -> None:
        self._by_source: dict[str, Collector] = {}
        for collector in collectors:
            self.register(collector)

    def register(self, collector: Collector) -> None:
        if collector.source in self._by_source:
            raise DuplicateCollector(f"source {collector.source!r} already has a collector")
        self._by_source[collector.source] = collector

    def __iter__(self) -> Iterator[Collector]:
        return iter(self._by_source.values())

    def __len__(self) -> int:
        return len(self._by_source)
