"""The collector protocol and the explicit registry of a deployment's collectors."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from vigie.series import Sample


class Collector(Protocol):
    """Reads one source.

    raises SourceFailure (with what it could still read) or any other exception on
    failure: the poll cycle marks the source down with the reason and goes on.
    """

    @property
    def name(self) -> str: ...

    @property
    def source(self) -> str: ...

    def collect(self, now: float) -> Sequence[Sample]: ...


class SourceFailure(Exception):
    """The source failed, in part or whole; `samples` holds what was still read."""

    def __init__(self, reason: str, samples: Sequence[Sample] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.samples = list(samples)


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
