"""HAProxy's built-in Prometheus exporter (`http-request use-service prometheus-exporter`).

- `haproxy`: one frontend (`proxy` = its name). Its limit is the frontend's `maxconn`
  (`haproxy_frontend_limit_sessions`). Past it HAProxy stops accepting, and clients
  wait in the kernel's backlog. Its refusals are what its rules deny: a stick-table
  reject on `tcp-request connection` counts in denied connections, one on
  `tcp-request session` in denied sessions, `http-request deny` in denied requests.
- `haproxy-process`: the whole process against the global `maxconn`.
- `haproxy-backend`: one backend's sessions and connection errors. Its
  `limit_sessions` is `fullconn`, a tuning hint for dynamic server limits and not
  where HAProxy refuses, so the plan's limit stands.
"""

from __future__ import annotations

from vigie.exporters.preset import Preset, Series

FRONTEND = Preset(
    name="haproxy",
    software="HAProxy",
    needs=("proxy",),
    limit_called="frontend maxconn",
    server=(
        Series("server_connections", ("haproxy_frontend_current_sessions",), required=True),
        Series("server_connection_limit", ("haproxy_frontend_limit_sessions",), is_limit=True),
        Series(
            "server_rejected_total",
            (
                "haproxy_frontend_denied_connections_total",
                "haproxy_frontend_denied_sessions_total",
                "haproxy_frontend_requests_denied_total",
            ),
        ),
    ),
)

PROCESS = Preset(
    name="haproxy-process",
    software="HAProxy",
    limit_called="global maxconn",
    server=(
        Series("server_connections", ("haproxy_process_current_connections",), required=True),
        Series("server_connection_limit", ("haproxy_process_max_connections",), is_limit=True),
    ),
)

BACKEND = Preset(
    name="haproxy-backend",
    software="HAProxy",
    needs=("proxy",),
    server=(
        Series("server_connections", ("haproxy_backend_current_sessions",), required=True),
        Series("server_rejected_total", ("haproxy_backend_connection_errors_total",)),
    ),
)

PRESETS = (FRONTEND, PROCESS, BACKEND)
