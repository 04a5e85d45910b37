"""How a command fails, as a user sees it: the documented exit code, one message on
stderr that starts with `vigie: ` and names what is wrong, and never a traceback.

Failures already pinned elsewhere are not repeated: a bad plan under `check` and
`drill` (test_plan, test_drill), an unreachable store under `drill` and `report`, and
`report` of a missing exercise (test_report_command)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import SMALL_PLAN
from tests.support.cli import run_vigie
from tests.support.postgres import free_port
from vigie.cli.support import EXIT_BAD_INPUT, EXIT_CODES, EXIT_UNAVAILABLE
from vigie.store import Store, sqlite_url


def the_one_message(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The failure's only stderr line, once the exit code and the rest are as documented."""
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("vigie: ")
    return line.removeprefix("vigie: ")


@pytest.fixture
def empty_store(tmp_path: Path) -> str:
    """A store with its schema and nothing in it."""
    path = tmp_path / "vigie.db"
    Store.open(sqlite_url(path)).close()
    return str(path)


def test_a_bad_plan_is_refused_by_scale_as_by_drill_one_line_per_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(SMALL_PLAN.read_text(encoding="utf-8").replace("wave = 2", "wave = 3"))
    result = run_vigie("scale", str(bad), "--sites", "10")
    assert result.returncode == EXIT_BAD_INPUT and result.stdout == ""
    assert result.stderr.splitlines() == [  # each line names the file, as a compiler's do
        f"{bad}: faculties[2].wave: wave 3 is not defined",
        f"{bad}: waves[1]: wave 2 has no faculty",
    ]


@pytest.mark.parametrize("command", [("user", "list"), ("alerts", "list", "--exercise", "1")])
def test_an_unreachable_store_is_one_message_and_exit_1(command: tuple[str, ...]) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/vigie"
    message = the_one_message(run_vigie(*command, "--db", url), EXIT_UNAVAILABLE)
    assert message.startswith("cannot open store postgresql+psycopg://postgres@127.0.0.1:")


def test_a_malformed_bind_is_one_message_naming_it_and_exit_2(empty_store: str) -> None:
    result = run_vigie(
        "serve", "--plan", str(SMALL_PLAN), "--db", empty_store, "--bind", "localhost"
    )
    message = the_one_message(result, EXIT_BAD_INPUT)
    assert message == "--bind 'localhost' is not HOST:PORT (e.g. 127.0.0.1:8050)"


def test_revoking_a_token_that_is_not_there_is_one_message_and_exit_2(empty_store: str) -> None:
    result = run_vigie("token", "revoke", "42", "--db", empty_store)
    assert the_one_message(result, EXIT_BAD_INPUT) == "no live token 42"


def test_acknowledging_an_alert_that_is_not_firing_is_one_message_and_exit_2(
    empty_store: str,
) -> None:
    result = run_vigie(
        "alerts", "ack", "--db", empty_store, "--exercise", "1",
        "--rule", "connections", "--subject", "gw", "--by", "ops",
    )  # fmt: skip
    assert the_one_message(result, EXIT_BAD_INPUT) == "no connections alert is firing on gw"


def test_collecting_into_an_exercise_that_is_not_there_is_one_message_and_exit_2(
    empty_store: str,
) -> None:
    result = run_vigie("collect", "--plan", str(SMALL_PLAN), "--db", empty_store, "--exercise", "7")
    assert the_one_message(result, EXIT_BAD_INPUT) == "exercise 7 is not in the store"


def test_vigie_help_lists_every_exit_code() -> None:
    shown = run_vigie("--help")
    assert shown.returncode == 0
    lines = shown.stdout.splitlines()
    for code, meaning in EXIT_CODES:
        assert f"    {code}  {meaning}" in lines
