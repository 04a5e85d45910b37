"""The plan reference is written from the model: every model reachable from `Plan`, and
every one of its fields with its type, default and bounds, found by walking the model
here rather than from a list kept by hand."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel

from vigie.plan.model import Plan, Server
from vigie.plan.reference import plan_reference


def reachable_models(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    seen.add(model)
    for field in model.model_fields.values():
        for inner in leaf_types(field.annotation):
            if isinstance(inner, type) and issubclass(inner, BaseModel) and inner not in seen:
                reachable_models(inner, seen)
    return seen


def leaf_types(annotation: Any) -> list[Any]:
    """The types a field's annotation is made of, containers and `None` taken apart."""
    if get_origin(annotation) is Literal:
        return [annotation]
    if get_origin(annotation) is Annotated:
        return leaf_types(get_args(annotation)[0])
    args = get_args(annotation)
    if not args:
        return [] if annotation is type(None) else [annotation]
    return [leaf for arg in args if arg is not Ellipsis for leaf in leaf_types(arg)]


def words_for(leaf: Any) -> list[str]:
    """What the row must say for one part of its type."""
    if get_origin(leaf) is Literal:
        return [f'"{value}"' for value in get_args(leaf)]
    if isinstance(leaf, type) and issubclass(leaf, Enum):
        return [f'"{member.value}"' for member in leaf]
    return [leaf.__name__]


def sections(reference: str) -> dict[str, str]:
    parts = reference.split("\n### ")
    return {part.split("\n", 1)[0].removeprefix("### "): part for part in parts}


def row_of(section: str, name: str) -> str:
    rows = [line for line in section.splitlines() if line.startswith(f"| `{name}` |")]
    assert len(rows) == 1, f"{name}: {len(rows)} rows"
    return rows[0]


def test_every_field_of_every_model_is_listed_with_its_type() -> None:
    reference = sections(plan_reference())
    models = reachable_models(Plan, set())
    assert len(models) > 10  # the walk went past the top level
    for model in models:
        assert model.__name__ in reference, f"no section for {model.__name__}"
        for name, field in model.model_fields.items():
            row = row_of(reference[model.__name__], name)
            type_cell = row.split(" | ")[1]
            for leaf in leaf_types(field.annotation):
                for word in words_for(leaf):
                    assert word in type_cell, f"{model.__name__}.{name}: {word} not in {row}"


def test_a_field_says_its_default_and_bounds() -> None:
    section = sections(plan_reference())["Server"]
    assert "| `per_source_limit` | `int` | none (optional) | > 0 |" in section
    assert "| `base_connections` | `int` | `0` | ≥ 0 |" in section
    assert row_of(section, "role").count(" | required | ") == 1


def test_a_required_field_says_required_and_an_enum_lists_its_values() -> None:
    row = row_of(sections(plan_reference())["Server"], "role")
    for role in Server.model_fields["role"].annotation:  # type: ignore[union-attr]
        assert f'"{role.value}"' in row


def test_a_nested_model_says_which_tables_it_is_written_as() -> None:
    section = sections(plan_reference())["Exporter"]
    assert "`[faculties.exporter]`" in section and "`[servers.exporter]`" in section


def test_an_optional_identifier_keeps_its_pattern() -> None:
    row = row_of(sections(plan_reference())["Signal"], "entity_id")
    assert "| `str` | none (optional) | matches `^[a-z0-9]" in row


def test_a_comment_beside_a_field_is_its_description() -> None:
    row = row_of(sections(plan_reference())["Faculty"], "short_name")
    assert "What a wall tile shows" in row
