"""`vigie simulate`: serve the simulated platform's /metrics for a real Prometheus."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable

from prometheus_client import start_http_server

from vigie.clock import SpedUpClock
from vigie.plan import Plan
from vigie.simulator.exporter import PlatformMetrics, platform_registry
from vigie.simulator.platform import ExamPlatform


def serve_metrics(
    plan: Plan,
    host: str,
    port: int,
    speed: float,
    seed: int | None = None,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve until SIGINT or SIGTERM; the exercise starts (T+0) when this is called.

    raises OSError when the address cannot be bound.
    """
    origin = time.time()
    metrics = PlatformMetrics(ExamPlatform(plan, seed), SpedUpClock(origin, speed), origin)
    server, thread = start_http_server(port, addr=host, registry=platform_registry(metrics))
    bound_port = server.server_address[1]
    announce(f"Simulating {plan.exercise.id} at {speed:g}x: http://{host}:{bound_port}/metrics")
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        stop.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        announce("Simulator stopped.")
