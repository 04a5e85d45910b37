"""`vigie scale`: a plan of any number of sites in the shape of another, to drill or
demo a national exam (hundreds of test centres, thousands of schools) on one machine."""

from __future__ import annotations

from pathlib import Path

import click
import tomli_w

from vigie.cli.support import fail
from vigie.plan import PlanInvalid, load_plan
from vigie.plan.scaled import scaled_plan

MAX_SITES = 100_000  # past the scrape page limit and the measured figures: a typo, not a plan


@click.command("scale")
@click.argument("plan", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--sites", type=click.IntRange(1, MAX_SITES), required=True, help="Sites in the new plan."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Where to write it (default: standard output).",
)
def scale(plan: Path, sites: int, out: Path | None) -> None:
    """PLAN with SITES sites: site k copies faculty k mod n (its wave, size, region), and
    every limit grows with the students, so the outcome on paper is PLAN's."""
    try:
        base = load_plan(plan)
    except PlanInvalid as exc:
        fail(exc.lines())
    scaled = scaled_plan(base, sites)
    text = f"# {scaled.exercise.name}: written by `vigie scale {plan.name} --sites {sites}`.\n"
    text += tomli_w.dumps(scaled.model_dump(mode="json", exclude_none=True))
    if out is None:
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    click.echo(f"{out}: {sites:,} sites, {scaled.total_expected:,} students")
