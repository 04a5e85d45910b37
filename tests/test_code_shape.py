"""The shape a newcomer relies on (issue 17): small functions, one name per contract.

Read from the source with `ast`, so a long function or a rule name spelled out again
is caught where it is written, not in review.
"""

from __future__ import annotations

import ast
import statistics
from collections.abc import Iterator
from pathlib import Path

from vigie.alerts.rules import REGISTERED
from vigie.store.records import AlertState

PACKAGE = Path(__file__).resolve().parents[1] / "vigie"
LONGEST = 60


def modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def functions() -> Iterator[tuple[str, int]]:
    for path, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                yield f"{path.relative_to(PACKAGE)}:{node.name}", node.end_lineno - node.lineno + 1


def test_functions_stay_small() -> None:
    sizes = dict(functions())
    ordered = sorted(sizes.values())
    assert statistics.median(ordered) <= 10
    assert ordered[int(0.9 * len(ordered))] <= 30
    assert {name: n for name, n in sizes.items() if n > LONGEST} == {}


def string_constants() -> Iterator[tuple[str, int, str]]:
    """Every string literal but the texts a screen translates (`t("blind")` is a word)."""
    for path, tree in modules():
        translated = {
            id(arg)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _is_translation(node.func)
            for arg in node.args
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or id(node) in translated:
                continue
            if isinstance(node.value, str):
                yield str(path.relative_to(PACKAGE)), node.lineno, node.value


def _is_translation(func: ast.expr) -> bool:
    return (isinstance(func, ast.Name) and func.id == "t") or (
        isinstance(func, ast.Attribute) and func.attr == "plural"
    )


# The same words with another meaning: a site's state and a screen's status ("blind"),
# and the plan's settings section of the throttling rule.
OTHER_MEANINGS = {
    ("tick/attention.py", "blind"),
    ("dashboard/screen.py", "blind"),
    ("rehearse/scaled.py", "throttling"),
}


def test_rule_names_and_alert_states_are_spelled_only_where_they_are_defined() -> None:
    rules = {spec.name for spec in REGISTERED}
    states = {state.value for state in AlertState}
    spelled = [
        (path, line, text)
        for path, line, text in string_constants()
        if (text in rules and not path.startswith("alerts/rules/"))
        or (text in states and path != "store/records.py")
    ]
    assert [s for s in spelled if (s[0], s[2]) not in OTHER_MEANINGS] == []


def test_no_screen_asserts_it_has_a_tick() -> None:
    source = "\n".join(path.read_text(encoding="utf-8") for path, _ in modules())
    assert "assert tick is not None" not in source
    assert "assert screen.tick is not None" not in source
