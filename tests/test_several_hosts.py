"""Several `vigie serve` hosts behind a load balancer, as processes: one real PostgreSQL
store, two hosts on 127.0.0.1 with the same --secret-file, and a real HAProxy with the
shipped deploy/haproxy.cfg (TLS, round-robin) in front. A login through HAProxy holds on
both hosts, a logout on one holds on the other, only one host's collector writes, and
with host A stopped by its PID the room goes on through host B, still logged in."""

from __future__ import annotations

import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from tests.conftest import ROOT, require
from tests.support.accounts import CHEAP_HASH, PASSWORD
from tests.support.dash_client import wall_request
from tests.support.postgres import PostgresServer, free_port
from tests.support.process import VigieProcess
from tests.support.waiting import wait_until
from tests.test_live import plan_reading
from tests.test_walkthrough import make_certificate
from vigie.plan import load_plan
from vigie.run.live import open_exercise
from vigie.staging.processes import stop_pid
from vigie.store import Store

HOSTS = ("host-a", "host-b")
SERVED_BY = "X-Served-By"  # added to the shipped config here only: who answered


@dataclass
class Room:
    """The proxy's URL and the certificate to trust, as a browser of the room sees them."""

    url: str
    ca: Path

    def client(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # or REQUESTS_CA_BUNDLE would win over `verify`
        session.verify = str(self.ca)
        return session


def haproxy_config(folder: Path, https_port: int, backends: dict[str, int]) -> Path:
    """deploy/haproxy.cfg on this machine's ports, with one `server` line per host, and
    a response header naming the host that answered (for this test to see)."""
    text = (ROOT / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")
    pem = make_certificate(folder)
    # Checks far apart: a stopped host is still "up" for the test's length, so its turns
    # reach the next host by redispatch alone (what spares the walls an error).
    servers = "".join(
        f"    server {name} 127.0.0.1:{port} check inter 30s\n" for name, port in backends.items()
    )
    balance = "    balance roundrobin\n"
    tls = "ssl crt /etc/haproxy/certs/vigie.pem"
    for was, now in (
        ("bind :80\n", f"bind 127.0.0.1:{free_port()}\n"),
        (f"bind :443 {tls}", f"bind 127.0.0.1:{https_port} ssl crt {pem}"),
        ("    server vigie 127.0.0.1:8050 check inter 5s\n", servers),
        (balance, f"{balance}    http-response set-header {SERVED_BY} %[srv_name]\n"),
    ):
        assert text.count(was) == 1, was
        text = text.replace(was, now)
    config = folder / "haproxy.cfg"
    config.write_text(text, encoding="utf-8")
    return config


@contextmanager
def haproxy(folder: Path, backends: dict[str, int]) -> Iterator[Room]:
    """A real HAProxy in front of `backends`, stopped by its PID."""
    require(shutil.which("haproxy") is not None, "haproxy is not installed (apt install haproxy)")
    port = free_port()
    config = haproxy_config(folder, port, backends)
    pid_file = folder / "haproxy.pid"
    command = ["haproxy", "-f", str(config), "-D", "-p", str(pid_file)]
    subprocess.run(command, check=True, timeout=30)
    pid = int(pid_file.read_text().split()[0])
    try:
        yield Room(f"https://127.0.0.1:{port}", folder / "cert.pem")
    finally:
        stop_pid(pid)


def start_host(plan: Path, db_url: str, secret: Path, port: int) -> VigieProcess:
    return VigieProcess(
        "serve", "--plan", str(plan), "--db", db_url, "--bind", f"127.0.0.1:{port}",
        "--workers", "1", "--trusted-proxies", "1", "--secret-file", str(secret),
    )  # fmt: skip


def said(host: VigieProcess, *starts: str) -> str:
    """The first line the host printed that starts so, already read or still to come."""
    for line in host.seen:
        if line.startswith(starts):
            return line
    return host.wait_for_line(lambda line: line.startswith(starts))


def collector_role(host: VigieProcess) -> str:
    """What the host's collector said first: 'Collecting ...' or 'Standing by ...'."""
    return said(host, "Collecting ", "Standing by")


def refreshes(room: Room, client: requests.Session, times: int) -> list[tuple[str, int]]:
    """(host, status) of `times` wall refreshes through the proxy."""
    answers = [
        client.post(f"{room.url}/_dash-update-component", json=wall_request(), timeout=10)
        for _ in range(times)
    ]
    return [(a.headers.get(SERVED_BY, "?"), a.status_code) for a in answers]


def signed_with(cookie: str, key: str | bytes) -> bool:
    """Whether Flask's session cookie `cookie` verifies under `key`."""
    app = Flask(__name__)
    app.secret_key = key
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    try:
        serializer.loads(cookie)
    except BadSignature:
        return False
    return True


def logged_in(room: Room) -> requests.Session:
    client = room.client()
    answer = client.post(
        f"{room.url}/login", data={"name": "olga", "password": PASSWORD}, allow_redirects=False
    )
    assert answer.status_code == 302, answer.text
    assert "; Secure" in answer.headers["Set-Cookie"]  # TLS, as the trusted proxy says
    return client


@pytest.mark.postgres
def test_two_hosts_behind_haproxy_share_logins_logouts_and_one_collector(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    db_url = postgres.new_database_url()
    plan = plan_reading(free_port(), tmp_path)  # no platform there: polls write "down"
    store = Store.open(db_url)
    store.accounts.add_user("olga", "operator", None, CHEAP_HASH, 0.0)
    # The running exercise, opened as `serve` opens it: both hosts (started at once,
    # as after a restart of the room's machines) go on with it.
    exercise = open_exercise(load_plan(plan), plan.read_text(encoding="utf-8"), store, None)
    store.close()
    secret = tmp_path / "vigie.secret"
    secret.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    secret.chmod(0o600)
    ports = {name: free_port() for name in HOSTS}
    hosts: dict[str, VigieProcess] = {}
    try:
        for name in HOSTS:
            hosts[name] = start_host(plan, db_url, secret, ports[name])
        for host in hosts.values():
            assert said(host, "Vigie serving").startswith(f"Vigie serving exercise {exercise} ")
        roles = {name: collector_role(host) for name, host in hosts.items()}
        active = [name for name, said in roles.items() if said.startswith("Collecting")]
        assert len(active) == 1, roles  # the lease: the other host's collector stands by
        for host in hosts.values():
            said(host, "Open http://")

        with haproxy(tmp_path, ports) as room:
            wait_until(lambda: room.client().get(f"{room.url}/healthz").status_code == 200, 20)
            olga = logged_in(room)
            assert sorted(refreshes(room, olga, 4)) == sorted([(h, 200) for h in HOSTS] * 2)
            cookie = olga.cookies["session"]
            store = Store.open(db_url)
            stored_key = store.accounts.sessions.signing_key(time.time())
            store.close()
            assert signed_with(cookie, secret.read_text().strip())
            assert not signed_with(cookie, stored_key)  # the file's secret, not the store's

            assert olga.post(f"{room.url}/logout", allow_redirects=False).status_code == 302
            assert sorted(refreshes(room, olga, 2)) == sorted((h, 401) for h in HOSTS)

            olga = logged_in(room)
            assert hosts["host-a"].stop() == 0  # SIGTERM by its PID
            assert refreshes(room, olga, 4) == [("host-b", 200)] * 4  # no new login
            if active == ["host-a"]:  # B's collector takes over the exercise
                hosts["host-b"].wait_for_line(lambda line: line.startswith("Collecting "), 20)
    finally:
        for host in hosts.values():
            host.stop()
