"""Security headers on real responses: `vigie serve` under gunicorn behind a trusted
proxy, and the waitress server of the demo. The CSP itself is proven in Chromium
(test_csp_browser.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from tests.conftest import SMALL_PLAN
from tests.support.cli import run_vigie_with_input
from tests.support.postgres import free_port
from tests.support.process import VigieProcess
from tests.support.serving import served
from vigie.cli.main import main
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.dashboard.security.headers import content_security_policy
from vigie.store import Store

PASSWORD = "a long enough secret"
TLS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.7"}


@pytest.fixture(scope="module")
def serving(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`vigie serve --trusted-proxies 1 --frame-ancestors ...` with one operator."""
    db = str(tmp_path_factory.mktemp("serve") / "vigie.db")
    added = run_vigie_with_input(
        PASSWORD + "\n", "user", "add", "olga", "--role", "operator", "--db", db,
        "--password-stdin",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    server = VigieProcess(
        "serve", "--plan", str(SMALL_PLAN), "--db", db, "--bind", f"127.0.0.1:{free_port()}",
        "--workers", "1", "--no-collect", "--trusted-proxies", "1",
    )  # fmt: skip
    try:
        line = server.wait_for_line(lambda line: line.startswith("Open http://"))
        yield re.search(r"http://127\.0\.0\.1:\d+", line).group(0)  # type: ignore[union-attr]
    finally:
        assert server.stop() == 0


def test_every_response_of_vigie_serve_carries_the_headers_and_no_server_name(
    serving: str,
) -> None:
    for path in ("/login", "/healthz", "/wall", "/assets/vigie.css", "/no/such/page"):
        response = requests.get(serving + path, timeout=10, allow_redirects=False)
        headers = response.headers
        assert "Server" not in headers, (path, headers.get("Server"))
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert "script-src 'self' 'sha256-" in headers["Content-Security-Policy"], path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert "Strict-Transport-Security" not in headers, path  # plain HTTP


def test_hsts_and_a_secure_cookie_come_only_over_tls_as_the_proxy_reports_it(
    serving: str,
) -> None:
    over_tls = requests.get(serving + "/login", headers=TLS, timeout=10)
    assert over_tls.headers["Strict-Transport-Security"] == "max-age=31536000"
    form = {"name": "olga", "password": PASSWORD}
    for headers, secure in ((TLS, True), ({}, False)):
        logged_in = requests.post(
            serving + "/login", data=form, headers=headers, timeout=10, allow_redirects=False
        )
        assert logged_in.status_code == 302, logged_in.text[:200]
        cookie = logged_in.headers["Set-Cookie"]
        assert (
            ("; Secure" in cookie) is secure and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        )


def test_the_demo_s_waitress_sends_no_server_name(sqlite_store: Store) -> None:
    with served(create_app(sqlite_store, VirtualClock(1_800_000_000.0))) as base:
        response = requests.get(base + "/healthz", timeout=10)
    assert "Server" not in response.headers and "Via" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_kiosk_embedder_may_frame_the_pages_when_named() -> None:
    policy = content_security_policy(["'sha256-x'"], ["https://kiosk.example"])
    assert "frame-ancestors https://kiosk.example;" in policy + ";"
    assert "script-src 'self' 'sha256-x'" in policy and "object-src 'none'" in policy


def test_serve_refuses_a_frame_ancestor_that_is_not_an_origin(tmp_path: Path) -> None:
    arguments = ["serve", "--plan", str(SMALL_PLAN), "--db", str(tmp_path / "x.db")]
    for bad in ("* 'unsafe-inline'", "https://kiosk.example/path", "kiosk.example"):
        refused = CliRunner().invoke(main, [*arguments, "--open", "--frame-ancestors", bad])
        assert refused.exit_code == 2 and "is not an origin" in refused.output, bad
