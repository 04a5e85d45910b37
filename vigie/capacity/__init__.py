"""The capacity model: every limit a plan's platform has, and the load a wave brings to each.

`limits` says which limits exist and which students each counts; `projection`
turns students into connections against them. The wave gate, the pre-flight
check and the rules all read limits through here, so a new kind of limit is
added in one place.
"""

from vigie.capacity.limits import CapacityModel, Limit, LimitKind, capacity_model
from vigie.capacity.projection import Demand, LimitProjection, Rates, binding, project

__all__ = [
    "CapacityModel",
    "Demand",
    "Limit",
    "LimitKind",
    "LimitProjection",
    "Rates",
    "binding",
    "capacity_model",
    "project",
]
