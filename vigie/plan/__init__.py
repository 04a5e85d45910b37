"""The exam plan: one TOML file per exercise, validated whole when loaded."""

from vigie.plan.checks import PlanError
from vigie.plan.loader import PlanInvalid, load_plan, parse_plan, plan_from_dict
from vigie.plan.model import Entity, Faculty, Plan, Server, Signal, Source, SourceKind, Wave

__all__ = [
    "Entity",
    "Faculty",
    "Plan",
    "PlanError",
    "PlanInvalid",
    "Server",
    "Signal",
    "Source",
    "SourceKind",
    "Wave",
    "load_plan",
    "parse_plan",
    "plan_from_dict",
]
