"""node_exporter, on a faculty's machine (instead of `vigie agent`) or on a server.

On a faculty it gives what the agent's host collector gives (vigie/collectors/host.py),
under the same signal names, so the faculty page reads either the same way. CPU,
memory and throughput are rates and ratios, so only PromQL gives them.

On a server (a NAT or firewall machine) its limit is the connection-tracking table:
past `nf_conntrack_max` the kernel drops new connections ("table full").
"""

from __future__ import annotations

from vigie.exporters.preset import Preset, Selector, Series


def _cpu(select: Selector) -> str:
    idle = select("node_cpu_seconds_total", 'mode="idle"')
    return f"1 - avg(rate({idle}[1m]))"


def _memory(select: Selector) -> str:
    available = select("node_memory_MemAvailable_bytes")
    total = select("node_memory_MemTotal_bytes")
    return f"1 - sum({available}) / sum({total})"


def _rate(metric: str) -> Series:
    def expression(select: Selector) -> str:
        # Loopback carries no student: count the interfaces that do.
        counted = select(metric, 'device!="lo"')
        return f"sum(rate({counted}[1m]))"

    direction = "receive" if "receive" in metric else "transmit"
    return Series(
        "host_network_bytes_per_second",
        (metric,),
        labels={"direction": direction},
        expression=expression,
    )


PRESET = Preset(
    name="node",
    software="node_exporter",
    limit_called="nf_conntrack_max",
    server=(
        Series("server_connections", ("node_nf_conntrack_entries",), required=True),
        Series("server_connection_limit", ("node_nf_conntrack_entries_limit",), is_limit=True),
    ),
    faculty=(
        Series("host_conntrack_entries", ("node_nf_conntrack_entries",)),
        Series("host_conntrack_limit", ("node_nf_conntrack_entries_limit",)),
        Series("host_open_fds", ("node_filefd_allocated",), required=True),
        Series("host_fd_limit", ("node_filefd_maximum",)),
        Series(
            "host_tcp_connections", ("node_netstat_Tcp_CurrEstab",), labels={"state": "ESTABLISHED"}
        ),
        Series("host_cpu_ratio", ("node_cpu_seconds_total",), expression=_cpu),
        Series("host_memory_used_ratio", ("node_memory_MemTotal_bytes",), expression=_memory),
        _rate("node_network_receive_bytes_total"),
        _rate("node_network_transmit_bytes_total"),
    ),
)
