"""The `vigie` command: its options, and what each command does with them.

Every error goes through `support.fail`, with the exit codes `support` defines
(0 done, 1 could not run, 2 bad input; `check --strict`: 3 a limit cannot hold,
4 a live limit is not the plan's), which `vigie --help` prints."""

from __future__ import annotations

import json
import logging
import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import click

from vigie.cli.accounts import kiosk, user
from vigie.cli.db import db_group
from vigie.cli.rehearse import rehearse
from vigie.cli.scale import scale
from vigie.cli.support import (
    DB_HELP,
    EXIT_BAD_INPUT,
    EXIT_CANNOT_HOLD,
    EXIT_LIMITS_DIFFER,
    EXIT_UNAVAILABLE,
    exit_codes_help,
    fail,
    opened_store,
    store_url,
)
from vigie.collectors.import_span import DEFAULT_CHUNK_STEPS, MAX_CHUNK_STEPS
from vigie.netcheck import is_loopback
from vigie.plan import Plan, PlanInvalid, load_plan
from vigie.plan.starts_at import StartNotWritable, with_starts_at
from vigie.resources import seed_plan
from vigie.run.exam_date import STARTS_AT_HELP, StartRefused, parse_starts_at, start_warning
from vigie.store import Store, sqlite_url


@click.group(epilog=exit_codes_help())
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
        fail(exc.lines())
    return plan, path.read_text(encoding="utf-8")


def _load_starting(path: Path, starts_at: str | None) -> tuple[Plan, str]:
    """`_load`, with `--starts-at` (if given) replacing the plan's start in the plan and
    in the text the store keeps, so every screen reads the same T+0; a bad value exits 2."""
    plan, text = _load(path)
    if starts_at is None:
        return plan, text
    try:
        when = parse_starts_at(starts_at, plan.exercise.starts_at, datetime.now(UTC))
        return with_starts_at(plan, text, when)
    except (StartRefused, StartNotWritable) as exc:
        fail(str(exc))


def warn_about_start(plan: Plan, starts_at: datetime | None) -> None:
    """On stderr, the warning when a live exercise would start far from now."""
    duration = timedelta(minutes=plan.exercise.duration_min)
    message = start_warning(starts_at, datetime.now(UTC), duration)
    if message is not None:
        click.echo(message, err=True)


FC = TypeVar("FC", bound=Callable[..., object])
PLAN_ARGUMENT = click.argument("plan", type=click.Path(path_type=Path, dir_okay=False))
WEBHOOK = click.option("--webhook", default=None, help="POST every alert transition here (JSON).")


