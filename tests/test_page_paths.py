"""Page rules are default-deny on canonical paths: however a path to another faculty is
spelled (trailing slash, doubled slashes, dot segments, percent-escapes), a faculty's
team does not get it, and a path that is no page is refused. Over real HTTP for the
raw spellings a browser would tidy up first."""

from __future__ import annotations

import http.client
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from tests.support.accounts import CHEAP_HASH, accounts_app, login
from tests.support.serving import served
from tests.test_access import page_request
from vigie.clock import VirtualClock
from vigie.dashboard.security.page_paths import canonical
from vigie.store import Store

BETA_SPELLINGS = [
    "/faculty/beta/",
    "//faculty/beta",
    "/faculty//beta",
    "/faculty/./beta",
    "/faculty/alpha/../beta",
    "/faculty/%62eta",
    "/faculty%2Fbeta",
    "/faculty/alpha%2F..%2Fbeta",
    "/faculty/%2562eta",  # escaped twice
]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "/"),
        ("/faculty/alpha", "/faculty/alpha"),
        ("/faculty/beta/", "/faculty/beta"),
        ("//faculty///beta", "/faculty/beta"),
        ("/faculty/./beta", "/faculty/beta"),
        ("/faculty/alpha/../beta", "/faculty/beta"),
        ("/faculty/%62eta", "/faculty/beta"),
        ("/faculty/%2562eta", None),
        ("/..", None),
        ("/faculty/be ta", None),
        ("/\\evil.example", None),
        ("/" + "a/" * 300, None),
    ],
)
def test_canonical(path: str, expected: str | None) -> None:
    assert canonical(path) == expected


@pytest.fixture
def app(sqlite_store: Store) -> Any:
    sqlite_store.accounts.add_user("fanny", "faculty", "alpha", CHEAP_HASH, 0.0)
    return accounts_app(sqlite_store, VirtualClock(1_800_000_000.0), "olga")


def logged_in(app: Any, name: str) -> FlaskClient:
    client: FlaskClient = app.server.test_client()
    assert login(client, name).status_code == 302
    return client


def test_another_faculty_s_page_is_refused_however_its_location_is_spelled(
    app: Any,
) -> None:
    client = logged_in(app, "fanny")
    for path in BETA_SPELLINGS:
        refused = client.post("/_dash-update-component", json=page_request(path))
        assert refused.status_code == 403, path
    own = page_request("/faculty/alpha")
    assert client.post("/_dash-update-component", json=own).status_code == 200


def test_only_a_page_s_own_spelling_is_rendered(app: Any) -> None:
    operator = logged_in(app, "olga")
    for path in ["/faculty/alpha/", "/faculty/%61lpha", "/nowhere", "/x/y/z"]:
        refused = operator.post("/_dash-update-component", json=page_request(path))
        assert refused.status_code == 403, path
    for not_a_path in ["", None]:  # malformed for the page router: the guard refuses it first
        refused = operator.post("/_dash-update-component", json=page_request(not_a_path))
        assert refused.status_code == 400, not_a_path
    own = page_request("/faculty/alpha")
    assert operator.post("/_dash-update-component", json=own).status_code == 200


def raw_get(base: str, path: str, cookie: str) -> http.client.HTTPResponse:
    """GET with the path sent exactly as given (http.client does not tidy it)."""
    netloc = urlsplit(base).netloc
    connection = http.client.HTTPConnection(netloc, timeout=10)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_the_shell_sends_every_spelling_to_its_canonical_page_and_refuses_beta(
    app: Any,
) -> None:
    client = logged_in(app, "fanny")
    cookie = client.get_cookie("session")
    assert cookie is not None
    with served(app) as base:
        session = f"session={cookie.value}"
        assert raw_get(base, "/faculty/alpha", session).status == 200
        assert raw_get(base, "/faculty/beta", session).status == 403
        for path in BETA_SPELLINGS:
            response = raw_get(base, path, session)
            if response.status in (301, 302, 308):
                assert response.headers["Location"] == "/faculty/beta", path
                continue
            assert response.status in (403, 404), (path, response.status)
        tidied = raw_get(base, "/faculty/alpha/?lang=fr", session)
        assert tidied.status == 302 and tidied.headers["Location"] == "/faculty/alpha?lang=fr"
        assert raw_get(base, "/no/such/page", session).status == 404
        assert raw_get(base, "/faculty/alpha%00", session).status == 404
