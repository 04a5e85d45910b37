"""Failover on PostgreSQL, as processes: two `vigie collect` on one exercise of a real
simulator, the active one killed with kill -9 by its PID. The standby writes within
2 polls, and every transition reaches the webhook and Alertmanager once."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.support.alertmanager import AlertmanagerServer
from tests.support.postgres import PostgresServer, free_port
from tests.support.process import VigieProcess
from tests.support.waiting import wait_until
from tests.test_live import plan_reading
from tests.test_notifiers import receiver
from tests.test_restart import notifying
from vigie.store import AlertTransition, Store

POLL_S = 1.0  # the small plan's source interval


def first_write_after(store: Store, exercise: int, instant: float) -> float | None:
    """When the first poll after `instant` was written (its source_up sample)."""
    window = store.window(exercise, "source_up", instant, time.time() + 60)
    times = [p.at for points in window.values() for p in points if p.at > instant]
    return min(times, default=None)


def duplicated(transitions: list[AlertTransition]) -> int:
    """Steps recorded twice: an alert re-raised in the state and severity it was in."""
    last: dict[tuple[str, str], tuple[str, str]] = {}
    doubles = 0
    for t in transitions:
        if t.state == "acknowledged":
            continue
        key = (t.rule, t.subject)
        doubles += last.get(key) == (t.state, t.severity)
        last[key] = (t.state, t.severity)
    return doubles


def all_sent(store: Store, notifier: str) -> bool:
    deliveries = store.alerts.deliveries(notifier)
    return bool(deliveries) and all(status == "sent" for status, _, _ in deliveries)


@pytest.mark.postgres
def test_a_standby_takes_over_within_2_polls_and_each_transition_is_notified_once(
    tmp_path: Path, postgres: PostgresServer, alertmanager: AlertmanagerServer
) -> None:
    port, hook = free_port(), free_port()
    url = postgres.new_database_url()
    plan = str(plan_reading(port, tmp_path))
    simulator = VigieProcess("simulate", plan, "--port", str(port), "--speed", "40")
    flags = ["--db", url, "--webhook", f"http://127.0.0.1:{hook}/"]
    flags += ["--alertmanager", alertmanager.url]
    collectors: list[VigieProcess] = []
    store = Store.open(url)
    try:
        simulator.wait_for_line(lambda line: line.startswith("Simulating small-drill"))
        with receiver(hook) as received:
            active = VigieProcess("collect", "--plan", plan, *flags)
            collectors.append(active)
            line = active.wait_for_line(lambda line: line.startswith("Collecting 1 sources"))
            exercise = int(line.rsplit(" ", 1)[1])
            standby = VigieProcess("collect", "--plan", plan, *flags)
            collectors.append(standby)
            said = standby.wait_for_line(lambda line: line.startswith("Standing by"))
            assert f":{active.process.pid} (epoch 1)" in said
            wait_until(lambda: bool(received) and all_sent(store, "webhook"), timeout=30)

            os.kill(active.process.pid, signal.SIGKILL)
            killed_at = time.time()
            active.process.wait(timeout=10)
            standby.wait_for_line(lambda line: line.startswith("Collecting 1 sources"))
            wait_until(lambda: first_write_after(store, exercise, killed_at) is not None)
            taken_over_at = first_write_after(store, exercise, killed_at)
            assert taken_over_at is not None and taken_over_at - killed_at <= 2 * POLL_S

            before = len(store.alerts.transitions(exercise))
            wait_until(lambda: len(store.alerts.transitions(exercise)) > before, timeout=40)
            wait_until(lambda: all_sent(store, "webhook") and all_sent(store, "alertmanager"))
            transitions = store.alerts.transitions(exercise)
            assert duplicated(transitions) == 0, transitions
            expected = sorted(t.id for t in notifying(transitions))
            assert sorted(d["id"] for d in received) == expected  # each once, none lost
            assert len(store.alerts.deliveries("alertmanager")) == len(expected)
            firing = {
                (t.rule, t.subject, t.severity)
                for t in store.alerts.last_states(exercise)
                if t.state == "firing"
            }
            shown = [
                (a["labels"]["rule"], a["labels"]["subject"], a["labels"]["severity"])
                for a in alertmanager.alerts()
                if a["status"]["state"] == "active" and a["labels"]["alertname"] != "VigieWatchdog"
            ]
            assert len(shown) == len(set(shown)) and set(shown) == firing
    finally:
        store.close()
        for collector in collectors:
            if collector.process.poll() is None:
                assert collector.stop() == 0
        assert simulator.stop() == 0
