"""Loading a plan file: a huge or deeply nested file is refused with one clear error,
never a traceback, and every error line names the file it is about."""

from __future__ import annotations

import os
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEED_PLAN, SMALL_PLAN, seed_data
from tests.support.cli import run_vigie
from vigie.plan import Plan, PlanError, PlanInvalid, load_plan, parse_plan, plan_from_dict
from vigie.plan.loader import MAX_PLAN_BYTES, MAX_PLAN_DEPTH

DEEP = 600  # past Python's default recursion limit (1000 frames) for tomllib: 2 frames a level
NESTED_ARRAYS = "x = " + "[" * DEEP + "]" * DEEP + "\n"
NESTED_TABLES = "x = " + "{a = " * DEEP + "1" + "}" * DEEP + "\n"


@pytest.fixture
def default_recursion_limit() -> Iterator[None]:
    """Python's default limit, as the `vigie` command runs with (a pytest plugin raises it)."""
    raised = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        yield
    finally:
        sys.setrecursionlimit(raised)


def refusal(path: Path) -> PlanInvalid:
    with pytest.raises(PlanInvalid) as caught:
        load_plan(path)
    return caught.value


def plan_file(tmp_path: Path, text: str, name: str = "plan.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def seed_with(extra: str) -> str:
    """The seed plan, valid, with `extra` at the end of its `[exercise]` table."""
    text = SEED_PLAN.read_text(encoding="utf-8")
    return text.replace("[[waves]]", extra + "\n[[waves]]", 1)


# the line `seed_with` puts its extra on
EXTRA_LINE = SEED_PLAN.read_text(encoding="utf-8").split("[[waves]]")[0].count("\n") + 1


def nested_dicts(levels: int) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for _ in range(levels - 1):
        data = {"a": data}
    return data


def nested_lists(levels: int) -> list[Any]:
    data: list[Any] = []
    for _ in range(levels - 1):
        data = [data]
    return data


@pytest.mark.usefixtures("default_recursion_limit")
@pytest.mark.parametrize("nested", [NESTED_ARRAYS, NESTED_TABLES], ids=["arrays", "inline-tables"])
def test_it_refuses_a_plan_nested_600_levels_deep_without_a_traceback(
    tmp_path: Path, nested: str
) -> None:
    text = seed_with(nested)
    with pytest.raises(RecursionError):  # what every command died of
        tomllib.loads(text)
    path = plan_file(tmp_path, text, "deep.toml")
    invalid = refusal(path)
    (error,) = invalid.errors
    assert error.path == "<toml>"
    assert error.message == (
        f"line {EXTRA_LINE}: arrays and inline tables"
        f" nested {DEEP} levels deep; the limit is {MAX_PLAN_DEPTH}"
    )
    assert invalid.lines() == [f"{path}: {error}"]


@pytest.mark.parametrize(
    ("levels", "refused"), [(MAX_PLAN_DEPTH, False), (MAX_PLAN_DEPTH + 1, True)]
)
def test_nesting_up_to_the_limit_is_read_and_one_more_level_is_refused(
    levels: int, refused: bool
) -> None:
    # a top-level key: its array is level 1, in the text as in the data
    text = "x = " + "[" * levels + "]" * levels + "\n" + SEED_PLAN.read_text(encoding="utf-8")
    with pytest.raises(PlanInvalid) as caught:
        parse_plan(text, "plan.toml")
    messages = [str(e) for e in caught.value.errors]
    if refused:
        assert messages == [
            f"<toml>: line 1: arrays and inline tables nested {levels} levels deep;"
            f" the limit is {MAX_PLAN_DEPTH}"
        ]
    else:
        assert messages == ["x: unknown key"]  # parsed, then judged as a plan


@pytest.mark.parametrize(
    "deep",
    [nested_dicts(DEEP), nested_lists(DEEP), nested_dicts(MAX_PLAN_DEPTH + 1)],
    ids=["dicts", "lists", "one-past-the-limit"],
)
def test_it_refuses_deeply_nested_data_before_validating_it(deep: Any) -> None:
    data = seed_data()
    data["exercise"]["notes"] = deep
    with pytest.raises(PlanInvalid) as caught:
        plan_from_dict(data, "api")
    # the only error: pydantic, which would say `exercise.notes: unknown key`, never ran
    assert caught.value.errors == [
        PlanError(
            "exercise",
            f"nested more than {MAX_PLAN_DEPTH} levels deep; the limit is {MAX_PLAN_DEPTH}",
        )
    ]


def test_data_nested_exactly_to_the_limit_reaches_validation() -> None:
    data = seed_data()
    data["exercise"]["notes"] = nested_dicts(MAX_PLAN_DEPTH - 1)  # exercise is level 1
    with pytest.raises(PlanInvalid) as caught:
        plan_from_dict(data)
    assert [str(e) for e in caught.value.errors] == ["exercise.notes: unknown key"]


def test_it_refuses_data_that_contains_itself() -> None:
    data = seed_data()
    loop: dict[str, object] = {"again": {}}
    data["exercise"]["notes"] = loop
    loop["again"] = loop
    with pytest.raises(PlanInvalid) as caught:
        plan_from_dict(data)
    assert [e.path for e in caught.value.errors] == ["exercise"]


@pytest.mark.usefixtures("default_recursion_limit")
def test_a_recursion_error_from_tomllib_is_still_a_plan_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the safety net, should the depth scan ever miss a way of nesting
    monkeypatch.setattr("vigie.plan.loader._text_too_deep", lambda text: None)
    with pytest.raises(RecursionError):
        tomllib.loads(NESTED_ARRAYS)
    with pytest.raises(PlanInvalid) as caught:
        parse_plan(NESTED_ARRAYS, "deep.toml")
    assert caught.value.lines() == [
        f"deep.toml: <toml>: nested too deeply to read; the limit is {MAX_PLAN_DEPTH} levels"
    ]


def test_a_recursion_error_from_validation_is_still_a_plan_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def recurse(data: Any) -> Plan:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(Plan, "model_validate", recurse)
    with pytest.raises(PlanInvalid) as caught:
        plan_from_dict(seed_data(), "api")
    assert [str(e) for e in caught.value.errors] == [
        f"<plan>: nested too deeply to read; the limit is {MAX_PLAN_DEPTH} levels"
    ]


def test_it_refuses_a_6_mb_plan_file_naming_its_size_and_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    size = 6 * 1024 * 1024
    path.write_bytes(b"# " + b"x" * (size - 3) + b"\n")  # valid TOML: a long comment
    invalid = refusal(path)
    assert invalid.errors == [
        PlanError("<file>", "is 6,291,456 bytes; a plan may be at most 5,242,880 bytes (5 MB)")
    ]
    assert invalid.lines() == [f"{path}: <file>: {invalid.errors[0].message}"]


def test_it_reads_no_more_than_the_cap_from_a_file_of_unknown_size(tmp_path: Path) -> None:
    # a pipe has no size to stat: it is read only up to one byte past the cap
    pipe = tmp_path / "plan.fifo"
    os.mkfifo(pipe)
    written: list[int] = []

    def write_6_mb() -> None:
        try:
            with pipe.open("wb", buffering=0) as out:
                for _ in range(6 * 16):
                    written.append(out.write(b"#" * 65535 + b"\n"))
        except BrokenPipeError:
            pass  # the loader stopped reading, as it should

    writer = threading.Thread(target=write_6_mb, daemon=True)
    writer.start()
    invalid = refusal(pipe)
    writer.join(timeout=10)
    assert invalid.errors == [
        PlanError("<file>", "is over 5,242,880 bytes; a plan may be at most 5,242,880 bytes (5 MB)")
    ]
    assert sum(written) < 6 * 1024 * 1024


def test_parse_plan_refuses_text_over_the_cap_counted_in_utf8_bytes() -> None:
    # fewer characters than the cap, more bytes: é is two bytes in UTF-8
    text = "# " + "é" * (MAX_PLAN_BYTES // 2) + "\n"
    assert len(text) < MAX_PLAN_BYTES < len(text.encode("utf-8"))
    with pytest.raises(PlanInvalid) as caught:
        parse_plan(text, "big.toml")
    (error,) = caught.value.errors
    assert error.path == "<file>"
    assert error.message.startswith(f"is {len(text.encode('utf-8')):,} bytes;")
    with pytest.raises(PlanInvalid) as caught:
        parse_plan("#" * (MAX_PLAN_BYTES + 1), "big.toml")
    assert caught.value.errors[0].message.startswith(f"is over {MAX_PLAN_BYTES:,} bytes;")


BRACKETS = "[[[[[[[[" * 50
BRACES = "{{{{{{{{" * 50


@pytest.mark.parametrize(
    ("toml", "name"),
    [
        (f'name = "{BRACKETS} \\"{BRACES}"', f'{BRACKETS} "{BRACES}'),
        (f"name = '{BRACKETS}\"'", f'{BRACKETS}"'),
        (f'name = """\n{BRACKETS}\n""{BRACES}"""', f'{BRACKETS}\n""{BRACES}'),
        (f"name = '''{BRACKETS}\n'{BRACES}''''", f"{BRACKETS}\n'{BRACES}'"),
        (f'name = "x" # {BRACKETS}', "x"),
    ],
    ids=["basic", "literal", "multi-line-basic", "multi-line-literal", "comment"],
)
def test_brackets_inside_strings_and_comments_are_not_nesting(toml: str, name: str) -> None:
    text = SEED_PLAN.read_text(encoding="utf-8")
    old_name = 'name = "ECNp national load test, 21 January 2022"'
    assert old_name in text
    plan = parse_plan(text.replace(old_name, toml, 1), "strings.toml")
    assert plan.exercise.name == name


@pytest.mark.parametrize(
    ("string", "value"),
    [
        ('"a\\""', 'a"'),
        ('"\\\\"', "\\"),
        ("'a\\'", "a\\"),
        ('"""a""""', 'a"'),
        ('"""a"""""', 'a""'),
        ("'''a''''", "a'"),
        ("'''a'''''", "a''"),
    ],
)
def test_nesting_right_after_a_string_is_still_counted(string: str, value: str) -> None:
    # a scan that ended one of these strings too early or too late would miss the nesting
    assert tomllib.loads(f"y = {string}") == {"y": value}
    text = f"x = [{string}, " + "[" * DEEP + "]" * DEEP + "]\n"
    with pytest.raises(PlanInvalid) as caught:
        parse_plan(text, "tricky.toml")
    assert [e.message for e in caught.value.errors] == [
        f"line 1: arrays and inline tables nested {DEEP + 1} levels deep;"
        f" the limit is {MAX_PLAN_DEPTH}"
    ]


def test_a_table_header_with_brackets_in_its_quoted_key_is_not_nesting() -> None:
    text = seed_with(f'[exercise."{BRACKETS}"]\n[[ "{BRACKETS}" ]]\n')
    with pytest.raises(PlanInvalid) as caught:
        parse_plan(text, "headers.toml")
    # read as TOML, then judged as a plan: the keys are unknown, nothing is too deep
    assert {e.message for e in caught.value.errors} == {"unknown key"}


def test_every_error_line_names_the_file(tmp_path: Path) -> None:
    text = SEED_PLAN.read_text(encoding="utf-8")
    text = text.replace("wave = 4\n", "wave = 5\n", 1).replace(
        "total_students = 9800", "total_students = 1"
    )
    path = plan_file(tmp_path, text, "bad-plan.toml")
    invalid = refusal(path)
    assert len(invalid.errors) == 2
    assert invalid.source == str(path)
    assert invalid.lines() == [f"{path}: {error.path}: {error.message}" for error in invalid.errors]
    assert str(invalid) == "\n".join(invalid.lines())
    assert str(invalid.errors[0]) == f"{invalid.errors[0].path}: {invalid.errors[0].message}"


def test_check_refuses_a_deep_plan_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    path = plan_file(tmp_path, seed_with(NESTED_ARRAYS), "deep.toml")
    result = run_vigie("check", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"{path}: <toml>: line {EXTRA_LINE}: arrays and inline tables nested {DEEP} levels deep;"
        f" the limit is {MAX_PLAN_DEPTH}"
    ]


@pytest.mark.parametrize("shipped", [SEED_PLAN, SMALL_PLAN], ids=lambda p: p.name)
def test_the_shipped_plans_still_load(shipped: Path) -> None:
    plan = load_plan(shipped)
    assert plan == plan_from_dict(tomllib.loads(shipped.read_text(encoding="utf-8")))
    assert plan.total_expected == {SEED_PLAN: 9800, SMALL_PLAN: 300}[shipped]
