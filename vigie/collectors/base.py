"""The collector protocol, and how a collector says its source failed."""

from __future__ import annotations

from collections.abc import Sequence
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
