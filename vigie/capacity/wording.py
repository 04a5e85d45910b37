"""A limit named in English for messages and the log; screens use their catalogue."""

from __future__ import annotations

from vigie.capacity.limits import Limit, LimitKind
from vigie.plan.model import Plan


def behind(plan: Plan, faculties: tuple[str, ...]) -> str:
    names = {f.id: f.name for f in plan.faculties}
    return ", ".join(names.get(f, f) for f in faculties)


def limit_name(plan: Plan, limit: Limit) -> str:
    """`waf-1`, or `waf-1's per-address limit for 192.0.2.10 (Université de Nantes)`."""
    if limit.kind is LimitKind.TOTAL:
        return limit.server
    who = behind(plan, limit.faculties)
    if limit.address is None:
        return f"{limit.server}'s per-address limit for {who} (its own address)"
    return f"{limit.server}'s per-address limit for {limit.address} ({who})"
