"""A server's per-source limit, counted address by address.

A faculty's students are spread evenly over its declared egress addresses (a
NAT pool), the faculties sharing an address are counted together, and a faculty
that declares none is one address of its own. An address carries no background
load: the server's background does not come from the faculties' addresses.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from vigie.capacity.limit import KindOfLimit, Limit
from vigie.i18n import Texts, count
from vigie.plan.model import Faculty, Plan, Server

if TYPE_CHECKING:
    from vigie.capacity.projection import LimitProjection

REMEDY = "add addresses or ask for an allowlist"


class PerSource(KindOfLimit):
    name = "per_source"
    whole_server = False

    def limits_of(self, server: Server, faculties: tuple[Faculty, ...]) -> list[Limit]:
        if server.per_source_limit is None:
            return []
        level = server.per_source_limit
        behind: dict[str | None, list[tuple[str, float]]] = defaultdict(list)
        own: list[Limit] = []
        for faculty in faculties:
            if not faculty.egress_ips:
                own.append(self._limit(server, level, None, ((faculty.id, 1.0),)))
                continue
            share = 1 / len(faculty.egress_ips)
            for address in faculty.egress_ips:
                behind[str(address)].append((faculty.id, share))
        shared = [self._limit(server, level, a, tuple(counts)) for a, counts in behind.items()]
        return own + shared

    def _limit(
        self, server: Server, level: int, address: str | None, counts: tuple[tuple[str, float], ...]
    ) -> Limit:
        return Limit(
            server=server.id,
            kind=self,
            level=level,
            thresholds=server.thresholds,
            counts=counts,
            address=address,
        )

    def key(self, limit: Limit) -> str:
        return f"{limit.server}@{limit.address or limit.counts[0][0]}"

    def named(
        self, t: Texts, plan: Plan, server: str, address: str | None, faculties: tuple[str, ...]
    ) -> str:
        who = behind(plan, faculties)
        if address is None:
            return t(
                "{server}'s per-address limit for {faculties} (its own address)",
                server=server,
                faculties=who,
            )
        return t(
            "{server}'s per-address limit for {address} ({faculties})",
            server=server,
            address=address,
            faculties=who,
        )

    def advice(self, t: Texts, *, fit: int, counted_fit: int, launched_load: bool) -> str:
        if launched_load:
            return t(
                "HOLD new connections from that address; add addresses or ask for an allowlist."
            )
        return t(
            "At most {fit} of the students behind that address fit; "
            "add addresses or ask for an allowlist.",
            fit=t.count(counted_fit),
        )

    def fit_words(self, t: Texts, *, fit: float, counted_fit: int, held: bool) -> str | None:
        return t("{fit} students behind that address fit", fit=t.count(counted_fit))

    def table_name(self, plan: Plan, limit: Limit) -> str:
        return f"{limit.server} per address {limit.address or behind(plan, limit.faculties)}"

    def warning(
        self, plan: Plan, wave: int, p: LimitProjection, per_student: float, at_most: int
    ) -> str:
        where = p.limit.address or "its own address"
        return (
            f"WARNING: wave {wave}: {behind(plan, p.limit.faculties)}: "
            f"{count(p.counted, 'en')} students behind {where} x {per_student:.3g} = "
            f"{count(p.peak, 'en')} connections against {p.limit.server}'s per-address limit of "
            f"{count(p.limit.level, 'en')}: at most {count(at_most, 'en')} fit; {REMEDY}"
        )

    def refusing(self, t: Texts, level: int) -> str:
        return t("its per-address limit of {limit}", limit=t.count(level))


def behind(plan: Plan, faculties: tuple[str, ...]) -> str:
    """The faculties behind an address, by name."""
    return ", ".join(plan.faculty_name(f) for f in faculties)


KIND = PerSource()
