"""Bounded JSON: what hostile input becomes (an Unreadable naming it), and what still reads."""

from __future__ import annotations

import json

import pytest

from vigie.bounded import (
    Unreadable,
    first_text_problem,
    load_json,
    nesting_depth,
    number_problem,
    text_problem,
    whole_number,
)


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("[" * 30_000, "nested 30000 levels deep"),
        ('{"a": ' * 40 + "1" + "}" * 40, "nested 40 levels deep"),
        ("1" * 401, "401 characters"),
        (str(2**63), "64-bit"),
        ("1e999", "out of range"),
        ("[NaN]", "NaN is not a JSON number"),
        ('{"\\ud800": 1}', "lone surrogate"),
        ('["ok", "\\udfff"]', "lone surrogate"),
        (b"\xff", "not UTF-8"),
        ("{", "not JSON"),
    ],
)
def test_hostile_json_is_unreadable_with_a_reason(raw: str | bytes, fragment: str) -> None:
    with pytest.raises(Unreadable) as refused:
        load_json(raw)
    assert fragment in str(refused.value)


def test_ordinary_json_reads_as_json_does() -> None:
    document = {"a": [1, -2.5e300, None, True, "x [{ \\"], "b": "\U0001f525", "c": 2**63 - 1}
    raw = json.dumps(document)
    assert load_json(raw) == document == load_json(raw.encode())
    assert load_json('"\\ud83d\\udd25"') == "\U0001f525"  # a pair is one character
    assert load_json('"\\\\ud800"') == "\\ud800"  # an escaped backslash, not a surrogate


def test_non_finite_floats_can_be_left_for_a_model_to_refuse_by_field() -> None:
    assert load_json("[NaN, 1e999]", non_finite=True)[1] == float("inf")


def test_brackets_in_strings_do_not_count_as_nesting() -> None:
    assert nesting_depth('{"a": "[[[[[[", "b": ["\\"[["]}') == 2


def test_the_checks_name_what_cannot_be_stored() -> None:
    assert text_problem("a\ud800") == "character 1 is a lone surrogate (\\ud800)"
    assert text_problem("plain") is None
    assert first_text_problem({"k": ["ok", {"x\udfff": 1}]}) is not None
    assert number_problem(2**64) is not None and number_problem(float("nan")) is not None
    assert number_problem(True) is None and number_problem(-(2**63)) is None


@pytest.mark.parametrize(
    "text, number",
    [("42", 42), ("²", None), ("١٢", None), ("9" * 30, None), ("", None), ("-1", None)],
)
def test_whole_numbers_are_ascii_digits_within_64_bits(text: str, number: int | None) -> None:
    assert whole_number(text) == number
