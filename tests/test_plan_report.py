"""`vigie check`'s text: the pre-flight table keeps its columns apart and its headers
aligned however many digits the counts take (a national plan: millions of students)."""

from __future__ import annotations

import re

import pytest
import tomli_w

from tests.conftest import seed_data
from vigie.cli.plan_report import describe
from vigie.plan import Plan, parse_plan
from vigie.plan.scaled import scaled_plan

RIGHT_ALIGNED = (1, 3, 4, 5)  # students, connections, level, load (its mark follows)
FIELD = re.compile(r"\S+(?: \S+)*")  # a cell: words one space apart; cells two or more


def seed_times(factor: int) -> Plan:
    """The seed plan with `factor` times its students and limits: the same outcome."""
    data = seed_data()
    data["exercise"]["total_students"] *= factor
    for faculty in data["faculties"]:
        faculty["expected_students"] *= factor
    for server in data["servers"]:
        server["connection_limit"] *= factor
    return parse_plan(tomli_w.dumps(data))


def cells(line: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in FIELD.finditer(line)]


@pytest.mark.parametrize(("factor", "digits"), [(1000, 7), (10000, 8)])
def test_the_preflight_table_keeps_columns_apart_at_7_and_8_digit_counts(
    factor: int, digits: int
) -> None:
    lines = describe(seed_times(factor)).splitlines()
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith("after wave"))
    header = cells(lines[at])
    assert [text for _, _, text in header] == [
        "after wave", "students", "limit", "connections", "level", "load",
    ]  # fmt: skip
    rows = [cells(line)[:6] for line in lines[at + 1 :] if line.startswith("  ")]
    assert len(rows) == 24  # 4 waves x 6 servers
    assert max(len(row[1][2].replace(",", "")) for row in rows) == digits  # students
    for row in rows:
        assert len(row) == 6, row
        for column, (start, end, _) in enumerate(row):
            head_start, head_end, _ = header[column]
            assert (end == head_end) if column in RIGHT_ALIGNED else (start == head_start), row


def test_the_summary_groups_the_digits_of_its_counts(seed_plan: Plan) -> None:
    summary = describe(seed_times(10000)).splitlines()[3]
    assert summary.startswith("  35 faculties, 98,000,000 students in 4 waves")
    national = describe(scaled_plan(seed_plan, 1200)).splitlines()
    assert national[3].startswith("  1,200 faculties, ")
