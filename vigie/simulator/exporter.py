"""The simulated platform's metrics, in the names a real platform's exporters use.

`PlatformMetrics` is a prometheus_client collector: each collection first moves
the model to the clock's instant, so a scrape always sees the platform "now".
The same registry is served over HTTP for a real Prometheus and read in-process
by drills, so both see exactly the same series.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import CollectorRegistry

from vigie.clock import Clock
from vigie.simulator.platform import ExamPlatform, Snapshot


class PlatformMetrics:
    def __init__(self, platform: ExamPlatform, clock: Clock, t0: float) -> None:
        self._platform = platform
        self._clock = clock
        self._t0 = t0
        self._lock = threading.Lock()  # the HTTP server scrapes from its own threads

    def snapshot(self) -> Snapshot:
        with self._lock:
            self._platform.advance_to(self._clock.now() - self._t0)
            return self._platform.snapshot()

    def collect(self) -> Iterator[Metric]:
        snap = self.snapshot()
        yield from _faculty_families(snap)
        yield from _server_families(snap)
        stopped = GaugeMetricFamily("exam_exercise_stopped", "1 once the exercise is stopped")
        stopped.add_metric([], 1.0 if snap.stopped else 0.0)
        yield stopped


@dataclass(frozen=True)
class _Family:
    name: str
    help: str
    counter: bool
    value: Callable[[Any], float]


FACULTY_FAMILIES = (
    _Family(
        "exam_faculty_uplink_transmit_bytes",
        "Bytes sent by the faculty's uplink towards the platform",
        True,
        lambda r: r.uplink_bytes_total,
    ),
    _Family(
        "exam_faculty_platform_latency_seconds",
        "Round-trip time of a platform request seen from the faculty",
        False,
        lambda r: r.latency_s,
    ),
)

SERVER_FAMILIES = (
    _Family(
        "exam_server_connections", "Connections the server holds", False, lambda r: r.connections
    ),
    _Family(
        "exam_server_connection_limit",
        "Connections at which the server refuses or throttles",
        False,
        lambda r: r.limit,
    ),
    _Family(
        "exam_server_rejected_connections",
        "Connection attempts refused",
        True,
        lambda r: r.rejected_total,
    ),
    _Family(
        "exam_server_reset_connections",
        "Established connections reset by the server",
        True,
        lambda r: r.reset_total,
    ),
    _Family(
        "exam_server_throttled",
        "1 while the server's security layer throttles",
        False,
        lambda r: 1.0 if r.throttled else 0.0,
    ),
)


def _families(
    table: tuple[_Family, ...], label: str, readings: Mapping[str, Any]
) -> Iterator[Metric]:
    for spec in table:
        kind = CounterMetricFamily if spec.counter else GaugeMetricFamily
        family = kind(spec.name, spec.help, labels=[label])
        for entity_id, reading in readings.items():
            family.add_metric([entity_id], spec.value(reading))
        yield family


def _faculty_families(snap: Snapshot) -> Iterator[Metric]:
    sessions = GaugeMetricFamily(
        "exam_sessions_active", "Students with a live exam session", labels=["faculty", "wave"]
    )
    for faculty_id, reading in snap.faculties.items():
        sessions.add_metric([faculty_id, str(reading.wave)], reading.sessions_active)
    yield sessions
    yield from _families(FACULTY_FAMILIES, "faculty", snap.faculties)


def _server_families(snap: Snapshot) -> Iterator[Metric]:
    return _families(SERVER_FAMILIES, "server", snap.servers)


def platform_registry(metrics: PlatformMetrics) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(metrics)
    return registry
