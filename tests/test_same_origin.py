"""Cross-site requests change nothing: login, logout and callbacks refuse a POST that a
browser says came from another site, and accept those from the site's own pages. The
agents' push API (a bearer token, no cookie) is exempt."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support.accounts import PASSWORD, accounts_app, login
from tests.support.dash_client import wall_request
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.dashboard.security.same_origin import cross_site_reason
from vigie.store import Store

OWN = "http://localhost"  # the test client's site
ELSEWHERE = {"Origin": "https://evil.example"}


@pytest.fixture
def app(sqlite_store: Store) -> Any:
    return accounts_app(sqlite_store, VirtualClock(1_800_000_000.0), "olga")


def logged_in(app: Any) -> FlaskClient:
    client: FlaskClient = app.server.test_client()
    assert login(client, "olga", headers={"Origin": OWN}).status_code == 302
    return client


@pytest.mark.parametrize(
    "headers",
    [
        ELSEWHERE,
        {"Origin": "null"},  # a sandboxed frame or a data: page
        {"Origin": "http://localhost:9999"},  # another port is another origin
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is not this site
    ],
)
def test_a_cross_site_login_is_refused(app: Any, headers: dict[str, str]) -> None:
    refused = login(app.server.test_client(), "olga", PASSWORD, headers=headers)
    assert refused.status_code == 403
    assert "may not change anything here" in refused.get_json()["error"]


def test_a_cross_site_logout_is_refused_and_the_session_stands(app: Any) -> None:
    olga = logged_in(app)
    assert olga.post("/logout", headers=ELSEWHERE).status_code == 403
    assert olga.post("/_dash-update-component", json=wall_request()).status_code == 200
    assert olga.post("/logout", headers={"Origin": OWN}).status_code == 302
    assert olga.post("/_dash-update-component", json=wall_request()).status_code == 401


def test_a_cross_site_callback_is_refused_and_a_same_origin_one_answered(app: Any) -> None:
    olga = logged_in(app)
    cross = olga.post("/_dash-update-component", json=wall_request(), headers=ELSEWHERE)
    assert cross.status_code == 403
    same = {"Origin": OWN, "Sec-Fetch-Site": "same-origin"}
    assert (
        olga.post("/_dash-update-component", json=wall_request(), headers=same).status_code == 200
    )


def test_open_demo_mode_refuses_cross_site_callbacks_too(sqlite_store: Store) -> None:
    client = create_app(sqlite_store, VirtualClock(1_800_000_000.0)).server.test_client()
    cross = client.post("/_dash-update-component", json=wall_request(), headers=ELSEWHERE)
    assert cross.status_code == 403
    assert client.post("/_dash-update-component", json=wall_request()).status_code == 200


def test_the_push_api_authenticates_by_token_and_is_not_checked_for_origin(app: Any) -> None:
    pushed = app.server.test_client().post("/api/v1/push", data=b"{}", headers=ELSEWHERE)
    assert pushed.status_code == 401  # refused for its missing token, not as cross-site


@pytest.mark.parametrize(
    ("method", "fetch_site", "origin", "refused"),
    [
        ("GET", "cross-site", "https://evil.example", False),  # reading changes nothing
        ("POST", None, None, False),  # not from a browser page
        ("POST", "same-origin", OWN, False),
        ("POST", "none", None, False),
        ("POST", None, OWN + "/", False),
        ("POST", None, "https://localhost", False),  # behind TLS, proxy headers not believed
        ("POST", None, "http://localhost:80", False),
        ("POST", "cross-site", None, True),
        ("POST", None, "http://localhost.evil.example", True),
        ("POST", None, "http://localhost:8050", True),  # another port is another site
        ("POST", None, "null", True),
        ("POST", None, "localhost", True),
        ("DELETE", None, "https://evil.example", True),
    ],
)
def test_cross_site_reason(
    method: str, fetch_site: str | None, origin: str | None, refused: bool
) -> None:
    assert bool(cross_site_reason(method, fetch_site, origin, "localhost")) is refused
