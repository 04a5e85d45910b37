"""The simulated platform's metrics, in the names a real platform's exporters use.

`PlatformMetrics` is a prometheus_client collector: each collection first moves
the model to the clock's instant, so a scrape always sees the platform "now".
The same registry is served over HTTP for a real Prometheus and read in-process
by drills, so both see exactly the same series.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

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


def _faculty_families(snap: Snapshot) -> Iterator[Metric]:
    sessions = GaugeMetricFamily(
        "exam_sessions_active", "Students with a live exam session", labels=["faculty", "wave"]
    )
    uplink = CounterMetricFamily(
        "exam_faculty_uplink_transmit_bytes",
        "Bytes sent by the faculty's uplink towards the platform",
        labels=["faculty"],
    )
    latency = GaugeMetricFamily(
        "exam_faculty_platform_latency_seconds",
        "Round-trip time of a platform request seen from the faculty",
        labels=["faculty"],
    )
    for faculty_id, reading in snap.faculties.items():
        sessions.add_metric([faculty_id, str(reading.wave)], reading.sessions_active)
        uplink.add_metric([faculty_id], reading.uplink_bytes_total)
        latency.add_metric([faculty_id], reading.latency_s)
    return iter((sessions, uplink, latency))


def _server_families(snap: Snapshot) -> Iterator[Metric]:
    connections = GaugeMetricFamily(
        "exam_server_connections", "Connections the server holds", labels=["server"]
    )
    limit = GaugeMetricFamily(
        "exam_server_connection_limit",
        "Connections at which the server refuses or throttles",
        labels=["server"],
    )
    rejected = CounterMetricFamily(
        "exam_server_rejected_connections", "Connection attempts refused", labels=["server"]
    )
    reset = CounterMetricFamily(
        "exam_server_reset_connections",
        "Established connections reset by the server",
        labels=["server"],
    )
    throttled = GaugeMetricFamily(
        "exam_server_throttled", "1 while the server's security layer throttles", labels=["server"]
    )
    for server_id, reading in snap.servers.items():
        connections.add_metric([server_id], reading.connections)
        limit.add_metric([server_id], reading.limit)
        rejected.add_metric([server_id], reading.rejected_total)
        reset.add_metric([server_id], reading.reset_total)
        throttled.add_metric([server_id], 1.0 if reading.throttled else 0.0)
    return iter((connections, limit, rejected, reset, throttled))


def platform_registry(metrics: PlatformMetrics) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(metrics)
    return registry
