"""A real staging platform on 127.0.0.1 for tests, benchmarks and rehearsals."""

from vigie.staging.haproxy_socket import haproxy_show_info, haproxy_show_stat
from vigie.staging.processes import StagingError
from vigie.staging.stack import StagingSettings, StagingStack, missing_components

__all__ = [
    "StagingError",
    "StagingSettings",
    "StagingStack",
    "haproxy_show_info",
    "haproxy_show_stat",
    "missing_components",
]
