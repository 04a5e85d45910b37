"""`vigie rehearse`: virtual students play a plan against the team's own platform."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vigie.cli.support import DB_HELP, EXIT_UNAVAILABLE, fail, opened_store
from vigie.plan import Plan, PlanInvalid, load_plan

if TYPE_CHECKING:  # imported when the command runs: `vigie --help` stays quick
    from vigie.rehearse.report import RehearsalReport
    from vigie.rehearse.target import Target

MAX_WORKERS = 16  # Locust processes on one machine: more than its cores gains nothing


@click.command()
@click.argument("plan", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--target", required=True, help="The platform's root URL, e.g. http://127.0.0.1:8080")
@click.option(
    "--i-own-this-target",
    "owned_host",
    default=None,
    metavar="HOST",
    help="Needed for a target outside loopback: name its host again, to say it is yours.",
)
@click.option("--db", required=True, help=DB_HELP)
@click.option(
    "--scale",
    type=click.FloatRange(min=0, min_open=True, max=1),
    default=0.05,
    show_default=True,
    help="The share of each faculty's students played.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, MAX_WORKERS),
    default=1,
    show_default=True,
    help="Locust processes (more than 1: a master and this many workers).",
)
@click.option(
    "--through",
    is_flag=True,
    help="Launch every wave, even past the gate's HOLD: find where the platform gives way.",
)
@click.option(
    "--settle-s",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Go on this long after the last launched wave's students have all arrived.",
)
@click.option(
    "--max-minutes",
    type=click.FloatRange(min=0.1, max=600),
    default=60.0,
    show_default=True,
    help="Stop the rehearsal after this long, whatever the plan.",
)
@click.option("--seed", type=int, default=None, help="Override the plan's simulation seed.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.option("--webhook", default=None, help="POST every alert transition here (JSON).")
@click.option("--alertmanager", default=None, help="Alertmanager base URL.")
def rehearse(
    plan: Path,
    target: str,
    owned_host: str | None,
    db: str,
    scale: float,
    workers: int,
    through: bool,
    settle_s: float,
    max_minutes: float,
    seed: int | None,
    as_json: bool,
    webhook: str | None,
    alertmanager: str | None,
) -> None:
    """Play PLAN's waves with virtual students against TARGET while Vigie collects,
    alerts and gates the waves as on exam day; stored as an exercise of mode rehearsal.

    Each faculty's students leave from their own loopback address (127.0.x.y) on a
    loopback target, so per-source limits are real. A wave the gate says HOLD for is
    not launched, nor any after it, unless --through.
    """
    from vigie.rehearse.rehearsal import RehearsalSettings, run_rehearsal
    from vigie.rehearse.report import describe_rehearsal
    from vigie.rehearse.students import StudentsFailed
    from vigie.run.monitoring import NotifierSettings
    from vigie.run.stop_signals import stop_requested

    if importlib.util.find_spec("locust") is None:
        fail("vigie rehearse plays its students with Locust: pip install 'vigie[rehearse]'")
    aimed, loaded = _target_and_plan(target, owned_host, plan)
    settings = RehearsalSettings(
        aimed,
        scale=scale,
        workers=workers,
        through=through,
        settle_s=settle_s,
        max_minutes=max_minutes,
        seed=seed,
        notifiers=NotifierSettings(webhook, alertmanager),
    )
    with opened_store(db) as store:
        try:
            with stop_requested() as interrupted:
                report = run_rehearsal(loaded, store, settings, click.echo, interrupted)
        except ValueError as exc:
            fail(str(exc))
        except StudentsFailed as exc:
            fail(f"the virtual students stopped: {exc}", EXIT_UNAVAILABLE)
    click.echo(_as_json(report) if as_json else describe_rehearsal(report))


def _target_and_plan(target: str, owned_host: str | None, plan: Path) -> tuple[Target, Plan]:
    """The target the students may be aimed at, and the plan; a refusal fails with exit 2."""
    from vigie.rehearse.target import TargetRefused, checked_target

    try:
        return checked_target(target, owned_host), load_plan(plan)
    except TargetRefused as exc:
        fail(str(exc))
    except PlanInvalid as exc:
        fail(exc.lines())


def _as_json(report: RehearsalReport) -> str:
    body = asdict(report.summary) | {"lead_time_s": report.lead_time_s}
    body["servers"] = [asdict(s) for s in report.servers]
    body["decisions"] = [
        {"wave": d.wave, "launched": d.launched, "at_s": d.decided_s, "words": d.words}
        for d in report.decisions
    ]
    return json.dumps(body, indent=2, default=str)
