"""`python -m vigie.staging`: run the staging platform on 127.0.0.1 until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vigie.plan import PlanInvalid, load_plan
from vigie.rehearse.scaled import plan_text
from vigie.resources import seed_plan
from vigie.run.stop_signals import stop_requested
from vigie.staging.plan import Timing, staging_plan
from vigie.staging.processes import StagingError
from vigie.staging.stack import StagingSettings, StagingStack, missing_components

SEED_PLAN = seed_plan()


def _arguments(argv: list[str] | None) -> tuple[StagingSettings, argparse.Namespace]:
    parser = argparse.ArgumentParser(
        prog="python -m vigie.staging",
        description="Start the staging platform (loopback only) and print its URLs.",
    )
    defaults = StagingSettings()
    parser.add_argument("--frontend-maxconn", type=int, default=defaults.frontend_maxconn)
    parser.add_argument(
        "--per-source-limit",
        type=int,
        default=None,
        help="connections allowed per source address (HAProxy's stick table); off by default",
    )
    parser.add_argument("--pg-max-connections", type=int, default=defaults.pg_max_connections)
    parser.add_argument(
        "--write-plan",
        type=Path,
        metavar="OUT",
        help="write a plan for this platform there, from --plan-from's faculties and waves",
    )
    parser.add_argument(
        "--plan-from",
        type=Path,
        default=SEED_PLAN,
        metavar="PLAN",
        help="the plan whose faculties and waves --write-plan keeps (default: the seed)",
    )
    parser.add_argument(
        "--wave-gap-min", type=float, default=None, help="minutes between waves in that plan"
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=0.05,
        help="its faculties' students, scaled (default 0.05): rehearse it with --scale 1",
    )
    args = parser.parse_args(argv)
    try:
        settings = StagingSettings(
            frontend_maxconn=args.frontend_maxconn,
            global_maxconn=max(defaults.global_maxconn, args.frontend_maxconn),
            per_source_limit=args.per_source_limit,
            pg_max_connections=args.pg_max_connections,
        )
    except ValueError as error:
        parser.error(str(error))
        raise  # unreachable: parser.error exits
    if args.write_plan is not None:
        try:
            load_plan(args.plan_from)
        except PlanInvalid as error:
            parser.error(str(error))
    return settings, args


def _write_plan(stack: StagingStack, settings: StagingSettings, args: argparse.Namespace) -> None:
    base = load_plan(args.plan_from)
    timing = Timing(wave_gap_min=args.wave_gap_min)
    plan = staging_plan(base, stack, settings, timing, scale=args.scale)
    args.write_plan.write_text(plan_text(plan), encoding="utf-8")
    print(f"plan for this platform       {args.write_plan}", flush=True)


def _describe(stack: StagingStack) -> str:
    lines = [
        f"exam app (through HAProxy)  {stack.exam_url}",
        f"exam app metrics            {stack.app_metrics_url}",
        f"HAProxy metrics             {stack.haproxy_metrics_url}",
        f"HAProxy admin socket        {stack.haproxy_stats_socket}",
        f"PostgreSQL                  {stack.postgres_dsn}",
        f"postgres exporter           {stack.postgres_exporter_url}",
        f"node exporter               {stack.node_exporter_url}",
        f"Prometheus                  {stack.prometheus_url}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    settings, args = _arguments(argv)
    missing = missing_components()
    if missing:
        print(
            f"the staging platform needs {', '.join(missing)}: apt-get install haproxy "
            "postgresql-15 prometheus prometheus-node-exporter prometheus-postgres-exporter; "
            "pip install 'vigie[postgres]'",
            file=sys.stderr,
        )
        return 1
    stack = StagingStack(settings)
    try:
        with stop_requested() as stop:
            stack.start()
            print(_describe(stack), flush=True)
            if args.write_plan is not None:
                _write_plan(stack, settings, args)
            print("Ctrl-C or SIGTERM stops everything.", flush=True)
            stop.wait()
    except StagingError as error:
        print(f"staging stack failed: {error}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
