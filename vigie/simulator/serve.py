"""Serve the simulated platform's /metrics over HTTP, for Prometheus or a scrape collector."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from wsgiref.simple_server import WSGIServer

from prometheus_client import start_http_server

from vigie.clock import Clock, SpedUpClock
from vigie.plan import Plan
from vigie.run.stop_signals import stop_requested
from vigie.simulator.exporter import PlatformMetrics, platform_registry
from vigie.simulator.platform import ExamPlatform


@dataclass
class RunningExporter:
    metrics: PlatformMetrics
    server: WSGIServer
    thread: threading.Thread
    host: str

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}/metrics"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_exporter(
    plan: Plan,
    clock: Clock,
    t0: float,
    host: str = "127.0.0.1",
    port: int = 0,
    seed: int | None = None,
) -> RunningExporter:
    """Serve in a background thread. raises OSError when the address cannot be bound."""
    metrics = PlatformMetrics(ExamPlatform(plan, seed), clock, t0)
    server, thread = start_http_server(port, addr=host, registry=platform_registry(metrics))
    return RunningExporter(metrics, server, thread, host)


def serve_metrics(
    plan: Plan,
    host: str,
    port: int,
    speed: float,
    seed: int | None = None,
    announce: Callable[[str], None] = print,
) -> None:
    """`vigie simulate`: serve until SIGINT or SIGTERM; T+0 is when this is called."""
    origin = time.time()
    exporter = start_exporter(plan, SpedUpClock(origin, speed), origin, host, port, seed)
    announce(f"Simulating {plan.exercise.id} at {speed:g}x: {exporter.url}")
    try:
        with stop_requested() as stop:
            stop.wait()
    finally:
        exporter.stop()
        announce("Simulator stopped.")
