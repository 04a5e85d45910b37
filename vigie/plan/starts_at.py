"""A plan with another `exercise.starts_at`, in its model and in its TOML text alike.

The store keeps the plan's text with each exercise and the screens read their plan
from it, so a start given on the command line must be written into that text too.
"""

from __future__ import annotations

import re
from datetime import datetime

from vigie.plan.loader import PlanInvalid, parse_plan
from vigie.plan.model import Plan

_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)
_EXERCISE = re.compile(r"^[ \t]*\[[ \t]*exercise[ \t]*\][ \t]*(#.*)?$", re.MULTILINE)
_STARTS_AT = re.compile(r"^[ \t]*starts_at[ \t]*=.*$", re.MULTILINE)


class StartNotWritable(ValueError):
    """The plan's text is laid out so that its start cannot be replaced safely."""


def with_starts_at(plan: Plan, text: str, when: datetime) -> tuple[Plan, str]:
    """The plan and its text, both starting at `when`; every other setting unchanged.

    raises StartNotWritable when the `[exercise]` table is not a plain table (an
    inline table, dotted keys): the rewritten text is parsed again and must equal
    the plan with only its start replaced, or nothing is changed.
    """
    exercise = plan.exercise.model_copy(update={"starts_at": when})
    wanted = plan.model_copy(update={"exercise": exercise})
    was = plan.exercise.starts_at
    said = f"  # --starts-at; the plan file says {was.isoformat()}" if was else "  # --starts-at"
    rewritten = _replace_line(text, f"starts_at = {when.isoformat()}{said}")
    try:
        ok = rewritten is not None and parse_plan(rewritten) == wanted
    except PlanInvalid:
        ok = False
    if not ok or rewritten is None:
        raise StartNotWritable(
            "cannot set exercise.starts_at in this plan's text (write [exercise] as a plain "
            "table with starts_at on a line of its own), or edit the file"
        )
    return wanted, rewritten


def _replace_line(text: str, line: str) -> str | None:
    """`text` with the `[exercise]` table's starts_at line replaced (or added)."""
    header = _EXERCISE.search(text)
    if header is None:
        return None
    following = _HEADER.search(text, header.end())
    end = following.start() if following else len(text)
    body = text[header.end() : end]
    if _STARTS_AT.search(body):
        body = _STARTS_AT.sub(lambda _match: line, body, count=1)
    else:
        body = "\n" + line + body
    return text[: header.end()] + body + text[end:]
