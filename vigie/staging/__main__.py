"""`python -m vigie.staging`: run the staging platform on 127.0.0.1 until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import sys

from vigie.signals import stop_requested
from vigie.staging.processes import StagingError
from vigie.staging.stack import StagingSettings, StagingStack


def _settings(argv: list[str] | None) -> StagingSettings:
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
    args = parser.parse_args(argv)
    try:
        return StagingSettings(
            frontend_maxconn=args.frontend_maxconn,
            global_maxconn=max(defaults.global_maxconn, args.frontend_maxconn),
            per_source_limit=args.per_source_limit,
            pg_max_connections=args.pg_max_connections,
        )
    except ValueError as error:
        parser.error(str(error))
        raise  # unreachable: parser.error exits


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
    settings = _settings(argv)
    stack = StagingStack(settings)
    try:
        with stop_requested() as stop:
            stack.start()
            print(_describe(stack), flush=True)
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
