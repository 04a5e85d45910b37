"""Read JSON from outside within bounds, and the checks any outside text or number needs.

Python's own parsers fail on hostile input with errors no caller expects: json
raises RecursionError on 30,000 nested `[`, int() a ValueError past 4,300 digits,
float() an OverflowError on a 401-digit integer, and a lone surrogate (`"\\ud800"`)
parses fine only to raise UnicodeEncodeError when the store writes it. Here each
of those is an `Unreadable` (a ValueError) whose message says what is wrong, before
any of it reaches Dash, pydantic or the store.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 32  # real callback and push bodies nest 5 levels at most
MAX_NUMBER_CHARS = 40  # 64-bit integers and every float's repr fit in 25
MAX_INTEGER = 2**63 - 1  # what the store's integer columns hold

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class Unreadable(ValueError):
    """Input refused before use; str() names what is wrong."""


def load_json(raw: bytes | str, max_depth: int = MAX_DEPTH, non_finite: bool = False) -> Any:
    """The JSON document in `raw` (UTF-8), checked whole.

    raises Unreadable for text that is not UTF-8 or not JSON, arrays and objects
    nested deeper than `max_depth`, a number literal longer than MAX_NUMBER_CHARS,
    an integer past 64 bits, and a lone surrogate in any string or key. NaN,
    Infinity and floats past the float range are refused too, unless `non_finite`:
    then they are read as floats, for a model that refuses them naming the field.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 text ({exc.reason})") from None
    depth = nesting_depth(text)
    if depth > max_depth:
        raise Unreadable(f"nested {depth} levels deep; the limit is {max_depth}")
    try:
        document = json.loads(
            text,
            parse_int=_integer,
            parse_float=_float if not non_finite else _any_float,
            parse_constant=_constant if not non_finite else float,
        )
    except Unreadable:
        raise
    except ValueError as exc:
        raise Unreadable(f"not JSON: {str(exc)[:200]}") from None
    if _SURROGATE_ESCAPE.search(text):  # only then can a parsed string hold one
        problem = first_text_problem(document)
        if problem is not None:
            raise Unreadable(problem)
    return document


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in JSON `text`, brackets in strings not counted.

    A linear scan with no recursion: malformed text gets some count and is left
    for the parser to refuse.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    steps = (1 if bracket in "[{" else -1 for bracket in brackets)
    return max(accumulate(steps), default=0)


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text (a lone surrogate), or None."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"character {exc.start} is a lone surrogate (\\u{ord(value[exc.start]):04x})"
    return None


def whole_number(text: str) -> int | None:
    """`text` as an integer if it is plain ASCII digits within 64 bits, else None.

    str.isdigit() alone lets through "²" (int() then raises) and numbers no
    database column holds (the driver then raises OverflowError)."""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text[:MAX_NUMBER_CHARS])
    return value if len(text) <= MAX_NUMBER_CHARS and value <= MAX_INTEGER else None


def number_problem(value: float) -> str | None:
    """Why `value` is no number to store or compute with, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        in_range = -MAX_INTEGER - 1 <= value <= MAX_INTEGER
        return None if in_range else "integer out of the 64-bit range"
    return None if math.isfinite(value) else f"{value} is not a finite number"


def first_text_problem(document: Any) -> str | None:
    """The first string or key of `document` that cannot be stored, said, or None.

    Iterative, so a deep document cannot make it recurse.
    """
    stack: list[Any] = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem is not None:
                return f"text {value[:40]!r}: {problem}"
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return None


def _integer(literal: str) -> int:
    if len(literal) > MAX_NUMBER_CHARS:
        raise Unreadable(f"a number of {len(literal)} characters; the limit is {MAX_NUMBER_CHARS}")
    value = int(literal)
    problem = number_problem(value)
    if problem is not None:
        raise Unreadable(problem)
    return value


def _float(literal: str) -> float:
    value = _any_float(literal)
    if not math.isfinite(value):
        raise Unreadable(f"{literal} is out of range")
    return value


def _any_float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_CHARS:
        raise Unreadable(f"a number of {len(literal)} characters; the limit is {MAX_NUMBER_CHARS}")
    return float(literal)


def _constant(literal: str) -> Any:
    raise Unreadable(f"{literal} is not a JSON number")
