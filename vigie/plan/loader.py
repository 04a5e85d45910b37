"""Load a plan from TOML: the whole plan is valid, or every error is reported.

raises PlanInvalid(errors) with one PlanError per problem, each naming the
field path (`faculties[3].wave`), so a planner can fix them all in one pass.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vigie.plan.checks import PlanError, cross_check
from vigie.plan.model import Plan


class PlanInvalid(Exception):
    def __init__(self, source: str, errors: list[PlanError]) -> None:
        self.source = source
        self.errors = errors
        super().__init__(f"{source}: {len(errors)} error(s)\n" + "\n".join(map(str, errors)))


def load_plan(path: str | Path) -> Plan:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanInvalid(str(path), [PlanError("<file>", exc.strerror or str(exc))]) from exc
    except UnicodeDecodeError as exc:
        raise PlanInvalid(
            str(path), [PlanError("<file>", f"not UTF-8 text ({exc.reason})")]
        ) from exc
    return parse_plan(text, source=str(path))


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanInvalid(source, [PlanError("<toml>", str(exc))]) from exc
    return plan_from_dict(data, source)


def plan_from_dict(data: dict[str, Any], source: str = "<plan>") -> Plan:
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanInvalid(source, list(_structural_errors(exc.errors()))) from exc
    errors = cross_check(plan)
    if errors:
        raise PlanInvalid(source, errors)
    return plan


def _structural_errors(details: Iterable[Any]) -> Iterable[PlanError]:
    for detail in details:
        yield PlanError(_path(detail["loc"]), _message(detail))


def format_validation_errors(exc: ValidationError) -> list[str]:
    """pydantic's errors as `field.path: what is wrong` lines (plans, payloads)."""
    return [str(error) for error in _structural_errors(exc.errors())]


def _path(loc: tuple[str | int, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.startswith(("function-after", "function-before")):
            continue  # pydantic's validator frames say nothing to a planner
        else:
            path += f".{part}" if path else part
    return path or "<plan>"


def _message(detail: dict[str, Any]) -> str:
    kind = detail["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "is required"
    message = str(detail["msg"])
    return message.removeprefix("Value error, ")
