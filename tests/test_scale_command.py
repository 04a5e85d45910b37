"""`vigie scale`: a national plan of any size, with the seed's outcome, from the command line."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SEED_PLAN
from tests.support.cli import run_vigie
from vigie.cli.support import EXIT_BAD_INPUT, EXIT_CANNOT_HOLD
from vigie.plan import load_plan


def test_a_scaled_plan_is_written_and_fails_the_strict_check_as_the_seed(tmp_path: Path) -> None:
    out = tmp_path / "national.toml"
    made = run_vigie("scale", str(SEED_PLAN), "--sites", "1000", "--out", str(out))
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == f"{out}: 1,000 sites, 280,400 students"
    plan = load_plan(out)
    assert len(plan.faculties) == 1_000 and len({f.region for f in plan.faculties}) == 13

    checked = run_vigie("check", str(out), "--strict")
    assert checked.returncode == EXIT_CANNOT_HOLD
    assert "280,400" in checked.stdout and "cannot hold" in checked.stdout


def test_a_bad_plan_is_refused_with_its_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(SEED_PLAN.read_text(encoding="utf-8").replace("[[waves]]", "[[wavez]]", 1))
    refused = run_vigie("scale", str(bad), "--sites", "100")
    assert refused.returncode == EXIT_BAD_INPUT
    assert "wavez" in refused.stderr and "Traceback" not in refused.stderr
    assert refused.stdout == ""
