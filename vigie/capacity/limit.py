"""A limit of the platform, and the contract every kind of limit fulfils.

A `Limit` is data: its server, its level, whose students it counts. Its `kind`
is what the rest of Vigie asks how to build, judge and word it, so that the
projection, the wave gate, the pre-flight, the rules, the screens and the
review handle a new kind without a branch of their own (docs/extending.md).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from vigie.i18n import Texts
from vigie.plan.model import Faculty, Plan, Server, Thresholds

if TYPE_CHECKING:
    from vigie.capacity.projection import LimitProjection


@dataclass(frozen=True, kw_only=True)
class Limit:
    server: str
    kind: KindOfLimit
    level: int  # the connections at which it refuses or throttles
    thresholds: Thresholds
    # (faculty id, share of its students this limit counts): every faculty at 1.0
    # for a whole-server limit; for a per-source limit, the faculties behind its address.
    counts: tuple[tuple[str, float], ...]
    address: str | None = None  # per-source: the address; None for a faculty's own

    @property
    def key(self) -> str:
        """A stable name for this limit, unique across kinds (`waf-1`, `waf-1@192.0.2.10`)."""
        return self.kind.key(self)

    @property
    def faculties(self) -> tuple[str, ...]:
        return tuple(faculty for faculty, _ in self.counts)

    @property
    def background(self) -> bool:
        """Whether it carries its server's background load (only what counts everything)."""
        return self.kind.whole_server


class KindOfLimit(ABC):
    """One kind of limit: which limits a server has of it, and how each is said.

    The words take the texts of a language: screens pass theirs, and messages and
    the log pass English, the source language, so both say the same thing.
    """

    # Stored in alert facts and ticks (`GateFacts.kind`): never rename one.
    name: ClassVar[str]
    # It counts every student and every connection of its server, background
    # included: what the server's connection signal measures, so time-to-limit
    # extrapolates it and the review finds its breach in that signal.
    whole_server: ClassVar[bool]

    @abstractmethod
    def limits_of(self, server: Server, faculties: tuple[Faculty, ...]) -> list[Limit]:
        """The server's limits of this kind (none when the plan gives it none)."""

    @abstractmethod
    def key(self, limit: Limit) -> str:
        """`Limit.key`: must not collide with another kind's keys."""

    @abstractmethod
    def named(
        self, t: Texts, plan: Plan, server: str, address: str | None, faculties: tuple[str, ...]
    ) -> str:
        """The limit by name in a sentence, from what alert facts keep of it."""

    @abstractmethod
    def advice(self, t: Texts, *, fit: int, counted_fit: int, launched_load: bool) -> str:
        """What to do when it cannot hold: a wave's `fit` students fit in all,
        `counted_fit` of those it counts; `launched_load` when it is what is out already."""

    @abstractmethod
    def fit_words(self, t: Texts, *, fit: float, counted_fit: int, held: bool) -> str | None:
        """The gate tile's line under the verdict on a wave still to launch, if any."""

    @abstractmethod
    def table_name(self, plan: Plan, limit: Limit) -> str:
        """Its short name in the pre-flight's table (English: a command's output)."""

    @abstractmethod
    def warning(
        self, plan: Plan, wave: int, p: LimitProjection, per_student: float, at_most: int
    ) -> str:
        """The pre-flight's line when it cannot hold in `wave` (English)."""

    def refusing(self, t: Texts, level: int) -> str:
        """What the review says a server refusing at this limit reached; a kind
        that is not `whole_server` is found by refusals while its server's total held."""
        return t("its limit of {limit}", limit=t.count(level))
