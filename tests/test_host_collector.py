"""The psutil host collector: real readings on this machine, and counters that reset."""

from __future__ import annotations

import socket
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from vigie.collectors.host import HostCollector, counter_increase


def by_name(samples: Any) -> dict[tuple[str, Any], float]:
    return {(s.name, s.labels): s.value for s in samples}


def test_real_machine_reports_memory_connections_and_descriptors() -> None:
    collector = HostCollector("host", host="gw-1")
    collector.collect(100.0)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname()) as client:
            accepted, _ = server.accept()
            got = by_name(collector.collect(101.0))
            accepted.close()
            assert client
    assert 0 < got[("host_memory_used_ratio", (("host", "gw-1"),))] <= 1
    assert 0 <= got[("host_cpu_ratio", (("host", "gw-1"),))] <= 1
    assert got[("host_tcp_connections", (("host", "gw-1"), ("state", "LISTEN")))] >= 1
    assert got[("host_tcp_connections", (("host", "gw-1"), ("state", "ESTABLISHED")))] >= 2
    assert (
        0
        < got[("host_open_fds", (("host", "gw-1"),))]
        < got[("host_fd_limit", (("host", "gw-1"),))]
    )
    own = got[("host_process_open_fds", (("host", "gw-1"),))]
    assert 0 < own < got[("host_process_fd_limit", (("host", "gw-1"),))]
    assert ("host_network_bytes_per_second", (("direction", "receive"), ("host", "gw-1"))) in got


class FakePsutil:
    """Counters a test controls: for the arithmetic only, not for the machine's truth."""

    def __init__(self) -> None:
        self.received, self.sent = 1000, 5000

    def virtual_memory(self) -> Any:
        return SimpleNamespace(percent=50.0)

    def cpu_percent(self, interval: None = None) -> float:
        return 25.0

    def net_io_counters(self) -> Any:
        return SimpleNamespace(bytes_recv=self.received, bytes_sent=self.sent)

    def net_connections(self, kind: str) -> list[Any]:
        return [SimpleNamespace(status="ESTABLISHED")] * 3 + [SimpleNamespace(status="TIME_WAIT")]

    def Process(self) -> Any:
        return SimpleNamespace(num_fds=lambda: 12)


def test_throughput_is_a_rate_and_survives_a_counter_reset(tmp_path: Path) -> None:
    fake = FakePsutil()
    collector = HostCollector("host", host="h", psutil=fake, proc=tmp_path)
    first = by_name(collector.collect(10.0))
    assert not [k for k in first if k[0] in ("host_network_bytes_per_second", "host_cpu_ratio")]
    fake.received, fake.sent = 3000, 5500
    second = by_name(collector.collect(12.0))
    receive = ("host_network_bytes_per_second", (("direction", "receive"), ("host", "h")))
    transmit = ("host_network_bytes_per_second", (("direction", "transmit"), ("host", "h")))
    assert (second[receive], second[transmit]) == (1000.0, 250.0)
    fake.received, fake.sent = 400, 6000  # the interface was reset: the counter restarted
    third = by_name(collector.collect(14.0))
    assert (third[receive], third[transmit]) == (200.0, 250.0)
    assert third[("host_tcp_connections", (("host", "h"), ("state", "TIME_WAIT")))] == 1
    assert third[("host_tcp_connections", (("host", "h"), ("state", "SYN_RECV")))] == 0


def test_limits_are_read_from_the_proc_tree_given(tmp_path: Path) -> None:
    (tmp_path / "sys" / "fs").mkdir(parents=True)
    (tmp_path / "sys" / "fs" / "file-nr").write_text("2048\t48\t100000\n")
    conntrack = tmp_path / "sys" / "net" / "netfilter"
    conntrack.mkdir(parents=True)
    (conntrack / "nf_conntrack_count").write_text("61000\n")
    (conntrack / "nf_conntrack_max").write_text("65536\n")
    got = by_name(HostCollector("host", host="h", psutil=FakePsutil(), proc=tmp_path).collect(1.0))
    assert got[("host_open_fds", (("host", "h"),))] == 2000
    assert got[("host_fd_limit", (("host", "h"),))] == 100000
    assert got[("host_conntrack_entries", (("host", "h"),))] == 61000
    assert got[("host_conntrack_limit", (("host", "h"),))] == 65536


def test_counter_increase_treats_a_drop_as_a_restart() -> None:
    assert counter_increase(100, 150) == 50
    assert counter_increase(100, 30) == 30
