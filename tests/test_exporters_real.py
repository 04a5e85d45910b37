"""Presets against the real exporters' real output, equal to what the software says.

HAProxy's stats socket, PostgreSQL's pg_stat_activity and settings, the kernel's
/proc: each preset's value, read through a real Prometheus or straight off the
exporter's page, must be the software's own figure. `vigie check --live` then
flags a plan whose limit is not HAProxy's.
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests

from tests.conftest import require
from tests.support.cli import run_vigie
from tests.support.waiting import wait_until
from vigie.collectors.prometheus import PrometheusCollector
from vigie.collectors.scrape import ScrapeCollector
from vigie.plan import Plan, parse_plan
from vigie.series import Labels, Sample
from vigie.staging import StagingSettings, StagingStack, haproxy_show_info, haproxy_show_stat
from vigie.staging.processes import free_port, http_ok, spawn, stop_child, wait_ready
from vigie.staging.stack import missing_components
from vigie.store import Point
from vigie.tick.hosts import hosts_from

PER_SOURCE = 50
SETTINGS = StagingSettings(
    frontend_maxconn=300, global_maxconn=900, per_source_limit=PER_SOURCE, pg_max_connections=40
)
PROC = Path("/proc/sys")

PLAN = """
[exercise]
id = "presets-real"
name = "Presets on real exporters"
connections_per_student = 2.0
[[waves]]
number = 1
start_min = 0
[[faculties]]
id = "lille"
name = "Lille"
expected_students = 100
wave = 1
[faculties.exporter]
preset = "node"
source = "{source}"
match = {node}
host = "gw.lille"
[[servers]]
id = "gw"
role = "gateway"
connection_limit = 16000
connections_per_student = 2.0
[servers.exporter]
preset = "haproxy"
source = "{source}"
match = {haproxy}
[[servers]]
id = "haproxy"
role = "load-balancer"
connection_limit = 900
[servers.exporter]
preset = "haproxy-process"
source = "{source}"
match = {haproxy_process}
[[servers]]
id = "db"
role = "database"
connection_limit = 37
[servers.exporter]
preset = "postgres"
source = "{source}"
match = {postgres}
[[servers]]
id = "nat"
role = "other"
connection_limit = 262144
[servers.exporter]
preset = "node"
source = "{source}"
match = {node}
[[sources]]
id = "{source}"
kind = "{kind}"
url = "{url}"
"""


def inline(labels: dict[str, str]) -> str:
    return "{ " + ", ".join(f'{k} = "{v}"' for k, v in labels.items()) + " }"


def through_prometheus(stack: StagingStack) -> Plan:
    instance = stack.instances
    return parse_plan(
        PLAN.format(
            source="prom",
            kind="prometheus",
            url=stack.prometheus_url,
            haproxy=inline({"instance": instance["haproxy"], "proxy": "exam"}),
            haproxy_process=inline({"instance": instance["haproxy"]}),
            postgres=inline({"instance": instance["postgres"]}),
            node=inline({"instance": instance["node"]}),
        )
    )


@pytest.fixture(scope="module")
def stack() -> Iterator[StagingStack]:
    missing = missing_components()
    require(not missing, f"the staging stack needs {', '.join(missing)} (see .ci/run)")
    with StagingStack(SETTINGS) as started:
        yield started


@pytest.fixture
def held(stack: StagingStack) -> Iterator[list[socket.socket]]:
    """Three idle keep-alive connections held open on the exam frontend."""
    port = int(stack.exam_url.rsplit(":", 1)[1])
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(3)]
    for sock in sockets:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: exam\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    yield sockets
    for sock in sockets:
        sock.close()


def values(samples: list[Sample]) -> dict[tuple[str, str], float]:
    return {
        (s.name, dict(s.labels).get("server", dict(s.labels).get("faculty", ""))): s.value
        for s in samples
    }


def exam_frontend(stack: StagingStack) -> dict[str, str]:
    return next(
        row
        for row in haproxy_show_stat(stack.haproxy_stats_socket)
        if row["pxname"] == "exam" and row["svname"] == "FRONTEND"
    )


def client_backends(stack: StagingStack) -> tuple[int, int]:
    """What PostgreSQL says: client backends (a database and a state), and the limit a
    non-superuser meets."""
    with psycopg.connect(stack.postgres_dsn) as db:
        row = db.execute(
            "SELECT count(*) FILTER (WHERE datname IS NOT NULL AND state IS NOT NULL),"
            " current_setting('max_connections')::int"
            " - current_setting('superuser_reserved_connections')::int FROM pg_stat_activity"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_through_prometheus_each_preset_says_what_its_software_says(
    stack: StagingStack, held: list[socket.socket]
) -> None:
    collector = PrometheusCollector(through_prometheus(stack), through_prometheus(stack).sources[0])
    seen: dict[tuple[str, str], float] = {}
    collected: list[Sample] = []

    def settled() -> bool:
        # Prometheus scrapes every second: wait until its newest scrape has the held
        # connections, then every figure is compared with the software's own, now.
        seen.clear()
        collected[:] = collector.collect(0.0)
        seen.update(values(collected))
        frontend = exam_frontend(stack)
        # The app's pool opens connections lazily: PostgreSQL's count moves until quiet.
        backends = abs(seen.get(("server_connections", "db"), -9) - client_backends(stack)[0])
        return seen.get(("server_connections", "gw")) == float(frontend["scur"]) and backends <= 1

    wait_until(settled, timeout=20)
    frontend = exam_frontend(stack)
    assert seen[("server_connections", "gw")] == 3 == int(frontend["scur"])
    assert seen[("server_connection_limit", "gw")] == 300 == int(frontend["slim"])
    denied = sum(int(frontend[c] or 0) for c in ("dcon", "dses", "dreq"))
    assert seen[("server_rejected_total", "gw")] == denied
    info = haproxy_show_info(stack.haproxy_stats_socket)
    assert seen[("server_connection_limit", "haproxy")] == int(info["Maxconn"]) == 900
    backends, limit = client_backends(stack)
    assert seen[("server_connection_limit", "db")] == limit == 40 - 3
    assert abs(seen[("server_connections", "db")] - backends) <= 1  # the exporter's own query
    conntrack_max = int((PROC / "net/netfilter/nf_conntrack_max").read_text())
    assert seen[("server_connection_limit", "nat")] == conntrack_max
    assert seen[("host_conntrack_limit", "lille")] == conntrack_max
    file_nr = [int(n) for n in (PROC / "fs/file-nr").read_text().split()]
    assert seen[("host_fd_limit", "lille")] == file_nr[2]
    assert seen[("host_open_fds", "lille")] > 0
    assert 0 <= seen[("host_memory_used_ratio", "lille")] <= 1
    # The faculty page reads node_exporter's machine as it reads an agent's.
    latest: dict[str, dict[Labels, Point]] = {}
    for sample in collected:
        latest.setdefault(sample.name, {})[sample.labels] = Point(sample.at, sample.value)
    (machine,) = hosts_from(latest)
    assert (machine.faculty, machine.host) == ("lille", "gw.lille")
    assert machine.fd_limit == file_nr[2] and machine.conntrack_limit == conntrack_max
    assert machine.open_fds is not None and machine.tcp_established is not None


def test_a_per_source_refusal_is_counted_where_the_throttling_rule_reads_it(
    stack: StagingStack,
) -> None:
    plan = through_prometheus(stack)
    collector = PrometheusCollector(plan, plan.sources[0])
    port = int(stack.exam_url.rsplit(":", 1)[1])
    before = int(exam_frontend(stack)["dcon"] or 0)
    opened = []
    for _ in range(PER_SOURCE + 3):  # 3 past the stick table's limit
        sock = socket.socket()
        sock.bind(("127.0.0.77", 0))
        sock.connect(("127.0.0.1", port))
        opened.append(sock)
    try:
        wait_until(lambda: int(exam_frontend(stack)["dcon"] or 0) >= before + 3, timeout=10)
        denied = int(exam_frontend(stack)["dcon"])
        wait_until(
            lambda: values(list(collector.collect(0.0)))[("server_rejected_total", "gw")] >= denied,
            timeout=20,
        )
    finally:
        for sock in opened:
            sock.close()


def test_straight_off_haproxys_page_the_preset_reads_the_same(
    stack: StagingStack, held: list[socket.socket]
) -> None:
    plan = parse_plan(
        PLAN.replace('url = "{url}"', 'url = "{url}"\ninterval_s = 1').format(
            source="page",
            kind="scrape",
            url=stack.haproxy_metrics_url,
            haproxy=inline({"proxy": "exam"}),
            haproxy_process=inline({}),
            postgres=inline({}),
            node=inline({}),
        )
    )
    seen = values(list(ScrapeCollector(plan, plan.sources[0]).collect(0.0)))
    frontend = exam_frontend(stack)
    assert seen[("server_connections", "gw")] == int(frontend["scur"]) == 3
    assert seen[("server_connection_limit", "gw")] == int(frontend["slim"]) == 300
    assert seen[("server_connection_limit", "haproxy")] == 900


def test_check_live_flags_a_plan_limit_that_is_not_haproxys(
    stack: StagingStack, tmp_path: Path
) -> None:
    text = PLAN.format(
        source="prom",
        kind="prometheus",
        url=stack.prometheus_url,
        haproxy=inline({"instance": stack.instances["haproxy"], "proxy": "exam"}),
        haproxy_process=inline({"instance": stack.instances["haproxy"]}),
        postgres=inline({"instance": stack.instances["postgres"]}),
        node=inline({"instance": stack.instances["node"]}),
    )
    path = tmp_path / "plan.toml"
    path.write_text(text)
    checked = run_vigie("check", str(path), "--live")
    assert checked.returncode == 0, checked.stderr
    out = checked.stdout
    assert "DIFFERS  gw: plan says 16,000, HAProxy says 300 (frontend maxconn)" in out
    assert "ok       haproxy: HAProxy says 900, as the plan" in out
    assert "ok       db: PostgreSQL says 37, as the plan" in out
    preflight = out.split("Pre-flight", 1)[1]
    assert "16,000" not in preflight and " 300 " in preflight  # judged on HAProxy's limit
    strict = run_vigie("check", str(path), "--live", "--strict")
    assert strict.returncode == 4 and "not the plan's" in strict.stderr
    path.write_text(text.replace("connection_limit = 16000", "connection_limit = 300"))
    agreeing = run_vigie("check", str(path), "--live", "--strict")
    assert agreeing.returncode == 0, agreeing.stdout + agreeing.stderr


def test_check_live_says_which_source_it_could_not_read(tmp_path: Path) -> None:
    text = PLAN.format(
        source="prom",
        kind="prometheus",
        url=f"http://127.0.0.1:{free_port()}",
        haproxy=inline({"proxy": "exam"}),
        haproxy_process=inline({}),
        postgres=inline({}),
        node=inline({}),
    )
    path = tmp_path / "plan.toml"
    path.write_text(text)
    checked = run_vigie("check", str(path), "--live", "--strict")
    assert checked.returncode == 1
    assert "FAILED   source prom: cannot connect to http://127.0.0.1:" in checked.stdout
    assert "UNREAD   gw: HAProxy gave no limit; the plan's 16,000 stands" in checked.stdout


NGINX_CONF = """
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
worker_processes 1;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    keepalive_timeout 60s;
    server {{
        listen 127.0.0.1:{port};
        location = /stub_status {{ stub_status; }}
        location / {{ return 200 "ok"; }}
    }}
}}
"""


@pytest.fixture
def nginx() -> Iterator[tuple[str, str]]:
    """A real nginx with stub_status, and prometheus-nginx-exporter reading it."""
    for binary in ("nginx", "prometheus-nginx-exporter"):
        require(
            subprocess.run(["which", binary], capture_output=True).returncode == 0,
            f"{binary} is not installed (apt-get install nginx prometheus-nginx-exporter)",
        )
    folder = Path(tempfile.mkdtemp(prefix="vigie-nginx-"))
    port, exporter_port = free_port(), free_port()
    (folder / "nginx.conf").write_text(NGINX_CONF.format(folder=folder, port=port))
    status = f"http://127.0.0.1:{port}/stub_status"
    server = spawn(["nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder)], folder / "n.log")
    exporter = None
    try:
        wait_ready("nginx", lambda: http_ok(status), folder / "n.log")
        exporter = spawn(
            [
                "prometheus-nginx-exporter",
                f"-nginx.scrape-uri={status}",
                f"-web.listen-address=127.0.0.1:{exporter_port}",
            ],
            folder / "e.log",
        )
        metrics = f"http://127.0.0.1:{exporter_port}/metrics"
        wait_ready("nginx exporter", lambda: http_ok(metrics), folder / "e.log")
        yield status, metrics
    finally:
        if exporter is not None:
            stop_child(exporter)
        stop_child(server)


NGINX_PLAN = """
[exercise]
id = "nginx"
name = "nginx"
[[waves]]
number = 1
start_min = 0
[[faculties]]
id = "lille"
name = "Lille"
expected_students = 10
wave = 1
[[servers]]
id = "web"
role = "web"
connection_limit = 64
[servers.exporter]
preset = "nginx"
source = "page"
[[sources]]
id = "page"
kind = "scrape"
url = "{metrics}"
"""


def test_nginx_active_connections_are_stub_statuss(nginx: tuple[str, str]) -> None:
    status, metrics = nginx
    port = int(status.split(":")[2].split("/")[0])
    held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(4)]
    try:
        plan = parse_plan(NGINX_PLAN.format(metrics=metrics))
        seen = values(list(ScrapeCollector(plan, plan.sources[0]).collect(0.0)))
        # stub_status counts the request reading it: the exporter's (which it keeps
        # open) when it read, and ours too when we read just after.
        active = int(requests.get(status, timeout=5).text.split()[2])
        assert seen[("server_connections", "web")] == active - 1 == len(held) + 1
    finally:
        for sock in held:
            sock.close()
