"""Vigie's own /metrics: parsed with prometheus_client's parser, scraped by a real
Prometheus from a real collector's store, and readable only with the bearer token."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import SMALL_PLAN, Drilled, DrillFile, copy_of, require
from tests.support.blind_plan import blind_plan
from tests.support.process import VigieProcess
from tests.support.prometheus import PrometheusServer, prometheus_binary
from tests.support.serving import served_to_keepalive_clients
from vigie.clock import SystemClock, VirtualClock
from vigie.dashboard.app import create_app
from vigie.dashboard.auth import AuthSettings
from vigie.dashboard.metrics import read_token
from vigie.store import NewTransition, Store, sqlite_url
from vigie.store.records import AlertState

TOKEN = "s3cret-metrics-token-0123456789"
WITH_TOKEN = AuthSettings(open_demo=False, secret_key="k" * 32, metrics_token=TOKEN)
BEARER = {"Authorization": f"Bearer {TOKEN}"}
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture(scope="module")
def drill(
    tmp_path_factory: pytest.TempPathFactory, small_drill_file: DrillFile
) -> Iterator[Drilled]:
    """The session's small drill, in a store of this module's own."""
    store, exercise_id, t0 = copy_of(
        small_drill_file, tmp_path_factory.mktemp("drill") / "vigie.db"
    )
    yield store, exercise_id, t0
    store.close()


def scrape(client: FlaskClient) -> Samples:
    response = client.get("/metrics", headers=BEARER)
    assert response.status_code == 200, response.text
    assert response.content_type.startswith("text/plain; version=0.0.4")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


def test_metrics_say_the_gate_headroom_and_outbox_of_the_newest_tick(drill: Drilled) -> None:
    store, exercise_id, t0 = drill
    app = create_app(store, VirtualClock(t0 + 200), exercise_id, auth=WITH_TOKEN)
    client = app.server.test_client()
    samples = scrape(client)
    gate = {dict(k[1])["verdict"]: v for k, v in samples.items() if k[0] == "vigie_wave_gate"}
    assert sorted(gate) == ["FORECAST", "GO", "HOLD", "UNKNOWN"] and sum(gate.values()) == 1
    tick = app.server.test_client().get("/healthz").get_json()  # the drill has ended
    assert tick["collector"]["state"] == "ended"
    assert value(samples, "vigie_exercise_live") == 0
    assert value(samples, "vigie_collector_up") == 0
    assert value(samples, "vigie_server_limit_connections", server="gw") == 440
    headroom = value(samples, "vigie_server_headroom_connections", server="gw")
    assert 0 <= headroom < 440
    assert value(samples, "vigie_server_severity", server="gw") in (0, 1, 2, 3)
    assert value(samples, "vigie_source_up", source="platform") == 1
    assert value(samples, "vigie_poll_interval_seconds") == 1
    # The drill queued no notifier: the outbox series exist per notifier once one is.
    assert not [k for k in samples if k[0] == "vigie_notification_backlog"]
    text = client.get("/metrics", headers=BEARER).text
    assert not any(f in text for f in ("alpha", "beta", "gamma", "Faculté"))


def test_metrics_count_each_notifiers_pending_and_failed_deliveries(store: Store) -> None:
    """On SQLite and PostgreSQL: the one grouped count the outbox series come from."""
    t0 = 1_750_000_000.0
    plan = SMALL_PLAN.read_text(encoding="utf-8")
    exercise_id = store.create_exercise(
        plan_id="small-drill", name="Small", mode="live", plan_toml=plan, t0=t0
    )
    fired = NewTransition(
        at=t0,
        rule="headroom",
        subject="gw",
        state=AlertState.FIRING,
        severity="warning",
        message="gw at 85%",
        server="gw",
        notify=True,
    )
    resolved = replace(fired, at=t0 + 1, state=AlertState.RESOLVED, severity="ok", message="gw ok")
    store.alerts.record(exercise_id, [fired, resolved], notifiers=["log", "webhook"])
    first = store.alerts.due("webhook", t0 + 10)[0]
    store.alerts.failed(first.id, 1, "refused")
    app = create_app(store, VirtualClock(t0 + 2), exercise_id, auth=WITH_TOKEN)
    samples = scrape(app.server.test_client())
    backlog = {
        (labels["notifier"], labels["status"]): v
        for (name, label_set), v in samples.items()
        if name == "vigie_notification_backlog" and (labels := dict(label_set))
    }
    assert backlog == {
        ("log", "pending"): 2,
        ("log", "failed"): 0,
        ("webhook", "pending"): 1,
        ("webhook", "failed"): 1,
    }


def test_metrics_need_the_bearer_token_and_say_how_to_get_one(drill: Drilled) -> None:
    store, exercise_id, t0 = drill
    client = create_app(store, VirtualClock(t0), exercise_id, auth=WITH_TOKEN).server.test_client()
    refused = client.get("/metrics", headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 401 and "bearer token" in refused.text
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics").status_code == 401
    off = AuthSettings(open_demo=False, secret_key="k" * 32)
    closed = create_app(store, VirtualClock(t0), exercise_id, auth=off).server.test_client()
    answer = closed.get("/metrics", headers=BEARER)
    assert answer.status_code == 403 and "--metrics-token-file" in answer.text
    demo = create_app(store, VirtualClock(t0), exercise_id).server.test_client()  # loopback
    assert demo.get("/metrics").status_code == 200


def test_a_token_file_is_read_as_prometheus_reads_it_and_a_short_one_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "token"
    path.write_text(f"  {TOKEN}\n")
    assert read_token(path) == TOKEN
    path.write_text("short\n")
    with pytest.raises(ValueError, match="at least 16 characters"):
        read_token(path)
    with pytest.raises(ValueError, match="cannot read it"):
        read_token(tmp_path / "missing")


@pytest.fixture
def prometheus_binary_present() -> None:
    require(
        prometheus_binary() is not None, "Prometheus is not installed (apt-get install prometheus)"
    )


def test_a_real_prometheus_scrapes_the_collector_up_then_down_once_it_is_killed(
    tmp_path: Path, prometheus_binary_present: None
) -> None:
    db = tmp_path / "vigie.db"
    collector = VigieProcess("collect", "--plan", str(blind_plan(tmp_path)), "--db", str(db))
    store = Store.open(sqlite_url(db))
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    try:
        said = collector.wait_for_line(lambda line: line.startswith("Collecting "))
        exercise_id = int(said.split()[-1])
        app = create_app(store, SystemClock(), exercise_id, auth=WITH_TOKEN)
        with served_to_keepalive_clients(app) as url:
            prometheus = PrometheusServer([url.removeprefix("http://")], bearer_file=token_file)
            try:
                prometheus.start()
                prometheus.wait_for("vigie_collector_up", 1)
                prometheus.wait_for("vigie_exercise_live", 1)
                (latency,) = prometheus.instant(
                    'vigie_source_poll_latency_seconds{source="platform"}'
                )
                assert float(latency["value"][1]) >= 0  # type: ignore[index]
                assert requests.get(f"{url}/healthz", timeout=5).status_code == 200
                os.kill(collector.process.pid, signal.SIGKILL)
                prometheus.wait_for("vigie_collector_up", 0, timeout=15)
                stale = requests.get(f"{url}/healthz", timeout=5)
                assert stale.status_code == 503
                assert stale.json()["collector"]["reason"].startswith("nothing written for ")
                (age,) = prometheus.instant("vigie_last_write_age_seconds")
                assert float(age["value"][1]) > 2  # type: ignore[index]
            finally:
                prometheus.cleanup()
    finally:
        collector.stop()
        store.close()
