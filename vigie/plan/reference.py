"""The plan reference, written from the model itself: every table of a plan file and
every key with its type, default and bounds.

The documentation's plan page is built from `plan_reference()` at every build
(docs/hooks.py), so what it lists is what `vigie check` accepts. A key's description
is its `Field(description=...)`, else the comment written beside it in `model.py`.
"""

from __future__ import annotations

import ast
import inspect
import io
import json
import textwrap
import tokenize
import types
from collections.abc import Iterator
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from vigie.plan.model import Plan


def plan_reference(root: type[BaseModel] = Plan) -> str:
    """Markdown: one section per model reachable from `root`, in the order a plan
    file meets them, each with a table of its keys."""
    places = model_places(root)
    return "\n\n".join(_section(model, tables) for model, tables in places.items()) + "\n"


def model_places(root: type[BaseModel]) -> dict[type[BaseModel], list[str]]:
    """Every model under `root`, first met first, with the TOML tables it is written as."""
    places: dict[type[BaseModel], list[str]] = {root: []}
    _walk(root, "", places)
    return places


def _walk(model: type[BaseModel], prefix: str, places: dict[type[BaseModel], list[str]]) -> None:
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        for inner, many in _models_in(field.annotation):
            table = f"[[{key}]]" if many else f"[{key}]"
            seen = inner in places
            places.setdefault(inner, []).append(table)
            if not seen:
                _walk(inner, f"{key}.", places)


def _models_in(annotation: Any, many: bool = False) -> Iterator[tuple[type[BaseModel], bool]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation, many
        return
    origin = get_origin(annotation)
    for arg in get_args(annotation):
        yield from _models_in(arg, many or origin in (tuple, list))


def _section(model: type[BaseModel], tables: list[str]) -> str:
    where = ", ".join(f"`{t}`" for t in tables)
    said = f"Written as {where}." if tables else "The file itself: its top-level keys."
    lines = [f"### {model.__name__}", "", said]
    doc = inspect.getdoc(model)
    if doc and model.__doc__:  # its own docstring, not BaseModel's
        lines += ["", " ".join(doc.split())]
    comments = _field_comments(model)
    lines += ["", "| key | type | default | bounds | what it is |", "|---|---|---|---|---|"]
    for name, field in model.model_fields.items():
        description = field.description or comments.get(name, "")
        cells = [
            f"`{name}`",
            type_text(field.annotation),
            _default_text(field),
            _bounds_text(field),
            _cell(description),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def type_text(annotation: Any) -> str:
    """A type as a plan writer reads it: `list of Wave`, `float`, `"en"` or `"fr"`."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return type_text(args[0])
    if origin in (Union, types.UnionType):
        return " or ".join(type_text(a) for a in args if a is not type(None))
    if origin is Literal:
        return " or ".join(f"`{json.dumps(a)}`" for a in args)
    if origin in (tuple, list):
        return f"list of {type_text(args[0])}"
    if origin is dict:
        return f"table of {type_text(args[0])} to {type_text(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        values = ", ".join(f"`{json.dumps(member.value)}`" for member in annotation)
        return f"{annotation.__name__}: one of {values}"
    return f"`{getattr(annotation, '__name__', str(annotation))}`"


def _default_text(field: FieldInfo) -> str:
    if field.default_factory is not None:
        return f"`{_toml_value(field.default_factory())}`"  # type: ignore[call-arg]
    if field.default is PydanticUndefined:
        return "required"
    if field.default is None:
        return "none (optional)"
    if isinstance(field.default, BaseModel):
        return "its own defaults"
    return f"`{_toml_value(field.default)}`"


def _toml_value(value: Any) -> str:
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return repr(value)


BOUNDS: tuple[tuple[type[Any], str, str], ...] = (
    (annotated_types.Gt, "gt", "> {}"),
    (annotated_types.Ge, "ge", "≥ {}"),
    (annotated_types.Lt, "lt", "< {}"),
    (annotated_types.Le, "le", "≤ {}"),
    (annotated_types.MinLen, "min_length", "length ≥ {}"),
    (annotated_types.MaxLen, "max_length", "length ≤ {}"),
)


def _bounds_text(field: FieldInfo) -> str:
    said = []
    for item in [*field.metadata, *_optional_metadata(field.annotation)]:
        for kind, attribute, wording in BOUNDS:
            if isinstance(item, kind):
                said.append(wording.format(getattr(item, attribute)))
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, str):
            said.append(f"matches `{pattern}`")
    return _cell(", ".join(said))


def _optional_metadata(annotation: Any) -> list[Any]:
    """The bounds of an optional constrained type (`Identifier | None`), which pydantic
    keeps inside the union rather than on the field."""
    if get_origin(annotation) not in (Union, types.UnionType):
        return []
    found = []
    for arg in get_args(annotation):
        if get_origin(arg) is Annotated:
            for item in get_args(arg)[1:]:
                found += item.metadata if isinstance(item, FieldInfo) else [item]
    return found


def _cell(text: str) -> str:
    """Text safe in a table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def _field_comments(model: type[BaseModel]) -> dict[str, str]:
    """The comment above each field of the class (a block of `#` lines) and the one at
    the end of its line, joined; nothing for a class whose source cannot be read."""
    try:
        source = textwrap.dedent(inspect.getsource(model))
    except (OSError, TypeError):
        return {}
    comments = {
        token.start[0]: token.string.lstrip("#").strip()
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    }
    lines = source.splitlines()
    found: dict[str, str] = {}
    for statement in ast.parse(source).body[0].body:  # type: ignore[attr-defined]
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            found[statement.target.id] = _comment_of(statement.lineno, lines, comments)
    return found


def _comment_of(line: int, lines: list[str], comments: dict[int, str]) -> str:
    above: list[str] = []
    previous = line - 1
    while previous in comments and lines[previous - 1].lstrip().startswith("#"):
        above.insert(0, comments[previous])
        previous -= 1
    if line in comments and not lines[line - 1].lstrip().startswith("#"):
        above.append(comments[line])
    return " ".join(above)
