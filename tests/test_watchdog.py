"""The dead man's switch and endsAt, on a real Alertmanager and a real `vigie collect`:
VigieWatchdog is active while the collector runs and expires after its endsAt once the
collector is killed; a firing alert never looks resolved while Vigie runs."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.support.alertmanager import AlertmanagerServer, running_alertmanager
from tests.support.blind_plan import blind_plan
from tests.support.process import VigieProcess
from tests.support.waiting import wait_until
from vigie.alerts.notify.alertmanager import (
    ENDS_AFTER_RESENDS,
    AlertmanagerNotifier,
    alertmanager_urls,
    documents_for,
)
from vigie.alerts.notify.base import AlertContext, iso
from vigie.alerts.notify.dispatch import resend_firing
from vigie.alerts.notify.watchdog import WATCHDOG, Heartbeat
from vigie.cli.main import main
from vigie.store import AlertTransition, Store
from vigie.store.records import AlertState

RESEND_S = 1.0
WATCHDOG_LABELS = {"alertname": WATCHDOG, "severity": "none", "source": "vigie"}


def epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def active(alertmanager: AlertmanagerServer) -> dict[str, dict[str, Any]]:
    """Alerts Alertmanager holds as firing now (its own rule: endsAt still ahead), by name."""
    now = time.time()
    return {
        a["labels"]["alertname"]: a
        for a in alertmanager.alerts()
        if a["status"]["state"] == "active" and epoch(a["endsAt"]) > now
    }


def holds_watchdog_and_blind(alertmanager: AlertmanagerServer) -> bool:
    return {WATCHDOG, "VigieBlind"} <= active(alertmanager).keys()


def transition(state: str, at: float) -> AlertTransition:
    return AlertTransition(
        id=1,
        at=at,
        rule="headroom",
        subject="gw",
        state=AlertState(state),
        severity="critical",
        message="gw at 95%",
        server="gw",
        facts={},
        actor=None,
    )


def test_a_firing_alert_ends_three_resends_ahead_and_a_resolved_one_when_it_resolved() -> None:
    notifier = AlertmanagerNotifier("http://127.0.0.1:1", resend_s=60, wall_clock=lambda: 1000.0)
    context = AlertContext(1, "small-drill")
    (fired, *others) = documents_for(transition("firing", 900.0), context, notifier.ends_at())
    assert (fired["startsAt"], fired["endsAt"]) == (iso(900.0), iso(1000.0 + 3 * 60))
    assert {d["endsAt"] for d in others} == {iso(900.0)}  # the other severities end then
    resolved = documents_for(transition("resolved", 950.0), context, notifier.ends_at())
    assert {d["endsAt"] for d in resolved} == {iso(950.0)}


def test_alertmanager_urls_are_one_or_a_cluster_and_a_bad_one_is_named() -> None:
    assert alertmanager_urls("http://a:9093/, https://b:9093") == (
        "http://a:9093",
        "https://b:9093",
    )
    with pytest.raises(ValueError, match="'ftp://a' is not an http:// or https:// base URL"):
        alertmanager_urls("http://a:9093,ftp://a")
    arguments = ["collect", "--plan", "p", "--db", "d", "--alertmanager", ","]
    refused = CliRunner().invoke(main, arguments)
    assert refused.exit_code == 2 and "no Alertmanager URL given" in refused.output


def test_a_resend_interval_that_would_outlive_resolve_timeout_is_refused() -> None:
    with pytest.raises(ValueError, match=r"resend interval must be in \(0, 100\] s, got 120"):
        AlertmanagerNotifier("http://127.0.0.1:1", resend_s=120)


@pytest.fixture
def another_alertmanager() -> Iterator[AlertmanagerServer]:
    with running_alertmanager() as server:
        yield server


def test_the_watchdog_lives_while_collect_runs_and_expires_once_it_is_killed(
    tmp_path: Path, alertmanager: AlertmanagerServer, another_alertmanager: AlertmanagerServer
) -> None:
    plan = blind_plan(tmp_path)
    both = f"{alertmanager.url},{another_alertmanager.url}"  # a cluster's two members
    collector = VigieProcess(
        "collect", "--plan", str(plan), "--db", str(tmp_path / "vigie.db"),
        "--alertmanager", both, "--alertmanager-resend-s", f"{RESEND_S:g}",
    )  # fmt: skip
    try:
        collector.wait_for_line(lambda line: line.startswith("Collecting "))
        for each in (alertmanager, another_alertmanager):
            wait_until(partial(holds_watchdog_and_blind, each), timeout=20)
        watchdog = active(alertmanager)[WATCHDOG]
        assert watchdog["labels"] == {**WATCHDOG_LABELS, "exercise": "blind"}
        # Longer than a firing alert's endsAt window: resends keep both alive throughout.
        watched_until = time.monotonic() + ENDS_AFTER_RESENDS * RESEND_S + 2
        while time.monotonic() < watched_until:
            held = active(alertmanager)
            assert {WATCHDOG, "VigieBlind"} <= held.keys(), f"an alert looked resolved: {held}"
            ahead = epoch(held["VigieBlind"]["endsAt"]) - time.time()
            assert 0 < ahead <= ENDS_AFTER_RESENDS * RESEND_S + 0.5  # a few resends, no more
            time.sleep(0.2)  # the pace of looking, not a wait for anything
        last_ends_at = epoch(active(alertmanager)[WATCHDOG]["endsAt"])
        os.kill(collector.process.pid, signal.SIGKILL)
        collector.process.wait(timeout=10)
        killed_at = time.time()
        wait_until(lambda: WATCHDOG not in active(alertmanager), timeout=ENDS_AFTER_RESENDS * 5)
        expired_at = time.time()
        assert WATCHDOG not in active(another_alertmanager)  # sent to both, expired on both
    finally:
        collector.stop()
    assert killed_at < last_ends_at <= expired_at + 0.5  # it lived to its endsAt, no further
    assert expired_at - killed_at <= ENDS_AFTER_RESENDS * RESEND_S + 2


def test_a_process_whose_polls_stopped_withholds_the_watchdog_so_it_expires(
    sqlite_store: Store, alertmanager: AlertmanagerServer
) -> None:
    exercise = sqlite_store.create_exercise(
        plan_id="hung", name="Hung", mode="live", plan_toml="", t0=time.time()
    )
    context = AlertContext(exercise, "hung")
    notifier = AlertmanagerNotifier(alertmanager.url, resend_s=0.5)
    now = [0.0]
    heartbeat = Heartbeat(within_s=2.0, monotonic=lambda: now[0])

    def watchdog_active() -> bool:
        return any(
            a["labels"] == {**WATCHDOG_LABELS, "exercise": "hung"}
            and a["status"]["state"] == "active"
            and epoch(a["endsAt"]) > time.time()
            for a in alertmanager.alerts()
        )

    resend_firing(sqlite_store, notifier, context, time.time(), heartbeat)
    assert watchdog_active()
    now[0] = 5.0  # no poll cycle judged for 5 s
    assert heartbeat.silent_for() == 5.0
    resend_firing(sqlite_store, notifier, context, time.time(), heartbeat)
    wait_until(lambda: not watchdog_active(), timeout=ENDS_AFTER_RESENDS * 0.5 + 3)
    heartbeat.beat()
    assert heartbeat.silent_for() is None
