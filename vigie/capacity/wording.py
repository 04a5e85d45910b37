"""A limit named in English for messages and the log; screens name it in their
language through its kind (`KindOfLimit.named`), with the same words."""

from __future__ import annotations

from vigie.capacity.limit import Limit
from vigie.i18n import texts
from vigie.plan.model import Plan

ENGLISH = texts("en")


def limit_name(plan: Plan, limit: Limit) -> str:
    """`waf-1`, or `waf-1's per-address limit for 192.0.2.10 (Université de Nantes)`."""
    return limit.kind.named(ENGLISH, plan, limit.server, limit.address, limit.faculties)
