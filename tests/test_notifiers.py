"""Notifiers: a real webhook receiver that goes away and comes back, and a real Alertmanager."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.support.alertmanager import AlertmanagerServer
from tests.support.postgres import free_port
from vigie.alerts.engine import AlertEngine
from vigie.alerts.notify.alertmanager import AlertmanagerNotifier
from vigie.alerts.notify.base import AlertContext, Notifier, NotifyError
from vigie.alerts.notify.dispatch import deliver_due, resend_firing
from vigie.alerts.notify.log import LogNotifier
from vigie.alerts.notify.webhook import WebhookNotifier
from vigie.plan import Plan
from vigie.series import Sample
from vigie.store import AlertTransition, Store
from vigie.store.records import AlertState

T0 = 1_700_000_000.0


@contextmanager
def receiver(port: int, status: int = 200) -> Iterator[list[dict[str, Any]]]:
    """A real HTTP webhook receiver on 127.0.0.1:port that keeps what it is sent."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(status)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def gateway_excursion(plan: Plan, store: Store, notifiers: list[str]) -> tuple[int, float]:
    """Drive the engine through one critical excursion of the small plan's gateway."""
    exercise = store.create_exercise(
        plan_id="small-drill", name="Small", mode="live", plan_toml="", t0=T0
    )
    engine = AlertEngine(plan, store, exercise, T0, 1.0, notifiers=notifiers)
    second = 0
    for level in [100] * 5 + [420] * 20 + [100] * 5:
        second += 1
        at = T0 + second
        engine.observe(
            [
                Sample("server_connections", (("server", "gw"),), at, level),
                Sample("server_connections", (("server", "app"),), at, 10),
            ]
        )
        engine.evaluate(at)
    return exercise, T0 + second


def test_every_transition_reaches_a_webhook_that_was_down_for_a_while(
    small_plan: Plan, sqlite_store: Store
) -> None:
    exercise, now = gateway_excursion(small_plan, sqlite_store, ["webhook", "log"])
    context = AlertContext(exercise, "small-drill")
    port = free_port()
    notifiers: list[Notifier] = [
        WebhookNotifier(f"http://127.0.0.1:{port}/hook", timeout_s=2),
        LogNotifier(),
    ]
    deliver_due(sqlite_store, notifiers, context, now)  # the receiver is down
    statuses = sqlite_store.alerts.deliveries("webhook")
    assert (
        statuses[0][0] == "pending" and statuses[0][1] == 1 and "unreachable" in str(statuses[0][2])
    )
    with receiver(port) as received:
        assert deliver_due(sqlite_store, notifiers[:1], context, now + 1) == 0  # backing off
        deliver_due(sqlite_store, notifiers[:1], context, now + 60)
    expected = [
        (t.rule, t.subject, t.state)
        for t in sqlite_store.alerts.transitions(exercise)
        if t.state in ("firing", "resolved") and t.rule == "headroom"
    ]
    got = [(d["rule"], d["subject"], d["state"]) for d in received if d["rule"] == "headroom"]
    assert got == expected and got[0] == ("headroom", "gw", "firing")
    assert {status for status, _, _ in sqlite_store.alerts.deliveries("webhook")} == {"sent"}
    assert len(received) == len(sqlite_store.alerts.deliveries("webhook"))  # each exactly once


def test_a_receiver_that_refuses_is_recorded_as_failed_not_retried_forever(
    small_plan: Plan, sqlite_store: Store
) -> None:
    exercise, now = gateway_excursion(small_plan, sqlite_store, ["webhook"])
    port = free_port()
    with receiver(port, status=400):
        deliver_due(
            sqlite_store,
            [WebhookNotifier(f"http://127.0.0.1:{port}/")],
            AlertContext(exercise, "x"),
            now,
        )
    outcomes = sqlite_store.alerts.deliveries("webhook")
    assert outcomes and all(
        status == "failed" and "HTTP 400" in str(error) for status, _, error in outcomes
    )


def active(alertmanager: AlertmanagerServer, subject: str) -> list[dict[str, Any]]:
    return [
        a
        for a in alertmanager.alerts()
        if a["labels"].get("subject") == subject
        and a["status"]["state"] == "active"
        and a["endsAt"] > time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    ]


def test_alertmanager_receives_fires_escalations_and_resolutions(
    small_plan: Plan, sqlite_store: Store, alertmanager: AlertmanagerServer
) -> None:
    exercise = sqlite_store.create_exercise(
        plan_id="small-drill", name="Small", mode="live", plan_toml="", t0=time.time()
    )
    engine = AlertEngine(
        small_plan, sqlite_store, exercise, time.time(), 1.0, notifiers=["alertmanager"]
    )
    notifier = AlertmanagerNotifier(alertmanager.url)
    context = AlertContext(exercise, "small-drill", "http://127.0.0.1:8050/")
    start = time.time() - 60  # the steps below happened in the last minute

    def step(offset: float, level: float) -> None:
        at = start + offset
        engine.observe(
            [
                Sample("server_connections", (("server", "gw"),), at, level),
                Sample("server_connections", (("server", "app"),), at, 10),
            ]
        )
        engine.evaluate(at)
        deliver_due(sqlite_store, [notifier], context, at)

    for offset in range(0, 10):
        step(offset, 320)  # 73%: careful
    (careful,) = active(alertmanager, "gw")
    assert careful["labels"] == {
        "alertname": "VigieHeadroom",
        "rule": "headroom",
        "subject": "gw",
        "severity": "careful",
        "exercise": "small-drill",
        "source": "vigie",
        "server": "gw",
    }
    assert careful["annotations"]["summary"].startswith("gw at 320 of 440 connections (73%)")
    for offset in range(10, 20):
        step(offset, 420)  # 95%: critical
    assert [a["labels"]["severity"] for a in active(alertmanager, "gw")] == ["critical"]
    resend_firing(sqlite_store, notifier, context, start)  # kept alive while firing: still one
    assert len(active(alertmanager, "gw")) == 1
    for offset in range(20, 30):
        step(offset, 100)
    assert active(alertmanager, "gw") == []


def test_a_cluster_member_down_does_not_stop_delivery_and_all_down_is_retried(
    alertmanager: AlertmanagerServer,
) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    context = AlertContext(1, "cluster")
    fired = AlertTransition(
        id=1,
        at=time.time(),
        rule="blind",
        subject="src",
        state=AlertState.FIRING,
        severity="critical",
        message="blind",
        server=None,
        facts={},
        actor=None,
    )
    AlertmanagerNotifier(down, alertmanager.url).notify(fired, context)  # one took it
    assert len(active(alertmanager, "src")) == 1
    with pytest.raises(NotifyError) as raised:
        AlertmanagerNotifier(down, timeout_s=1).notify(fired, context)
    assert not raised.value.permanent and "unreachable" in str(raised.value)
