"""Every kind of limit Vigie knows: the one table a new kind is added to.

A kind is a module of this package with a `KIND` (a `KindOfLimit`). The model
builds each server's limits kind by kind in this order; facts and ticks keep a
kind by its `name`, read back with `kind_named`.
"""

from __future__ import annotations

from vigie.capacity.kinds import per_source, total
from vigie.capacity.limit import KindOfLimit

KINDS: tuple[KindOfLimit, ...] = (total.KIND, per_source.KIND)


def kind_named(name: str | None) -> KindOfLimit:
    """The kind a fact or a tick names. None, or a kind this version does not know
    (a fact written by another Vigie), is said as the server's total: its server."""
    return next((kind for kind in KINDS if kind.name == name), total.KIND)


def partial(name: str | None) -> bool:
    """Whether `name` is a kind that counts only some of its server's students
    (a throttling cause naming one: what refuses is not the whole server's limit)."""
    return not kind_named(name).whole_server
