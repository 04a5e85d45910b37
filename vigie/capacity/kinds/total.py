"""A server's total: every student's connections, and its background load, on one server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vigie.capacity.limit import KindOfLimit, Limit
from vigie.i18n import Texts, count
from vigie.plan.model import Faculty, Plan, Server

if TYPE_CHECKING:
    from vigie.capacity.projection import LimitProjection


class Total(KindOfLimit):
    name = "total"
    whole_server = True

    def limits_of(self, server: Server, faculties: tuple[Faculty, ...]) -> list[Limit]:
        everyone = tuple((f.id, 1.0) for f in faculties)
        return [
            Limit(
                server=server.id,
                kind=self,
                level=server.connection_limit,
                thresholds=server.thresholds,
                counts=everyone,
            )
        ]

    def key(self, limit: Limit) -> str:
        return limit.server

    def named(
        self, t: Texts, plan: Plan, server: str, address: str | None, faculties: tuple[str, ...]
    ) -> str:
        return server

    def advice(self, t: Texts, *, fit: int, counted_fit: int, launched_load: bool) -> str:
        if launched_load:
            return t("HOLD new connections.")
        return t("At most {fit} students fit; split the wave.", fit=t.count(fit))

    def fit_words(self, t: Texts, *, fit: float, counted_fit: int, held: bool) -> str | None:
        return t("{fit} students fit", fit=t.count(fit)) if held else None

    def table_name(self, plan: Plan, limit: Limit) -> str:
        return limit.server

    def warning(
        self, plan: Plan, wave: int, p: LimitProjection, per_student: float, at_most: int
    ) -> str:
        background = f" + {count(p.base, 'en')} background" if p.base else ""
        return (
            f"WARNING: after wave {wave}, {count(p.counted, 'en')} students x "
            f"{per_student:.3g}{background} = {count(p.peak, 'en')} connections on "
            f"{p.limit.server}, limit {count(p.limit.level, 'en')}: "
            f"at most {count(at_most, 'en')} students at once"
        )


KIND = Total()