def _alertmanagers(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    from vigie.alerts.notify.alertmanager import alertmanager_urls

    try:
        return None if value is None else ",".join(alertmanager_urls(value))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


ALERTMANAGER = click.option(
    "--alertmanager",
    default=None,
    callback=_alertmanagers,
    help="Alertmanager base URL, e.g. http://127.0.0.1:9093; a cluster's members separated "
    "by commas (each gets every alert and the VigieWatchdog).",
)
STARTS_AT = click.option("--starts-at", "starts_at", default=None, help=STARTS_AT_HELP)
# A CSP source that is exactly one origin: no wildcard, path or quote can widen it.
FRAME_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?")
ALERTMANAGER_RESEND = click.option(
    "--alertmanager-resend-s",
    "alertmanager_resend_s",
    type=click.FloatRange(min=0, max=100, min_open=True),
    default=60.0,
    show_default=True,
    help="Resend firing alerts and the VigieWatchdog this often; each ends 3 resends ahead.",
)


def _secret_file_option(flag: str, text: str) -> Callable[[FC], FC]:
    # Not `exists=True`: `_signing_secrets` says what is wrong with a file, missing or not.
    return click.option(flag, type=click.Path(path_type=Path, dir_okay=False), help=text)


SECRET_FILE = _secret_file_option(
    "--secret-file",
    "Sign session cookies with this secret (at least 32 bytes, mode 600) instead of the "
    "key kept in the store: give every host behind the load balancer the same one.",
)
PREVIOUS_SECRET_FILE = _secret_file_option(
    "--previous-secret-file",
    "After a rotation, the secret before it: cookies it signed are still accepted (and "
    "signed anew with --secret-file's), so no screen is logged out.",
)


@main.command()
@PLAN_ARGUMENT
@click.option(
    "--strict",
    is_flag=True,
    help=f"Exit {EXIT_CANNOT_HOLD} when the pre-flight finds a limit that cannot hold.",
)
@click.option(
    "--live",
    is_flag=True,
    help="Read each exporter's limit now from the plan's sources, flag where the plan "
    f"differs, and run the pre-flight on the limits in force (with --strict: exit "
    f"{EXIT_LIMITS_DIFFER} when one differs, {EXIT_UNAVAILABLE} when a source cannot be read).",
)
@STARTS_AT
def check(plan: Path, strict: bool, live: bool, starts_at: str | None) -> None:
    """Validate PLAN and run its pre-flight; print every error with its field path (exit 2).

    A start far from now is warned about on stderr and changes no exit code, even with
    --strict: plans are checked weeks ahead and kept after the exam, the real start is
    given to `serve` with --starts-at, and exit 3 means one thing (a limit cannot hold).
    """
    from vigie.capacity.preflight import preflight
    from vigie.cli.plan_report import describe
    from vigie.exporters.live_check import check_live, live_lines

    loaded, _ = _load_starting(plan, starts_at)
    checked = check_live(loaded) if live else None
    if checked is not None:
        click.echo("\n".join(live_lines(loaded, checked)) + "\n")
        loaded = checked.plan_in_force
    click.echo(describe(loaded))
    warn_about_start(loaded, loaded.exercise.starts_at)
    if strict and any(not row.holds for row in preflight(loaded)):
        fail(f"{plan}: a limit cannot hold (--strict)", EXIT_CANNOT_HOLD)
    if strict and checked is not None and checked.differs:
        fail(f"{plan}: the live limits are not the plan's (--strict)", EXIT_LIMITS_DIFFER)
    if strict and checked is not None and (checked.failures or checked.unread):
        fail(f"{plan}: a live limit could not be read (--strict)", EXIT_UNAVAILABLE)


@main.command()
@PLAN_ARGUMENT
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.option("--db", default=None, help=DB_HELP + " Without it, a temporary store.")
@click.option("--seed", type=int, default=None, help="Override the plan's simulation seed.")
def drill(plan: Path, as_json: bool, db: str | None, seed: int | None) -> None:
    """Run PLAN's whole exercise on a virtual clock: simulator -> collection -> store."""
    from vigie.cli.drill_report import describe_drill
    from vigie.review.summary import summarize
    from vigie.run.drill import run_drill

    loaded, toml_text = _load(plan)
    with (
        tempfile.TemporaryDirectory(prefix="vigie-drill-") as scratch,
        opened_store(db or sqlite_url(Path(scratch) / "drill.db")) as store,
    ):
        run = run_drill(loaded, toml_text, store, seed)
        summary = summarize(store, run.exercise_id, loaded)
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
        fail(_cannot_listen(host, port, exc), EXIT_UNAVAILABLE)


def _cannot_listen(host: str, port: int, exc: OSError) -> str:
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


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
@WEBHOOK
@ALERTMANAGER
def demo(
    plan_path: Path | None,
    db: str,
    host: str,
    port: int,
    speed: float,
    webhook: str | None,
    alertmanager: str | None,
) -> None:
    """Play an exercise sped up, collect it and serve the dashboard, in one process."""
    from vigie.run.demo import DemoSettings, run_demo
    from vigie.run.monitoring import NotifierSettings

    if not is_loopback(host):
        fail(f"the demo has no accounts, so it serves only on a loopback address (got {host})")
    loaded, toml_text = _load(plan_path or seed_plan())
    notifiers = NotifierSettings(webhook, alertmanager, dashboard_url=f"http://{host}:{port}/")
    settings = DemoSettings(host, port, speed, notifiers)
    with opened_store(db) as store:
        click.echo("Open demo mode: no login, loopback only.")
        try:
            run_demo(loaded, toml_text, store, settings, announce=click.echo)
        except OSError as exc:
            fail(_cannot_listen(host, port, exc), EXIT_UNAVAILABLE)


@main.command()
@click.option("--plan", "plan_path", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--db", required=True, help=DB_HELP)
@click.option(
    "--exercise",
    "exercise_id",
    type=int,
    default=None,
    help="Go on collecting into this exercise (after a restart) instead of a new one.",
)
@WEBHOOK
@ALERTMANAGER
@ALERTMANAGER_RESEND
@click.option(
    "--dashboard-url", default="", help="Where alerts link to (Alertmanager's generatorURL)."
)
@STARTS_AT
# serve's own collector: it stops when serve's master is gone, even killed with -9.
@click.option("--exit-with-parent", is_flag=True, hidden=True)
def collect(
    plan_path: Path,
    db: str,
    webhook: str | None,
    alertmanager: str | None,
    alertmanager_resend_s: float,
    dashboard_url: str,
    exercise_id: int | None,
    starts_at: str | None,
    exit_with_parent: bool,
) -> None:
    """Run the plan's collectors and alerts alone. One `collect` per exercise is active
    (it holds the exercise's lease in the store); any other stands by and takes over
    within 2 polls if the active one dies."""
    from vigie.run.live import run_collection
    from vigie.run.monitoring import NotifierSettings

    if exercise_id is not None and starts_at is not None:
        fail(f"--starts-at sets a new exercise's start; exercise {exercise_id} has its own")
    loaded, toml_text = _load_starting(plan_path, starts_at)
    notifiers = NotifierSettings(
        webhook,
        alertmanager,
        dashboard_url=dashboard_url,
        alertmanager_resend_s=alertmanager_resend_s,
    )
    with opened_store(db) as store:
        if exercise_id is not None and store.exercise(exercise_id) is None:
            fail(f"exercise {exercise_id} is not in the store")
        run_collection(
            loaded,
            toml_text,
            store,
            exercise_id,
            notifiers,
            announce=click.echo,
            warn=_warn,
            exit_with_parent=exit_with_parent,
        )


def _warn(message: str) -> None:
    click.echo(message, err=True)


@main.command()
@click.option("--plan", "plan_path", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--db", required=True, help=DB_HELP)
@click.option(
    "--bind",
    default="127.0.0.1:8050",
    show_default=True,
    help="HOST:PORT to listen on (port 0: any free port, printed).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="gunicorn sync workers serving the screens.",
)
@click.option(
    "--collect/--no-collect",
    "collecting",
    default=True,
    show_default=True,
    help="Start the collector process (--no-collect: a `vigie collect` runs elsewhere).",
)
@click.option("--debug", is_flag=True, help="Dash dev tools; refused on a non-loopback address.")
@click.option(
    "--open",
    "open_demo",
    is_flag=True,
    help="Open demo mode: no login. Refused on a non-loopback address.",
)
@click.option(
    "--trusted-proxies",
    type=click.IntRange(0, 5),
    default=0,
    show_default=True,
    help="Reverse proxies in front (1 behind deploy/haproxy.cfg): the client's address "
    "and scheme are then read from their X-Forwarded-For and X-Forwarded-Proto.",
)
@click.option(
    "--secure-cookies/--no-secure-cookies",
    default=None,
    help="Mark the session cookie Secure. Default: whenever the request came over TLS.",
)
@click.option(
    "--frame-ancestors",
    "frame_ancestors",
    multiple=True,
    metavar="ORIGIN",
    help="An origin (https://host) that may show the pages in a frame, such as a kiosk "
    "embedder on the same site (the session cookie is SameSite=Lax); repeatable. "
    "Default: none may.",
)
@WEBHOOK
@ALERTMANAGER
@ALERTMANAGER_RESEND
@click.option(
    "--metrics-token-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="A file holding the bearer token Prometheus sends to scrape /metrics "
    "(its authorization.credentials_file). Without it /metrics is refused.",
)
@SECRET_FILE
@PREVIOUS_SECRET_FILE
@STARTS_AT
def serve(
    plan_path: Path,
    db: str,
    bind: str,
    workers: int,
    collecting: bool,
    debug: bool,
    open_demo: bool,
    trusted_proxies: int,
    secure_cookies: bool | None,
    frame_ancestors: tuple[str, ...],
    webhook: str | None,
    alertmanager: str | None,
    alertmanager_resend_s: float,
    metrics_token_file: Path | None,
    secret_file: Path | None,
    previous_secret_file: Path | None,
    starts_at: str | None,
) -> None:
    """Serve the screens and the agents' push endpoint for a live exercise."""
    from vigie.dashboard.auth import AuthSettings
    from vigie.run.live import run_server

    secret, previous_secrets = _signing_secrets(secret_file, previous_secret_file)
    host, port = _listening_address(bind, frame_ancestors, debug=debug, open_demo=open_demo)
    loaded, toml_text = _load_starting(plan_path, starts_at)
    with opened_store(db) as store:
        _check_who_logs_in(store, open_demo)
        auth = AuthSettings(
            open_demo=open_demo,
            secret_key=secret or store.accounts.sessions.signing_key(time.time()),
            previous_secret_keys=previous_secrets,
            secure_cookies=secure_cookies,
            trusted_proxies=trusted_proxies,
            frame_ancestors=frame_ancestors,
            metrics_token=_metrics_token(metrics_token_file),
        )
        notifier_flags = _notifier_flags(
            f"http://{host}:{port}/",
            webhook=webhook,
            alertmanager=alertmanager,
            resend_s=alertmanager_resend_s,
        )
        run_server(
            loaded,
            toml_text,
            store,
            plan_path=plan_path,
            db_url=store_url(db),
            bind=f"{host}:{port}",
            workers=workers,
            collector_flags=notifier_flags if collecting else None,
            auth=auth,
            debug=debug,
            announce=click.echo,
            warn=_warn,
        )


def _listening_address(
    bind: str, frame_ancestors: tuple[str, ...], *, debug: bool, open_demo: bool
) -> tuple[str, int]:
    """--bind's host and port; fails on a frame ancestor that is not one origin, and on
    debug or open demo mode anywhere but loopback."""
    for origin in frame_ancestors:
        if not FRAME_ORIGIN.fullmatch(origin):
            fail(f"--frame-ancestors {origin!r} is not an origin")
    host, port = _bind_address(bind)
    for flag, wanted in (("debug mode", debug), ("open demo mode", open_demo)):
        if wanted and not is_loopback(host):
            fail(f"{flag} is refused on {host}: loopback only")
    return host, port


def _check_who_logs_in(store: Store, open_demo: bool) -> None:
    """Open demo mode says nobody logs in; otherwise an operator must be able to."""
    if open_demo:
        click.echo("Open demo mode: no login, loopback only.")
    elif not any(u.role == "operator" and u.disabled is None for u in store.accounts.users()):
        fail(
            "no operator account yet: add one with "
            "`vigie user add NAME --role operator --db ...` (or --open on 127.0.0.1)"
        )


def _notifier_flags(
    dashboard_url: str, *, webhook: str | None, alertmanager: str | None, resend_s: float
) -> list[str]:
    """serve's notifier options, as its collector process is given them."""
    flags = ["--dashboard-url", dashboard_url]
    flags += ["--webhook", webhook] if webhook else []
    flags += ["--alertmanager", alertmanager] if alertmanager else []
    return [*flags, "--alertmanager-resend-s", f"{resend_s:g}"]


def _signing_secrets(
    secret_file: Path | None, previous_file: Path | None
) -> tuple[bytes | None, tuple[bytes, ...]]:
    """The secrets read from --secret-file and --previous-secret-file (None: the store's
    key signs); a file that cannot serve exits 2, saying why."""
    from vigie.dashboard.security.signing_secret import SecretRefused, read_secret

    if previous_file is not None and secret_file is None:
        fail("--previous-secret-file needs --secret-file: the secret that signs from now on")
    read: list[bytes] = []
    for flag, path in (("--secret-file", secret_file), ("--previous-secret-file", previous_file)):
        try:
            read += [] if path is None else [read_secret(path)]
        except SecretRefused as exc:
            fail(f"{flag} {path}: {exc}")
    return (read[0] if read else None), tuple(read[1:])


def _metrics_token(path: Path | None) -> str | None:
    from vigie.dashboard.metrics import read_token

    try:
        return None if path is None else read_token(path)
    except ValueError as exc:
        fail(f"--metrics-token-file {path}: {exc}")


def _bind_address(bind: str) -> tuple[str, int]:
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        fail(f"--bind {bind!r} is not HOST:PORT (e.g. 127.0.0.1:8050)")
    return host.strip("[]"), int(port)


@main.command()
@click.option(
    "--central", required=True, help="The central Vigie's URL, e.g. https://vigie.example"
)
@click.option("--faculty", required=True, help="This faculty's id in the plan.")
@click.option(
    "--token-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    required=True,
    help="File holding this faculty's agent token.",
)
@click.option("--probe", "probes", multiple=True, help="A platform URL to probe (repeatable).")
@click.option("--interval", type=click.FloatRange(min=0.05), default=5.0, show_default=True)
@click.option(
    "--spool",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("vigie-agent-spool"),
    show_default=True,
    help="Folder where batches wait while the central is unreachable.",
)
@click.option("--spool-max-mb", type=click.FloatRange(min=1), default=50, show_default=True)
@click.option("--host", "host_name", default=None, help="This machine's name (default: hostname).")
def agent(
    central: str,
    faculty: str,
    token_file: Path,
    probes: tuple[str, ...],
    interval: float,
    spool: Path,
    spool_max_mb: float,
    host_name: str | None,
) -> None:
    """Measure this faculty machine and the platform; push to the central Vigie."""
    from vigie.agent.main import AgentSettings, run_agent

    token = token_file.read_text(encoding="utf-8").strip()
    if not token:
        fail(f"{token_file} is empty: it must hold the agent token")
    settings = AgentSettings(
        central=central,
        faculty=faculty,
        token=token,
        probes=probes,
        interval_s=interval,
        spool=spool,
        spool_max_bytes=int(spool_max_mb * 1024 * 1024),
        host=host_name,
    )
    run_agent(settings, announce=click.echo)


@main.group()
def token() -> None:
    """Faculty agents' push tokens (stored hashed; shown once)."""


@token.command("create")
@click.option("--faculty", required=True)
@click.option("--db", required=True, help=DB_HELP)
def token_create(faculty: str, db: str) -> None:
    """Create a token for FACULTY's agent and print it once."""
    from vigie.accounts.tokens import new_token, token_hash

    secret = new_token()
    with opened_store(db) as store:
        token_id = store.add_agent_token(faculty, token_hash(secret))
    click.echo(
        f"token {token_id} for faculty {faculty} (shown once, keep it in the agent's token file):"
    )
    click.echo(secret)


@token.command("revoke")
@click.argument("token_id", type=int)
@click.option("--db", required=True, help=DB_HELP)
def token_revoke(token_id: int, db: str) -> None:
    """Revoke token TOKEN_ID: its agent's next push is refused."""
    with opened_store(db) as store:
        revoked = store.revoke_agent_token(token_id)
    if not revoked:
        fail(f"no live token {token_id}")
    click.echo(f"token {token_id} revoked")


@token.command("list")
@click.option("--db", required=True, help=DB_HELP)
def token_list(db: str) -> None:
    """List tokens: id, faculty, created, revoked."""
    with opened_store(db) as store:
        tokens = store.agent_tokens()
    for row in tokens:
        state = "live" if row.revoked is None else f"revoked {_utc_seconds(row.revoked)}"
        click.echo(f"{row.id}\t{row.faculty}\t{_utc_seconds(row.created)}\t{state}")


def _utc_seconds(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")


@main.command()
@click.argument("exercise_id", metavar="EXERCISE", type=int)
@click.option("--db", required=True, help=DB_HELP)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("report.html"),
    show_default=True,
    help="The HTML report (one file; opens offline in any browser).",
)
@click.option(
    "--csv",
    "csv_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Also write samples.csv, alerts.csv and annotations.csv into this folder.",
)
@click.option(
    "--lang", type=click.Choice(["en", "fr"]), default=None, help="Default: the plan's language."
)
def report(exercise_id: int, db: str, out: Path, csv_dir: Path | None, lang: str | None) -> None:
    """Write the post-mortem report of EXERCISE: timeline, charts, faculties, alerts."""
    if "://" not in db and not Path(db).is_file():
        fail(f"no store at {db}", EXIT_UNAVAILABLE)  # a report must not create an empty one
    with opened_store(db) as store:
        written = _write_report(store, exercise_id, out, csv_dir, lang)
    for path in written:
        click.echo(f"wrote {path}")


def _write_report(
    store: Store, exercise_id: int, out: Path, csv_dir: Path | None, lang: str | None
) -> list[Path]:
    """The files `report` writes, with a progress bar for a long CSV export; an unknown
    exercise or a stored plan that no longer loads fails with exit 2, a file that
    cannot be written with exit 1."""
    from vigie.review.make import make_report

    try:
        # The HTML takes seconds; the samples' CSV of a long exercise takes minutes.
        samples = store.sample_count(exercise_id) if csv_dir is not None else 0
        with click.progressbar(
            length=samples,
            label="Exporting samples",
            show_eta=True,
            file=sys.stderr,
            hidden=not (samples and sys.stderr.isatty()),
        ) as bar:
            return make_report(store, exercise_id, out, csv_dir, lang, bar.update)
    except LookupError as exc:
        fail(str(exc))
    except PlanInvalid as exc:
        fail(f"the plan stored with exercise {exercise_id} no longer loads: {exc.errors[0]}")
    except OSError as exc:
        fail(f"cannot write {exc.filename or out}: {exc.strerror or exc}", EXIT_UNAVAILABLE)


@main.command("import")
@click.option("--plan", "plan_path", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--db", required=True, help=DB_HELP)
@click.option("--prometheus", "prometheus_url", required=True, help="Prometheus base URL.")
@click.option("--from", "start", required=True, help="ISO 8601 with offset, or epoch seconds.")
@click.option("--to", "end", required=True, help="ISO 8601 with offset, or epoch seconds.")
@click.option("--step", default="1s", show_default=True, help="Resolution, e.g. 1s, 500ms, 1m.")
@click.option(
    "--chunk-steps",
    type=click.IntRange(1, MAX_CHUNK_STEPS),
    default=DEFAULT_CHUNK_STEPS,
    show_default=True,
    help="Steps per range query and per transaction (Prometheus allows 11,000 points).",
)
def import_(
    *,
    plan_path: Path,
    db: str,
    prometheus_url: str,
    start: str,
    end: str,
    step: str,
    chunk_steps: int,
) -> None:
    """Backfill an exercise from Prometheus range queries; run again to resume."""
    from vigie.collectors.backfill import PrometheusRange, run_import
    from vigie.collectors.import_span import ImportRefused, make_span
    from vigie.collectors.prometheus import QueryFailed, QueryRefused

    loaded, toml_text = _load(plan_path)
    try:
        span = make_span(start, end, step)
        source = PrometheusRange(loaded, prometheus_url)
    except ImportRefused as exc:
        fail(str(exc))
    if not source.reachable():
        fail(f"cannot reach Prometheus at {prometheus_url}", EXIT_UNAVAILABLE)
    with opened_store(db) as store:
        try:
            with click.progressbar(
                length=span.steps,
                label="Importing",
                show_eta=True,
                file=sys.stderr,
                hidden=not sys.stderr.isatty(),  # a log file gets the outcome, not a bar's label
            ) as bar:
                run = run_import(loaded, toml_text, store, source, span, chunk_steps, bar.update)
        except QueryFailed as exc:
            code = EXIT_BAD_INPUT if isinstance(exc, QueryRefused) else EXIT_UNAVAILABLE
            fail(f"import stopped ({exc}); run the same command again to resume", code)
    how = "resumed" if run.resumed_from is not None else "imported"
    click.echo(f"Exercise {run.exercise_id} {how}: {span.steps} steps, {run.samples} samples read")


@main.group()
def alerts() -> None:
    """Alerts of an exercise: list them, acknowledge one."""


@alerts.command("list")
@click.option("--db", required=True, help=DB_HELP)
@click.option("--exercise", "exercise_id", type=int, required=True)
def alerts_list(db: str, exercise_id: int) -> None:
    """Every transition of EXERCISE, oldest first."""
    from vigie.i18n.formats import exercise_clock

    with opened_store(db) as store:
        record = store.exercise(exercise_id)
        if record is None:
            fail(f"exercise {exercise_id} is not in the store")
        transitions = store.alerts.transitions(exercise_id)
    for t in transitions:
        by = f" by {t.actor}" if t.actor else ""
        click.echo(
            f"T+{exercise_clock(t.at - record.t0)}\t{t.state}{by}\t{t.severity}\t"
            f"{t.rule}/{t.subject}\t{t.message}"
        )


@alerts.command("ack")
@click.option("--db", required=True, help=DB_HELP)
@click.option("--exercise", "exercise_id", type=int, required=True)
@click.option("--rule", required=True)
@click.option("--subject", required=True)
@click.option("--by", "actor", required=True, help="Who acknowledges it.")
def alerts_ack(*, db: str, exercise_id: int, rule: str, subject: str, actor: str) -> None:
    """Acknowledge the alert firing for RULE on SUBJECT."""
    with opened_store(db) as store:
        ack = store.alerts.acknowledge(
            exercise_id, rule=rule, subject=subject, actor=actor, at=time.time()
        )
    if ack is None:
        fail(f"no {rule} alert is firing on {subject}")
    click.echo(f"acknowledged {rule}/{subject} by {actor}")


main.add_command(user)
main.add_command(kiosk)
main.add_command(rehearse)
main.add_command(db_group)
main.add_command(scale)
