"""The collector killed with kill -9 mid-exercise and restarted with --exercise: what it
learned (background load, wave launches) survives, so no false HOLD and no repeated alert."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tests.support.postgres import free_port
from tests.support.process import VigieProcess
from tests.support.waiting import wait_until
from vigie.store import AlertTransition, Store, sqlite_url

# Wave 2 fits only once the gateway's 150 background connections (declared 0 in the
# plan, measured at T+0) are kept out of the per-student ratio: 150 + 120 x 2 x 1.05
# = 402 of 480 (84%). Wave 1 goes out at T+12 s: the collector sees the platform
# with nobody connected first, as it would before an exam. A collector that forgot the
# baseline would measure 4.5 connections per student and say HOLD (120 x 4.5 x 1.05 = 567).
PLAN = """
[exercise]
id = "restart"
name = "Collector restart"
duration_min = 10

[[waves]]
number = 1
start_min = 0.2

[[waves]]
number = 2
start_min = 0.8

[[faculties]]
id = "alpha"
name = "Alpha"
expected_students = 60
wave = 1

[[faculties]]
id = "beta"
name = "Beta"
expected_students = 60
wave = 2

[[servers]]
id = "gw"
role = "gateway"
connection_limit = 480
connections_per_student = 2

[[sources]]
id = "platform"
kind = "scrape"
url = "http://127.0.0.1:PORT/metrics"

[[signals]]
name = "sessions_active"
source = "platform"
entity = "faculty"
metric = "exam_sessions_active"

[[signals]]
name = "server_connections"
source = "platform"
entity = "server"
metric = "exam_server_connections"

[alerts.wave_gate]
min_sessions = 20

[simulation]
seed = 3
connect_delay = { distribution = "lognormal", median_s = 4, sigma = 0.5, max_s = 15 }

[[simulation.server_load]]
server = "gw"
share = 1.0
base_connections = 150
"""


def notifying(transitions: list[AlertTransition]) -> list[AlertTransition]:
    state: dict[tuple[str, str], str] = {}
    found = []
    for t in transitions:
        key = (t.rule, t.subject)
        if t.state == "firing" or (t.state == "resolved" and state.get(key) == "firing"):
            found.append(t)
        state[key] = t.state
    return found


def sessions(store: Store, exercise: int) -> float:
    return sum(p.value for p in store.latest(exercise, "sessions_active", time.time()).values())


def test_a_collector_killed_and_restarted_keeps_its_baseline_and_says_no_false_hold(
    tmp_path: Path,
) -> None:
    port = free_port()
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN.replace("PORT", str(port)), encoding="utf-8")
    db = tmp_path / "restart.db"
    simulator = VigieProcess("simulate", str(plan), "--port", str(port), "--speed", "1")
    collectors: list[VigieProcess] = []
    store: Store | None = None
    try:
        simulator.wait_for_line(lambda line: line.startswith("Simulating restart"))
        first = VigieProcess("collect", "--plan", str(plan), "--db", str(db))
        collectors.append(first)
        line = first.wait_for_line(lambda line: line.startswith("Collecting 1 sources"))
        exercise = int(line.rsplit(" ", 1)[1])
        store = Store.open(sqlite_url(db))
        wait_until(lambda: sessions(store, exercise) >= 30, timeout=60)  # wave 1 measured
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
        learned = {(f.kind, f.key): f.value for f in store.learned.all(exercise)}
        assert learned[("baseline", "gw")] == 150

        second = VigieProcess(
            "collect", "--plan", str(plan), "--db", str(db), "--exercise", str(exercise)
        )
        collectors.append(second)
        wait_until(lambda: sessions(store, exercise) >= 110, timeout=90)  # wave 2 is in
        wait_until(
            lambda: ("launch", "2") in {(f.kind, f.key) for f in store.learned.all(exercise)}
        )
        # Wave 2 takes the gateway past 70% of its limit: a real alert to notify.
        wait_until(lambda: any(t.state == "firing" for t in store.alerts.transitions(exercise)))
        transitions = store.alerts.transitions(exercise)
        gate_warnings = [
            t
            for t in transitions
            if t.rule == "wave_gate" and t.facts.get("verdict") in ("HOLD", "FORECAST")
        ]
        assert gate_warnings == []
        steps = [(t.rule, t.subject, t.state, t.severity) for t in transitions]
        assert len(steps) == len(set(steps)), f"a transition was recorded twice: {steps}"
        # Every notifying transition (a firing, a resolution of a firing alert) has exactly
        # one delivery queued for the log notifier: none lost, none doubled by the restart.
        assert len(store.alerts.deliveries("log")) == len(notifying(transitions)) > 0
        assert {(f.kind, f.key): f.value for f in store.learned.all(exercise)}[
            ("baseline", "gw")
        ] == 150
    finally:
        if store is not None:
            store.close()
        for collector in collectors:
            if collector.process.poll() is None:
                collector.stop()
        assert simulator.stop() == 0
