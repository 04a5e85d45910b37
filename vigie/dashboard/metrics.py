"""`GET /metrics`: Vigie's own health for the platform's Prometheus, in its text format.

Computed from the store at each scrape (a `Collector` on a registry of this app's
own, never the process-global one), so every gunicorn worker answers the same and
nothing is kept between scrapes. National figures only: no faculty appears.

Series (gauges; Prometheus adds `job` and `instance`):
- `vigie_exercise_live`: 1 while a live exercise is being collected (not ended, not
  a drill or import): the collector is expected. Alert on
  `vigie_exercise_live == 1 and vigie_collector_up == 0`.
- `vigie_collector_up`: 1 when the collector wrote within 2 polls (as /healthz).
- `vigie_last_write_age_seconds`, `vigie_last_tick_age_seconds`: the newest write
  (tick state or source health) and the newest per-tick state, in seconds.
- `vigie_poll_interval_seconds`: the plan's fastest poll, what "2 polls" means.
- `vigie_source_up{source}`, `vigie_source_poll_latency_seconds{source}`.
- `vigie_notification_backlog{notifier,status}`: deliveries pending (queued or
  waiting for a retry) and failed (given up), per notifier.
- `vigie_wave_gate{wave,verdict}`: one series per verdict state (GO, HOLD,
  FORECAST, UNKNOWN), 1 for the gate's current verdict on the next wave.
- `vigie_wave_gate_binding{server}`: 1 for the server whose limit binds first in
  that verdict, 0 for the others.
- `vigie_server_headroom_connections{server}` (limit minus connections, absent
  before the first measurement), `vigie_server_limit_connections{server}`,
  `vigie_server_severity{server}`: 0 ok, 1 careful, 2 warning, 3 critical,
  -1 unknown (or stopped).

Who may read it: whoever holds the metrics bearer token (`vigie serve
--metrics-token-file`, Prometheus' `authorization.credentials_file`). Headroom
and the gate's verdict are what the wall shows, and the wall needs an account or
a kiosk link: /metrics must not be a way around that. Without a token it is
refused (403, saying how to give one), except in open demo mode (loopback only).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Iterator
from pathlib import Path

from dash import Dash
from flask import Response, request
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric

from vigie.dashboard.context import Exercise, ViewContext
from vigie.dashboard.freshness import CollectorState, Freshness, collector_freshness
from vigie.store.records import DeliveryStatus
from vigie.tick import TickState

GATE_VERDICTS = ("GO", "HOLD", "FORECAST", "UNKNOWN")
SEVERITY_CODES = {"ok": 0, "careful": 1, "warning": 2, "critical": 3}
BACKLOG = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)
COLLECTED = (CollectorState.FRESH, CollectorState.STALE)
MIN_TOKEN_CHARS = 16


class StoreMetrics:
    """A prometheus_client Collector: reads the store when scraped."""

    def __init__(self, context: ViewContext) -> None:
        self._context = context

    def collect(self) -> Iterator[Metric]:
        context = self._context
        exercise = context.exercise()
        if exercise is None:
            yield _gauge("vigie_exercise_live", "A live exercise is being collected.", 0)
            return
        now = context.clock.now()
        freshness = collector_freshness(context.store, exercise, now)
        yield from _collector(freshness, now)
        yield from _sources(context, exercise)
        yield from _backlog(context, exercise)
        tick = context.tick(exercise, now)
        if tick is not None:
            yield from _gate(tick)
            yield from _servers(tick)


def _gauge(name: str, documentation: str, value: float | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _labelled(name: str, documentation: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=labels)


def _collector(freshness: Freshness, now: float) -> Iterable[Metric]:
    live = freshness.state in COLLECTED
    yield _gauge("vigie_exercise_live", "A live exercise is being collected.", float(live))
    yield _gauge("vigie_collector_up", "The collector wrote within 2 polls.", float(freshness.up))
    interval = freshness.poll_interval_s
    yield _gauge("vigie_poll_interval_seconds", "The plan's fastest poll interval.", interval)
    if live and freshness.age_s is not None:
        yield _gauge(
            "vigie_last_write_age_seconds", "Age of the collector's newest write.", freshness.age_s
        )
    if freshness.newest_tick is not None:
        age = max(0.0, now - freshness.newest_tick)
        yield _gauge("vigie_last_tick_age_seconds", "Age of the newest per-tick state.", age)


def _sources(context: ViewContext, exercise: Exercise) -> Iterable[Metric]:
    up = _labelled("vigie_source_up", "The source answered its last poll.", ["source"])
    latency = _labelled(
        "vigie_source_poll_latency_seconds", "How long the source's last poll took.", ["source"]
    )
    for health in context.store.source_health(exercise.record.id):
        up.add_metric([health.source], float(health.up))
        if health.last_latency_s is not None:
            latency.add_metric([health.source], health.last_latency_s)
    yield from (up, latency)


def _backlog(context: ViewContext, exercise: Exercise) -> Iterable[Metric]:
    backlog = _labelled(
        "vigie_notification_backlog",
        "Deliveries pending or failed, per notifier.",
        ["notifier", "status"],
    )
    counts = context.store.alerts.outbox(exercise.record.id)
    for notifier in sorted({notifier for notifier, _ in counts}):
        for status in BACKLOG:
            backlog.add_metric([notifier, status], counts.get((notifier, status), 0))
    yield backlog


def _gate(tick: TickState) -> Iterable[Metric]:
    if tick.gate is None:
        return
    gate = _labelled(
        "vigie_wave_gate", "The wave gate's verdict on the next wave.", ["wave", "verdict"]
    )
    for verdict in GATE_VERDICTS:
        gate.add_metric([str(tick.gate.wave), verdict], float(tick.gate.verdict == verdict))
    binding = _labelled(
        "vigie_wave_gate_binding", "The server whose limit binds first.", ["server"]
    )
    for server in tick.servers:
        binding.add_metric([server.id], float(server.id == tick.gate.server))
    yield from (gate, binding)


def _servers(tick: TickState) -> Iterable[Metric]:
    headroom = _labelled(
        "vigie_server_headroom_connections", "Limit minus connections.", ["server"]
    )
    limit = _labelled("vigie_server_limit_connections", "The connection limit.", ["server"])
    severity = _labelled(
        "vigie_server_severity",
        "0 ok, 1 careful, 2 warning, 3 critical, -1 unknown.",
        ["server"],
    )
    for server in tick.servers:
        if server.headroom is not None:
            headroom.add_metric([server.id], server.headroom)
        limit.add_metric([server.id], server.limit)
        severity.add_metric([server.id], SEVERITY_CODES.get(server.severity, -1))
    yield from (headroom, limit, severity)


def read_token(path: Path) -> str:
    """The token as Prometheus reads its credentials_file: the file's text, trimmed.
    raises ValueError when it cannot be read or is too short to resist guessing."""
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read it ({exc})") from exc
    if len(token) < MIN_TOKEN_CHARS:
        raise ValueError(f"the token must be at least {MIN_TOKEN_CHARS} characters")
    return token


def install_metrics(app: Dash, context: ViewContext, token: str | None, open_demo: bool) -> None:
    """`token`: the bearer token Prometheus sends; None refuses every scrape (403) unless
    `open_demo` (loopback only, no accounts)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreMetrics(context))

    @app.server.route("/metrics")
    def metrics() -> Response:
        refusal = _refusal(token, open_demo)
        if refusal is not None:
            return refusal
        # The classic text format, which every Prometheus 2.x reads (Debian 12's is 2.42).
        return Response(generate_latest(registry), content_type=CONTENT_TYPE_PLAIN_0_0_4)


def _refusal(token: str | None, open_demo: bool) -> Response | None:
    if token is None:
        if open_demo:
            return None
        return _text(403, "/metrics is off: start `vigie serve` with --metrics-token-file\n")
    given = request.headers.get("Authorization", "")
    scheme, _, credentials = given.partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(credentials.encode(), token.encode()):
        return None
    response = _text(401, "/metrics needs the bearer token of --metrics-token-file\n")
    response.headers["WWW-Authenticate"] = 'Bearer realm="vigie-metrics"'
    return response


def _text(status: int, message: str) -> Response:
    return Response(message, status=status, content_type="text/plain; charset=utf-8")
