"""The `vigie` command. Exit codes: 0 done, 1 could not run (store, port), 2 bad input."""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from pathlib import Path

import click

from vigie.netcheck import is_loopback
from vigie.plan import Plan, PlanInvalid, load_plan
from vigie.resources import seed_plan
from vigie.store import Store, StoreUnavailable, sqlite_url

EXIT_UNAVAILABLE = 1
EXIT_BAD_INPUT = 2


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log what the collectors and scheduler do.")
@click.version_option(package_name="vigie")
def main(verbose: bool) -> None:
    """Vigie: the control room for national digital exam days."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _load(path: Path) -> tuple[Plan, str]:
    """The plan and its text; on any error print one line per problem and exit 2."""
    try:
        plan = load_plan(path)
    except PlanInvalid as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        sys.exit(EXIT_BAD_INPUT)
    return plan, path.read_text(encoding="utf-8")


def _open_store(url: str) -> Store:
    try:
        return Store.open(url if "://" in url else sqlite_url(url))
    except StoreUnavailable as exc:
        click.echo(f"vigie: {exc}", err=True)
        sys.exit(EXIT_UNAVAILABLE)


PLAN_ARGUMENT = click.argument("plan", type=click.Path(path_type=Path, dir_okay=False))
DB_HELP = "Store URL (SQLAlchemy, e.g. postgresql+psycopg://...) or a SQLite file path."


@main.command()
@PLAN_ARGUMENT
def check(plan: Path) -> None:
    """Validate PLAN; print every error with its field path (exit 2 if any)."""
    from vigie.plan_report import describe

    loaded, _ = _load(plan)
    click.echo(describe(loaded))


@main.command()
@PLAN_ARGUMENT
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.option("--db", default=None, help=DB_HELP + " Without it, a temporary store.")
@click.option("--seed", type=int, default=None, help="Override the plan's simulation seed.")
def drill(plan: Path, as_json: bool, db: str | None, seed: int | None) -> None:
    """Run PLAN's whole exercise on a virtual clock: simulator -> collection -> store."""
    from vigie.drill import run_drill
    from vigie.drill_report import describe_drill
    from vigie.summary import summarize

    loaded, toml_text = _load(plan)
    with tempfile.TemporaryDirectory(prefix="vigie-drill-") as scratch:
        store = _open_store(db or sqlite_url(Path(scratch) / "drill.db"))
        try:
            run = run_drill(loaded, toml_text, store, seed)
            summary = summarize(store, run.exercise_id, loaded)
        finally:
            store.close()
    if as_json:
        click.echo(json.dumps(summary.as_json(), indent=2))
    else:
        click.echo(describe_drill(loaded, run, summary, kept_in=db))


@main.command()
@PLAN_ARGUMENT
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=9108, show_default=True)
@click.option("--speed", type=click.FloatRange(min=0.01), default=1.0, show_default=True)
@click.option("--seed", type=int, default=None, help="Override the plan's simulation seed.")
def simulate(plan: Path, host: str, port: int, speed: float, seed: int | None) -> None:
    """Serve PLAN's simulated platform metrics for Prometheus, starting now."""
    from vigie.simulator.serve import serve_metrics

    loaded, _ = _load(plan)
    try:
        serve_metrics(loaded, host, port, speed, seed, announce=click.echo)
    except OSError as exc:
        click.echo(f"vigie: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_UNAVAILABLE)


@main.command()
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Exam plan (default: the shipped seed exercise of 21 January 2022).",
)
@click.option("--db", default="vigie-demo.db", show_default=True, help=DB_HELP)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8050, show_default=True)
@click.option(
    "--speed",
    type=click.FloatRange(min=0.01),
    default=9.0,
    show_default=True,
    help="How much faster than real time the exercise plays.",
)
def demo(plan_path: Path | None, db: str, host: str, port: int, speed: float) -> None:
    """Play an exercise sped up, collect it and serve the dashboard, in one process."""
    from vigie.demo import DemoSettings, run_demo

    if not is_loopback(host):
        click.echo(
            f"vigie: the demo has no accounts, so it serves only on a loopback address "
            f"(got {host})",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)
    loaded, toml_text = _load(plan_path or seed_plan())
    store = _open_store(db)
    click.echo("Open demo mode: no login, loopback only.")
    try:
        run_demo(loaded, toml_text, store, DemoSettings(host, port, speed), announce=click.echo)
    except OSError as exc:
        click.echo(f"vigie: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_UNAVAILABLE)
