"""The commands the documentation shows are run by a test, and the code it names exists.

A fenced block tagged `sh`, `console` or `bash` in README.md or docs/*.md that runs
`vigie` (a line, or a part of one after `&&`, `;`, `|` or `(`, that starts with `vigie `
or `python -m vigie`) must be one of:
- in docs/deployment.md's "From nothing to exam day", which tests/test_walkthrough.py
  runs line by line;
- made only of quick, read-only commands (`vigie check scenarios/...`, `vigie scale ...
  --out FILE`, `--help`), which this test runs in a temporary folder;
- marked on the line just above with `<!-- docs-test: not run (why; the test that
  covers it, tests/test_x.py) -->`, naming a test file that exists.
Any other block fails the test with its file and line.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_walkthrough import SECTION, walkthrough_commands

PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
WALKTHROUGH = ROOT / "docs" / "deployment.md"
SHELLS = ("sh", "console", "bash")
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<tag>[\w-]*)\s*$")
NOT_RUN = re.compile(r"^<!-- docs-test: not run \((?P<why>.+)\) -->$")
RUNS_VIGIE = re.compile(r"(^|&&|;|\||\()\s*(vigie |python3? -m vigie\b)")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # of the opening fence, from 1
    tag: str
    lines: tuple[str, ...]
    above: str  # the last line before the fence that is not blank

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def commands(self) -> list[str]:
        """Its lines without blanks, comments or a console's `$ ` prompt."""
        joined = "\n".join(self.lines).replace("\\\n", " ")  # continued lines as one
        found = []
        for line in joined.splitlines():
            line = line.strip().removeprefix("$ ")
            if line and not line.startswith("#"):
                found.append(line)
        return found

    @property
    def runs_vigie(self) -> bool:
        return self.tag in SHELLS and any(RUNS_VIGIE.search(c) for c in self.commands)


def blocks_of(page: Path) -> list[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks, number = [], 0
    while number < len(lines):
        opening = FENCE.match(lines[number])
        number += 1
        if opening is None:
            continue
        start, body = number, []
        while number < len(lines) and not FENCE.match(lines[number]):
            body.append(lines[number].removeprefix(opening["indent"]))
            number += 1
        number += 1  # the closing fence
        above = next((line.strip() for line in reversed(lines[: start - 1]) if line.strip()), "")
        blocks.append(Block(page, start, opening["tag"], tuple(body), above))
    return blocks


def walkthrough_lines() -> range:
    """The lines of docs/deployment.md that tests/test_walkthrough.py runs the blocks of."""
    lines = WALKTHROUGH.read_text(encoding="utf-8").splitlines()
    start = lines.index(SECTION) + 1
    end = next((n for n in range(start, len(lines)) if lines[n].startswith("## ")), len(lines))
    return range(start + 1, end + 1)


def quick_command(line: str, written: set[str]) -> list[str] | None:
    """The arguments after `vigie` of a quick, read-only command; None for any other."""
    try:
        args = shlex.split(line, comments=True)
    except ValueError:  # not a command this test could read, let alone run
        return None
    if args[:3] in (["python", "-m", "vigie"], ["python3", "-m", "vigie"]):
        args = ["vigie", *args[3:]]
    if len(args) < 2 or args[0] != "vigie":
        return None
    rest = args[1:]
    if rest[-1] == "--help" and len(rest) <= 3:
        return rest
    files = [a for a in rest[1:] if not a.startswith("--")]
    if rest[0] == "check" and all(f.startswith("scenarios/") or f in written for f in files):
        return rest
    if rest[0] == "scale" and "--out" in rest and rest[1].startswith("scenarios/"):
        written.add(rest[rest.index("--out") + 1])
        return rest
    return None


def quick_commands(block: Block) -> list[list[str]] | None:
    written: set[str] = set()
    found = [quick_command(line, written) for line in block.commands]
    return None if any(args is None for args in found) else [a for a in found if a]


def how_covered(block: Block) -> str:
    """'walkthrough', 'run' or 'marked'; raises AssertionError naming the block otherwise."""
    if block.page == WALKTHROUGH and block.line in walkthrough_lines():
        return "walkthrough"
    if quick_commands(block) is not None:
        return "run"
    marked = NOT_RUN.match(block.above)
    assert marked, (
        f"{block.where}: a command block no test runs; run it in a test, or say above it "
        "<!-- docs-test: not run (why; tests/test_x.py covers it) -->"
    )
    named = re.findall(r"tests/test_\w+\.py", marked["why"])
    assert named, f"{block.where}: its docs-test comment names no test file"
    for test in named:
        assert (ROOT / test).is_file(), f"{block.where}: {test} does not exist"
    return "marked"


SHOWN = [block for page in PAGES for block in blocks_of(page) if block.runs_vigie]


def test_every_command_block_is_run_by_a_test_or_says_which_test_covers_it() -> None:
    covered = {block.where: how_covered(block) for block in SHOWN}
    assert "walkthrough" in covered.values() and "run" in covered.values()


def test_the_walkthrough_test_has_commands_to_run() -> None:
    commands = walkthrough_commands(WALKTHROUGH.read_text(encoding="utf-8"))
    assert any(line.startswith("vigie serve ") for line in commands)


def test_a_block_without_a_test_or_a_mark_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("Serve it:\n\n```sh\nvigie serve --plan exam.toml\n```\n", encoding="utf-8")
    (block,) = blocks_of(page)
    with pytest.raises(AssertionError, match=r"page\.md:3: a command block no test runs"):
        how_covered(Block(ROOT / "page.md", block.line, block.tag, block.lines, block.above))


RUN_HERE = [b for b in SHOWN if quick_commands(b) is not None and b.page != WALKTHROUGH]


@pytest.mark.parametrize("block", RUN_HERE, ids=lambda block: block.where)
def test_the_quick_commands_of_a_block_exit_0(block: Block, tmp_path: Path) -> None:
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's vigie
    for args in quick_commands(block) or []:
        done = subprocess.run(
            [sys.executable, "-m", "vigie", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"{block.where}: vigie {shlex.join(args)}\n{done.stderr}"


# -- the code the pages name ----------------------------------------------------------

PATH = re.compile(r"(?<![\w/.-])((?:vigie|tests|benchmarks|deploy|scenarios|assets)/[\w/.-]*)")
MODULE = re.compile(r"(?:python3? -m |`)((?:vigie|benchmarks)(?:\.\w+)+)")


def named_paths(text: str) -> set[str]:
    found = {match.rstrip(".,:;") for match in PATH.findall(text)}
    return {path for path in found if ".." not in path}


def module_exists(dotted: str) -> bool:
    """A module or package, or a name in one (`vigie.plan.model.Plan`)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 1, -1):
        base = ROOT.joinpath(*parts[:cut])
        for module in (base.with_suffix(".py"), base / "__init__.py"):
            if module.is_file():
                rest = parts[cut:]
                return not rest or (len(rest) == 1 and rest[0] in module.read_text("utf-8"))
    return False


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_path_and_module_a_page_names_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    missing = [path for path in sorted(named_paths(text)) if not (ROOT / path).exists()]
    modules = {name for name in MODULE.findall(text) if ".example" not in name}  # host names
    missing += [name for name in sorted(modules) if not module_exists(name)]
    assert not missing, f"{page.relative_to(ROOT)} names what does not exist: {missing}"
