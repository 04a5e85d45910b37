"""PostgreSQL, through `prometheus-postgres-exporter`.

Connections are the backends `pg_stat_activity` lists per database and state. The
limit is `max_connections` less `superuser_reserved_connections`: an application
that does not log in as a superuser is refused ("too many clients") at that many.
"""

from __future__ import annotations

from vigie.exporters.preset import Preset, Series

PRESET = Preset(
    name="postgres",
    software="PostgreSQL",
    limit_called="max_connections - superuser_reserved_connections",
    server=(
        Series("server_connections", ("pg_stat_activity_count",), required=True),
        Series(
            "server_connection_limit",
            ("pg_settings_max_connections", "pg_settings_superuser_reserved_connections"),
            expression=lambda select: (
                f"sum({select('pg_settings_max_connections')})"
                f" - sum({select('pg_settings_superuser_reserved_connections')})"
            ),
            is_limit=True,
        ),
    ),
)
