"""The staging platform against its real components: gunicorn, HAProxy, PostgreSQL, the
exporters and Prometheus, all on 127.0.0.1, started once for the module."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ROOT, require
from tests.support.waiting import wait_until
from vigie.plan import load_plan
from vigie.staging import (
    StagingError,
    StagingSettings,
    StagingStack,
    haproxy_show_info,
    haproxy_show_stat,
    missing_components,
)
from vigie.staging.haproxy_config import HaproxySettings, render_haproxy_config

SETTINGS = StagingSettings(frontend_maxconn=300, per_source_limit=6, pg_max_connections=40)
CONNTRACK_MAX = Path("/proc/sys/net/netfilter/nf_conntrack_max")


def require_components() -> None:
    missing = missing_components()
    require(not missing, f"the staging stack needs {', '.join(missing)} (see .ci/run)")


@pytest.fixture(scope="module")
def stack() -> Iterator[StagingStack]:
    require_components()
    with StagingStack(SETTINGS) as started:
        yield started


def scraped(url: str, name: str, **labels: str) -> float:
    """The value of one sample on a /metrics page; KeyError if it is not there."""
    for family in text_string_to_metric_families(requests.get(url, timeout=5).text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    raise KeyError(f"{name}{labels} not on {url}")


def queried(stack: StagingStack, query: str) -> float | None:
    """An instant PromQL query's single value, or None while it has no result."""
    response = requests.get(f"{stack.prometheus_url}/api/v1/query", params={"query": query})
    result = response.json()["data"]["result"]
    return float(result[0]["value"][1]) if result else None


def prometheus_by_faculty(stack: StagingStack, query: str) -> dict[str, float]:
    response = requests.get(f"{stack.prometheus_url}/api/v1/query", params={"query": query})
    result = response.json()["data"]["result"]
    return {r["metric"]["faculty"]: float(r["value"][1]) for r in result}


