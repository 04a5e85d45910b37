"""The staging HAProxy configuration, rendered from typed settings.

The `exam` frontend is what students reach; its `maxconn` is what
`haproxy_frontend_limit_sessions{proxy="exam"}` reports. With `per_source_limit` set it
carries the per-source-address throttle (the 2022 security rule): the connection past
N from one address is rejected. The `metrics` frontend serves HAProxy's own exporter.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, kw_only=True)
class HaproxySettings:
    frontend_port: int
    metrics_port: int
    backend_port: int
    stats_socket: Path
    frontend_maxconn: int = 2000
    global_maxconn: int = 4000
    per_source_limit: int | None = None

    def __post_init__(self) -> None:
        if self.frontend_maxconn < 1 or self.global_maxconn < self.frontend_maxconn:
            raise ValueError(
                f"need 1 <= frontend_maxconn ({self.frontend_maxconn})"
                f" <= global_maxconn ({self.global_maxconn})"
            )
        if self.per_source_limit is not None and self.per_source_limit < 1:
            raise ValueError(f"per_source_limit must be at least 1, got {self.per_source_limit}")


GLOBAL = """\
global
    maxconn {global_maxconn}
    stats socket {stats_socket} mode 600 level admin

defaults
    mode http
    option http-keep-alive
    timeout client 5m
    timeout http-keep-alive 5m
    timeout server 30s
    timeout connect 5s
    http-reuse always
"""

FRONTEND = """
frontend exam
    bind 127.0.0.1:{frontend_port}
    maxconn {frontend_maxconn}
{throttle}    default_backend app
"""

THROTTLE = """\
    stick-table type ip size 100k expire 30s store conn_cur
    tcp-request connection track-sc0 src
    tcp-request connection reject if {{ sc_conn_cur(0) gt {limit} }}
"""

BACKEND_AND_METRICS = """
backend app
    option httpchk GET /healthz
    server app1 127.0.0.1:{backend_port} check inter 1s

frontend metrics
    bind 127.0.0.1:{metrics_port}
    http-request use-service prometheus-exporter if {{ path /metrics }}
    no log
"""


def render_haproxy_config(settings: HaproxySettings) -> str:
    throttle = ""
    if settings.per_source_limit is not None:
        throttle = THROTTLE.format(limit=settings.per_source_limit)
    return (
        GLOBAL.format(global_maxconn=settings.global_maxconn, stats_socket=settings.stats_socket)
        + FRONTEND.format(
            frontend_port=settings.frontend_port,
            frontend_maxconn=settings.frontend_maxconn,
            throttle=throttle,
        )
        + BACKEND_AND_METRICS.format(
            backend_port=settings.backend_port, metrics_port=settings.metrics_port
        )
    )
