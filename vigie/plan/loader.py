"""Load a plan from TOML: the whole plan is valid, or every error is reported.

raises PlanInvalid(source, errors) with one PlanError per problem, each naming the
field path (`faculties[3].wave`), so a planner can fix them all in one pass. Input
that cannot be a plan is refused before it is parsed, with one PlanError: a file
over MAX_PLAN_BYTES (path `<file>`), nesting deeper than MAX_PLAN_DEPTH (path
`<toml>` for text, the top-level key for data). A huge or deeply nested plan is a
PlanInvalid like any other bad plan, never a RecursionError or a whole-file read.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vigie.bounded import number_problem, text_problem
from vigie.plan.checks import PlanError, cross_check
from vigie.plan.model import Plan

# The shipped plans are under 10 kB and 3 levels deep: the caps are far above any
# real plan, and far below what exhausts memory or tomllib's and pydantic's recursion.
MAX_PLAN_BYTES = 5 * 1024 * 1024
MAX_PLAN_DEPTH = 32
_TOO_DEEP = f"nested too deeply to read; the limit is {MAX_PLAN_DEPTH} levels"
_TOO_LONG_NUMBER = "an integer with thousands of digits; a plan's numbers fit in 64 bits"


class PlanInvalid(Exception):
    """A plan that does not load: `source` (its file) and every PlanError found.

    str() is `lines()` joined by newlines, each line `<source>: <path>: <message>`,
    so every line printed or logged says which file it is about.
    """

    def __init__(self, source: str, errors: list[PlanError]) -> None:
        self.source = source
        self.errors = errors
        super().__init__(source, errors)  # args match __init__, so it pickles

    def lines(self) -> list[str]:
        """One `<source>: <path>: <message>` line per error."""
        return [f"{self.source}: {error}" for error in self.errors]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def load_plan(path: str | Path) -> Plan:
    """The plan in the TOML file at `path`; raises PlanInvalid (source = the path).

    A file over MAX_PLAN_BYTES is refused without being read whole.
    """
    path = Path(path)
    source = str(path)
    try:
        with path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size > MAX_PLAN_BYTES:
                raise PlanInvalid(source, [_too_big(size)])
            # st_size can be 0 or stale (a pipe, /proc, a file still growing):
            # read one byte past the cap rather than trust it
            data = file.read(MAX_PLAN_BYTES + 1)
    except OSError as exc:
        raise PlanInvalid(source, [PlanError("<file>", exc.strerror or str(exc))]) from exc
    if len(data) > MAX_PLAN_BYTES:
        raise PlanInvalid(source, [_too_big(None)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanInvalid(source, [PlanError("<file>", f"not UTF-8 text ({exc.reason})")]) from exc
    # the newlines Path.read_text (universal newlines) gave before: same plans load
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return parse_plan(text, source)


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    """The plan in TOML `text`; raises PlanInvalid naming `source`.

    Text over MAX_PLAN_BYTES (UTF-8) or nested deeper than MAX_PLAN_DEPTH is refused
    before tomllib sees it: tomllib recurses once per nested array or inline table.
    """
    # len(text) <= its UTF-8 size: a huge string is refused without encoding it;
    # surrogatepass: a lone surrogate is for tomllib to refuse, not for measuring
    if len(text) > MAX_PLAN_BYTES:
        raise PlanInvalid(source, [_too_big(None)])
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_PLAN_BYTES:
        raise PlanInvalid(source, [_too_big(size)])
    too_deep = _text_too_deep(text)
    if too_deep is not None:
        raise PlanInvalid(source, [too_deep])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanInvalid(source, [PlanError("<toml>", str(exc))]) from exc
    except ValueError:  # int()'s own limit: an integer of over 4,300 digits
        raise PlanInvalid(source, [PlanError("<toml>", _TOO_LONG_NUMBER)]) from None
    except RecursionError:
        # safety net if the scan above ever misreads TOML; the 1000-frame
        # traceback says nothing to a planner
        raise PlanInvalid(source, [PlanError("<toml>", _TOO_DEEP)]) from None
    return plan_from_dict(data, source)


def plan_from_dict(data: dict[str, Any], source: str = "<plan>") -> Plan:
    """The plan in `data` (TOML-shaped: dicts, lists, scalars); raises PlanInvalid.

    Data with dicts/lists nested deeper than MAX_PLAN_DEPTH below the top level is
    refused before pydantic (which recurses as it validates) sees it.
    """
    unreadable = _data_unreadable(data)
    if unreadable is not None:
        raise PlanInvalid(source, [unreadable])
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanInvalid(source, list(_structural_errors(exc.errors()))) from exc
    except RecursionError:
        raise PlanInvalid(source, [PlanError("<plan>", _TOO_DEEP)]) from None
    errors = cross_check(plan)
    if errors:
        raise PlanInvalid(source, errors)
    return plan


def _too_big(size: int | None) -> PlanError:
    """`size` None: more than the cap was read, the exact size is not known."""
    said = f"is {size:,} bytes" if size is not None else f"is over {MAX_PLAN_BYTES:,} bytes"
    cap = f"a plan may be at most {MAX_PLAN_BYTES:,} bytes ({MAX_PLAN_BYTES // 2**20} MB)"
    return PlanError("<file>", f"{said}; {cap}")


# What the depth scan stops at: string openers (multi-line first), comments, brackets
# and braces. Nothing else (keys, numbers, dates) can nest.
_TOKEN = re.compile(r'"""|\'\'\'|["\'#\[\]{}]')
# The rest of a string once its opener is consumed, as tomllib reads it: basic strings
# honour backslash escapes; a multi-line closer may carry up to two more quotes of
# content (`""""` ends `x"`). A single-line string never spans a newline.
_STRING_REST = {
    '"': re.compile(r'[^"\\\n]*(?:\\.[^"\\\n]*)*"'),
    "'": re.compile(r"[^'\n]*'"),
    '"""': re.compile(r'[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*""""{0,2}', re.DOTALL),
    "'''": re.compile(r"[^']*(?:'(?!'')[^']*)*''''{0,2}"),
}


