"""The capacity model: every limit a plan's platform has, and the load a wave brings to each.

`limits` says which limits exist and which students each counts; `projection`
turns students into connections against them. The wave gate, the pre-flight
check and the rules all read limits through here; each kind of limit is a module
of `kinds`, listed once in `kinds.KINDS`.
"""

from vigie.capacity.kinds import KINDS, kind_named, partial
from vigie.capacity.limit import KindOfLimit, Limit
from vigie.capacity.limits import CapacityModel, capacity_model
from vigie.capacity.projection import Demand, LimitProjection, Rates, binding, project

__all__ = [
    "KINDS",
    "CapacityModel",
    "Demand",
    "KindOfLimit",
    "Limit",
    "LimitProjection",
    "Rates",
    "binding",
    "capacity_model",
    "kind_named",
    "partial",
    "project",
]