def connect_from(address: str, port: int) -> socket.socket:
    """A TCP connection to 127.0.0.1:port coming from another loopback address."""
    sock = socket.socket()
    sock.settimeout(5)
    sock.bind((address, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def healthz_over(sock: socket.socket) -> bytes:
    """Send a keep-alive GET /healthz and read what comes back (b"" when closed)."""
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: staging\r\n\r\n")
    return sock.recv(4096)


def closed_by_peer(sock: socket.socket) -> bool:
    """True when the server resets or closes the connection instead of answering."""
    try:
        return healthz_over(sock) == b""
    except ConnectionError:  # reset, or a broken pipe when the reset came first
        return True


def refused_from(address: str, port: int) -> bool:
    """True when the server resets or closes a new connection from `address` instead of
    answering it: the reset may come before connect() returns or after the request."""
    try:
        sock = connect_from(address, port)
    except ConnectionError:
        return True
    with sock:
        return closed_by_peer(sock)


def login(stack: StagingStack, student: str, faculty: str) -> requests.Session:
    client = requests.Session()
    response = client.post(f"{stack.exam_url}/login", json={"student": student, "faculty": faculty})
    assert response.status_code == 200, response.text
    return client


@pytest.mark.parametrize("limit", [None, 6])
def test_rendered_haproxy_config_passes_haproxy_check(tmp_path: Path, limit: int | None) -> None:
    require(shutil.which("haproxy") is not None, "haproxy is not installed")
    settings = HaproxySettings(
        frontend_port=8080,
        metrics_port=8404,
        backend_port=8000,
        stats_socket=tmp_path / "admin.sock",
        frontend_maxconn=300,
        per_source_limit=limit,
    )
    config = tmp_path / "haproxy.cfg"
    config.write_text(render_haproxy_config(settings))
    checked = subprocess.run(
        ["haproxy", "-c", "-f", str(config)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert ("sc_conn_cur(0) gt 6" in config.read_text()) == (limit is not None)


def test_student_logs_in_answers_and_logs_out_through_haproxy(stack: StagingStack) -> None:
    with login(stack, "lille-0001", "lille") as client:
        assert "exam_session" in client.cookies
        question = client.get(f"{stack.exam_url}/question")
        assert question.status_code == 200
        body = question.json()
        assert isinstance(body["id"], int) and isinstance(body["text"], str)
        answer = {"question": body["id"], "answer": "la tachycardie"}
        assert client.post(f"{stack.exam_url}/answer", json=answer).json() == {"ok": True}
        assert client.post(f"{stack.exam_url}/logout").status_code == 200
        assert client.get(f"{stack.exam_url}/question").status_code == 401
    with psycopg.connect(stack.postgres_dsn) as connection:
        row = connection.execute(
            "SELECT ended IS NOT NULL, (SELECT count(*) FROM answers WHERE student = %s)"
            " FROM sessions WHERE student = %s",
            ("lille-0001", "lille-0001"),
        ).fetchone()
    assert row == (True, 1)


def test_question_and_answer_without_a_session_are_401(stack: StagingStack) -> None:
    assert requests.get(f"{stack.exam_url}/question").status_code == 401
    answer = {"question": 1, "answer": "x"}
    assert requests.post(f"{stack.exam_url}/answer", json=answer).status_code == 401
    forged = {"exam_session": "eyJzdHVkZW50IjoieCJ9.forged.signature"}
    assert requests.get(f"{stack.exam_url}/question", cookies=forged).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        b'{"student": "lille-0002"}',
        b'{"student": 12, "faculty": "lille"}',
        b'{"student": "' + b"x" * 65 + b'", "faculty": "lille"}',
    ],
)
def test_bad_login_bodies_are_400_with_a_message(stack: StagingStack, body: bytes) -> None:
    response = requests.post(f"{stack.exam_url}/login", data=body)
    assert response.status_code == 400
    assert response.json()["error"]


@pytest.mark.parametrize(
    "body", [b"{oops", b'{"question": true, "answer": "x"}', b'{"question": 1, "answer": ""}']
)
def test_bad_answer_bodies_are_400(stack: StagingStack, body: bytes) -> None:
    with login(stack, "lille-0003", "lille") as client:
        response = client.post(f"{stack.exam_url}/answer", data=body)
        assert response.status_code == 400, response.text


def test_sessions_active_per_faculty_counts_logged_in_students(stack: StagingStack) -> None:
    expected = {"staging-lyon": 3, "staging-brest": 1}
    for faculty, count in expected.items():
        for number in range(count):
            login(stack, f"{faculty}-{number}", faculty).close()
    with login(stack, "staging-brest-gone", "staging-brest") as client:
        client.post(f"{stack.exam_url}/logout")
    for faculty, count in expected.items():
        assert scraped(stack.app_metrics_url, "exam_sessions_active", faculty=faculty) == count
    query = 'exam_sessions_active{job="exam-app",faculty=~"staging-.*"}'
    wait_until(lambda: prometheus_by_faculty(stack, query) == expected, timeout=15)


def test_per_source_limit_resets_the_extra_connection_and_counts_it(stack: StagingStack) -> None:
    limit = SETTINGS.per_source_limit
    assert limit is not None
    port = int(stack.exam_url.rsplit(":", 1)[1])
    denied = 'haproxy_frontend_denied_connections_total{proxy="exam"}'
    before = scraped(stack.haproxy_metrics_url, denied.split("{")[0], proxy="exam")
    held = [connect_from("127.0.0.23", port) for _ in range(limit)]
    try:
        for sock in held:
            assert b" 200 " in healthz_over(sock)
        assert refused_from("127.0.0.23", port)
        with connect_from("127.0.0.24", port) as other:
            assert b" 200 " in healthz_over(other)
    finally:
        for sock in held:
            sock.close()
    after = scraped(stack.haproxy_metrics_url, denied.split("{")[0], proxy="exam")
    assert after == before + 1
    wait_until(lambda: queried(stack, denied) == after, timeout=15)


def test_haproxy_exporter_limit_and_sessions_match_show_stat(stack: StagingStack) -> None:
    port = int(stack.exam_url.rsplit(":", 1)[1])
    held = [connect_from("127.0.0.25", port) for _ in range(3)]
    try:
        for sock in held:
            assert b" 200 " in healthz_over(sock)

        def exporter_and_socket_agree() -> bool:
            exam = next(
                row
                for row in haproxy_show_stat(stack.haproxy_stats_socket)
                if row["pxname"] == "exam" and row["svname"] == "FRONTEND"
            )
            current = scraped(stack.haproxy_metrics_url, "haproxy_frontend_current_sessions")
            limit = scraped(stack.haproxy_metrics_url, "haproxy_frontend_limit_sessions")
            return limit == int(exam["slim"]) == SETTINGS.frontend_maxconn and current == int(
                exam["scur"]
            ) == len(held)

        wait_until(exporter_and_socket_agree, timeout=10)
    finally:
        for sock in held:
            sock.close()
    assert int(haproxy_show_info(stack.haproxy_stats_socket)["Maxconn"]) == SETTINGS.global_maxconn


def test_postgres_exporter_reports_max_connections_and_client_backends(
    stack: StagingStack,
) -> None:
    with psycopg.connect(stack.postgres_dsn, autocommit=True) as connection:
        shown = connection.execute("SHOW max_connections").fetchone()
        assert shown is not None and int(shown[0]) == SETTINGS.pg_max_connections
        assert scraped(stack.postgres_exporter_url, "pg_settings_max_connections") == int(shown[0])

        def exporter_counts_client_backends_only() -> bool:
            activity = connection.execute(
                "SELECT count(*) FILTER (WHERE datname IS NOT NULL AND state IS NOT NULL),"
                " count(*) FROM pg_stat_activity"
            ).fetchone()
            assert activity is not None
            exported = sum_scraped(stack.postgres_exporter_url, "pg_stat_activity_count")
            return bool(exported == activity[0] < activity[1])

        # The exporter's query joins pg_stat_activity to pg_database by datname and state:
        # background processes (checkpointer, walwriter, launchers) have neither.
        wait_until(exporter_counts_client_backends_only, timeout=10)


def sum_scraped(url: str, name: str) -> float:
    families = text_string_to_metric_families(requests.get(url, timeout=5).text)
    return sum(s.value for f in families for s in f.samples if s.name == name)


def test_node_exporter_limits_match_proc(stack: StagingStack) -> None:
    require(CONNTRACK_MAX.exists(), f"{CONNTRACK_MAX} is missing (no nf_conntrack here)")
    conntrack_max = int(CONNTRACK_MAX.read_text())
    file_max = int(Path("/proc/sys/fs/file-nr").read_text().split()[2])
    url = stack.node_exporter_url
    assert scraped(url, "node_nf_conntrack_entries_limit") == conntrack_max
    assert scraped(url, "node_filefd_maximum") == file_max
    assert scraped(url, "node_tcp_connection_states", state="listen") > 0
    wait_until(lambda: queried(stack, "node_filefd_maximum") == file_max, timeout=15)


def test_instances_name_the_scraped_targets(stack: StagingStack) -> None:
    assert set(stack.instances) == {"haproxy", "exam-app", "postgres", "node"}
    app_port = stack.app_metrics_url.split(":")[2].split("/")[0]
    assert stack.instances["exam-app"] == f"127.0.0.1:{app_port}"
    for job, instance in stack.instances.items():
        assert queried(stack, f'up{{job="{job}",instance="{instance}"}}') == 1


def started_processes(stack: StagingStack) -> list[psutil.Process]:
    """The stack's own PIDs and their children (gunicorn workers, PostgreSQL backends)."""
    found = [psutil.Process(pid) for pid in stack.pids.values()]
    return found + [child for p in found for child in p.children(recursive=True)]


def gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_stop_leaves_none_of_the_started_processes_alive() -> None:
    require_components()
    stack = StagingStack(StagingSettings())
    stack.start()
    processes = started_processes(stack)
    folder = stack.folder
    assert len(stack.pids) == 6 and len(processes) > 6
    stack.stop()
    stack.stop()
    assert [p.pid for p in processes if not gone(p)] == []
    assert folder is not None and not folder.exists()


def test_a_failed_start_stops_what_it_had_started(monkeypatch: pytest.MonkeyPatch) -> None:
    require_components()
    stack = StagingStack(StagingSettings())
    seen: list[psutil.Process] = []

    def haproxy_fails() -> None:
        seen.extend(started_processes(stack))
        raise StagingError("haproxy refused (on purpose)")

    monkeypatch.setattr(stack, "_start_haproxy", haproxy_fails)
    with pytest.raises(StagingError, match="on purpose"):
        stack.start()
    assert set(stack.pids) == {"postgres", "postgres-exporter", "node-exporter", "exam-app"}
    assert seen and [p.pid for p in seen if not gone(p)] == []
    assert stack.folder is None
    stack.stop()


def test_the_command_prints_its_urls_writes_a_plan_for_itself_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    require_components()
    written = tmp_path / "staging.toml"
    command = [sys.executable, "-m", "vigie.staging", "--frontend-maxconn", "500"]
    command += ["--write-plan", str(written), "--wave-gap-min", "1"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT
    )
    try:
        assert process.stdout is not None
        printed = dict(next(process.stdout).rstrip().rsplit("  ", 1) for _ in range(9))
        assert next(process.stdout).startswith("Ctrl-C or SIGTERM")
        urls = {label.strip(): value.strip() for label, value in printed.items()}
        assert scraped(urls["HAProxy metrics"], "haproxy_frontend_limit_sessions") == 500
        assert urls["Prometheus"].startswith("http://127.0.0.1:")
        # The plan it wrote reads this very platform: the seed's 35 faculties at 5 %,
        # its waves a minute apart, HAProxy's limit as the plan's.
        plan = load_plan(urls["plan for this platform"])
        assert plan.sources[0].url == urls["Prometheus"] and plan.total_expected == 491
        assert [w.start_min for w in plan.waves_in_order] == [0, 1, 2, 3]
        assert plan.server("gw").connection_limit == 500
        folder = Path(urls["HAProxy admin socket"]).parents[1]
        assert folder.exists()
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    assert code == 0
    assert not folder.exists()