def _text_too_deep(text: str) -> PlanError | None:
    """A PlanError (path `<toml>`) if arrays and inline tables nest past MAX_PLAN_DEPTH.

    A linear lexical scan, not a parse, and no recursion: it skips strings and comments
    as tomllib reads them, so brackets in a description do not count. A `[table]` or
    `[[array]]` header opens and closes on its own line (2 levels at most, never near
    the cap), so it needs no case of its own. Malformed TOML is left to tomllib: where
    this scan could misread it (an unterminated string, a stray `]`), tomllib stops
    there with an error, no deeper than counted so far.
    """
    depth = deepest = 0
    line = 0  # where the limit is first passed
    pos = 0
    while (token := _TOKEN.search(text, pos)) is not None:
        kind, pos = token.group(), token.end()
        if kind == "#":
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end
        elif kind in _STRING_REST:
            rest = _STRING_REST[kind].match(text, pos)
            if rest is None:
                break  # unterminated: tomllib refuses the plan right here
            pos = rest.end()
        elif kind in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth == MAX_PLAN_DEPTH + 1:
                    line = text.count("\n", 0, token.start()) + 1
        else:
            depth = max(depth - 1, 0)
    if deepest <= MAX_PLAN_DEPTH:
        return None
    return PlanError(
        "<toml>",
        f"line {line}: arrays and inline tables nested {deepest} levels deep;"
        f" the limit is {MAX_PLAN_DEPTH}",
    )


def _data_unreadable(data: dict[str, Any]) -> PlanError | None:
    """A PlanError naming the top-level key under which tables/arrays nest too deep,
    or a number or text is unusable (`vigie.bounded`: past 64 bits, not finite, a
    lone surrogate), or None.

    The top-level table is level 0, so `x = [[1]]` is 2 levels deep, as the text scan
    counts it. Iterative, so the check cannot recurse itself; it stops at the first
    level past the limit, so data that contains itself is refused too.
    """
    if not isinstance(data, dict):
        return None  # pydantic refuses a non-table without looking inside it
    stack: list[tuple[object, int, str]] = [(value, 1, str(key)) for key, value in data.items()]
    while stack:
        value, depth, where = stack.pop()
        if isinstance(value, dict):
            children = list(value.values())
        elif isinstance(value, list | tuple):
            children = list(value)
        else:
            problem = _scalar_problem(value)
            if problem is not None:
                return PlanError(where, problem)
            continue
        if depth > MAX_PLAN_DEPTH:
            return PlanError(
                where,
                f"nested more than {MAX_PLAN_DEPTH} levels deep; the limit is {MAX_PLAN_DEPTH}",
            )
        stack.extend((child, depth + 1, where) for child in children)
    return None


def _scalar_problem(value: object) -> str | None:
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, int | float):
        return number_problem(value)
    return None


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
