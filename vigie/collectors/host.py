"""The local host through psutil: what a faculty gateway or proxy machine reports.

CPU, memory, network throughput, TCP connections by state, and open file
descriptors and conntrack entries against their limits: a machine's connection
counts against its own limits are the signal the 2022 load test lacked.
psutil and the /proc root are injected, so tests can feed counters that reset.
"""

from __future__ import annotations

import os
import resource
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import psutil as real_psutil

from vigie.series import Labels, Sample

TCP_STATES = (
    "ESTABLISHED",
    "SYN_SENT",
    "SYN_RECV",
    "FIN_WAIT1",
    "FIN_WAIT2",
    "TIME_WAIT",
    "CLOSE",
    "CLOSE_WAIT",
    "LAST_ACK",
    "LISTEN",
    "CLOSING",
)


@dataclass(frozen=True)
class _Counters:
    at: float
    received: int
    sent: int


def counter_increase(previous: int, current: int) -> int:
    """A counter that went down was reset (reboot, interface reset): count from zero."""
    return current - previous if current >= previous else current


class HostCollector:
    def __init__(
        self,
        source: str,
        host: str | None = None,
        psutil: ModuleType | Any = real_psutil,
        proc: Path = Path("/proc"),
    ) -> None:
        self._source = source
        self._host = host or os.uname().nodename
        self._psutil = psutil
        self._proc = proc
        self._previous: _Counters | None = None
        self._cpu_primed = False

    @property
    def name(self) -> str:
        return f"host:{self._host}"

    @property
    def source(self) -> str:
        return self._source

    def collect(self, now: float) -> Sequence[Sample]:
        samples: list[Sample] = []
        samples += self._cpu_and_memory(now)
        samples += self._throughput(now)
        samples += self._tcp_states(now)
        samples += self._descriptors(now)
        return samples

    def _sample(self, name: str, value: float, at: float, **labels: str) -> Sample:
        pairs: Labels = tuple(sorted({"host": self._host, **labels}.items()))
        return Sample(name, pairs, at, float(value))

    def _cpu_and_memory(self, now: float) -> list[Sample]:
        samples = [
            self._sample("host_memory_used_ratio", self._psutil.virtual_memory().percent / 100, now)
        ]
        cpu = self._psutil.cpu_percent(interval=None)
        if self._cpu_primed:  # the first reading compares with nothing: psutil says 0.0
            samples.append(self._sample("host_cpu_ratio", cpu / 100, now))
        self._cpu_primed = True
        return samples

    def _throughput(self, now: float) -> list[Sample]:
        io = self._psutil.net_io_counters()
        current = _Counters(now, io.bytes_recv, io.bytes_sent)
        previous, self._previous = self._previous, current
        if previous is None or now <= previous.at:
            return []
        elapsed = now - previous.at
        received = counter_increase(previous.received, current.received) / elapsed
        sent = counter_increase(previous.sent, current.sent) / elapsed
        return [
            self._sample("host_network_bytes_per_second", received, now, direction="receive"),
            self._sample("host_network_bytes_per_second", sent, now, direction="transmit"),
        ]

    def _tcp_states(self, now: float) -> list[Sample]:
        states = Counter(c.status for c in self._psutil.net_connections(kind="tcp"))
        return [
            self._sample("host_tcp_connections", states.get(state, 0), now, state=state)
            for state in TCP_STATES
        ]

    def _descriptors(self, now: float) -> list[Sample]:
        samples = []
        file_nr = _read_numbers(self._proc / "sys" / "fs" / "file-nr")
        if len(file_nr) == 3:
            allocated, unused, maximum = file_nr
            samples.append(self._sample("host_open_fds", allocated - unused, now))
            samples.append(self._sample("host_fd_limit", maximum, now))
        own_fds = self._psutil.Process().num_fds()
        soft_limit, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        samples.append(self._sample("host_process_open_fds", own_fds, now))
        samples.append(self._sample("host_process_fd_limit", soft_limit, now))
        conntrack = self._proc / "sys" / "net" / "netfilter"
        count = _read_numbers(conntrack / "nf_conntrack_count")
        limit = _read_numbers(conntrack / "nf_conntrack_max")
        if count and limit:  # only where the kernel tracks connections (gateways, NAT)
            samples.append(self._sample("host_conntrack_entries", count[0], now))
            samples.append(self._sample("host_conntrack_limit", limit[0], now))
        return samples


def _read_numbers(path: Path) -> list[int]:
    try:
        return [int(part) for part in path.read_text().split()]
    except (OSError, ValueError):
        return []
