"""nginx's stub_status, through `prometheus-nginx-exporter`.

nginx does not publish its `worker_connections`, so the plan's limit stands.
Connections it accepted but could not handle (out of workers or descriptors) are
its refusals; only PromQL can subtract the two counters, so a scraped page has none.
"""

from __future__ import annotations

from vigie.exporters.preset import Preset, Series

PRESET = Preset(
    name="nginx",
    software="nginx",
    server=(
        Series("server_connections", ("nginx_connections_active",), required=True),
        Series(
            "server_rejected_total",
            ("nginx_connections_accepted", "nginx_connections_handled"),
            expression=lambda select: (
                f"sum({select('nginx_connections_accepted')})"
                f" - sum({select('nginx_connections_handled')})"
            ),
        ),
    ),
)
