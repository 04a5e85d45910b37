"""Accounts and roles: every route, page and callback of the app, for every kind of
account, against its own faculty and another's. Generated from the app's own
registry: a route or callback added without a rule fails here."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import Drilled
from tests.support.accounts import CHEAP_HASH, PASSWORD
from tests.support.dash_client import (
    callback_request,
    compare_request,
    console_request,
    faculty_request,
    review_move_request,
    review_note_request,
    review_scrub_request,
    review_timeline_request,
    wall_request,
)
from vigie.accounts.policy import ROUTES
from vigie.accounts.tokens import new_token, token_hash
from vigie.clock import VirtualClock
from vigie.dashboard.access import access_of
from vigie.dashboard.app import create_app
from vigie.dashboard.auth import AuthSettings
from vigie.dashboard.pages import REGISTERED
from vigie.store import Store

ACCESS = access_of(REGISTERED)  # what the pages declare
CALLBACKS, PAGES = ACCESS.callbacks, ACCESS.pages

ACCOUNTS = {
    "olga": ("operator", None),
    "remi": ("reviewer", None),
    "fanny": ("faculty", "alpha"),  # alpha's IT team
}


@pytest.fixture
def app_and_store(drilled: Drilled) -> Iterator[tuple[Any, Store, float]]:
    store, exercise, t0 = drilled
    for name, (role, faculty) in ACCOUNTS.items():
        store.accounts.add_user(name, role, faculty, CHEAP_HASH, 0.0)
    app = create_app(
        store,
        VirtualClock(t0 + 300),
        exercise,
        auth=AuthSettings(open_demo=False, secret_key="test secret"),
    )
    yield app, store, t0


def logged_in(app: Any, name: str) -> FlaskClient:
    client: FlaskClient = app.server.test_client()
    response = client.post("/login", data={"name": name, "password": PASSWORD, "next": "/"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def kiosk_client(app: Any, store: Store, scope: str) -> FlaskClient:
    secret = new_token()
    store.accounts.add_kiosk(token_hash(secret), scope, "", 0.0)
    client: FlaskClient = app.server.test_client()
    assert client.get(f"/kiosk/{secret}").status_code == 302
    return client


def server_request() -> dict[str, Any]:
    return callback_request(
        [
            ("server-header", "children"),
            ("server-body", "children"),
            ("server-chart", "figure"),
            ("server-refusals", "figure"),
        ],
        [
            ("server-tick", "n_intervals", 1),
            ("url", "search", ""),
            ("vigie-language", "data", None),
        ],
        [("server-id", "data", "gw")],
    )


def page_request(path: str | None) -> dict[str, Any]:
    return callback_request(
        [("_pages_content", "children"), ("_pages_store", "data")],
        [("_pages_location", "pathname", path), ("_pages_location", "search", "")],
    )


def act_request() -> dict[str, Any]:
    request = callback_request(
        [("console-action-result", "children")],
        [("console-note-add", "n_clicks", 1), ("console-decision-add", "n_clicks", None)],
        [
            ("console-operator", "value", "x"),
            ("console-note-text", "value", "a note"),
            ("console-decision-wave", "value", None),
            ("console-decision-choice", "value", None),
            ("console-decision-comment", "value", None),
            ("url", "search", ""),
            ("vigie-language", "data", None),
        ],
    )
    request["inputs"] = [[], *request["inputs"]]
    request["changedPropIds"] = ["console-note-add.n_clicks"]
    return request


def console_alerts_request() -> dict[str, Any]:
    return callback_request(
        [("console-alerts", "children"), ("console-alerts-shown", "data")],
        [
            ("console-tick", "n_intervals", 1),
            ("url", "search", ""),
            ("vigie-language", "data", None),
        ],
        [("console-alerts-shown", "data", None)],
    )


# What each kind of account may do: (resource, own-or-other) -> allowed.
REQUESTS: dict[str, Callable[[], dict[str, Any]]] = {
    "console": console_request,
    "console alerts": console_alerts_request,
    "actions": act_request,
    "wall": wall_request,
    "server page": server_request,
    "faculty alpha": lambda: faculty_request("alpha"),
    "faculty beta": lambda: faculty_request("beta"),
    "page /": lambda: page_request("/"),
    "page /wall": lambda: page_request("/wall"),
    "page /server/gw": lambda: page_request("/server/gw"),
    "page /faculty/alpha": lambda: page_request("/faculty/alpha"),
    "page /faculty/beta": lambda: page_request("/faculty/beta"),
    "page /review": lambda: page_request("/review"),
    "review scrub": lambda: review_scrub_request(30),
    "review timeline": review_timeline_request,
    "review next event": lambda: review_move_request("review-next", 30),
    "review note": lambda: review_note_request(30, "after the fact"),
    "page /compare": lambda: page_request("/compare"),
    "compare chart": lambda: compare_request(1, 1, "wave:2", "server:gw"),
}
EVERYTHING = set(REQUESTS)
STAFF_VIEWS = EVERYTHING - {"actions"}
EXPECTED = {
    "anonymous": set(),
    "operator": EVERYTHING,
    "reviewer": STAFF_VIEWS,
    "faculty alpha": {"faculty alpha", "page /faculty/alpha"},
    "kiosk national": {"wall", "page /wall"},
    "kiosk alpha": {"faculty alpha", "page /faculty/alpha"},
}


def client_for(who: str, app: Any, store: Store) -> FlaskClient:
    if who == "anonymous":
        client: FlaskClient = app.server.test_client()
        return client
    if who.startswith("kiosk"):
        return kiosk_client(app, store, who.split()[1])
    name = {"operator": "olga", "reviewer": "remi", "faculty alpha": "fanny"}[who]
    return logged_in(app, name)


def test_every_route_page_and_callback_has_a_rule(app_and_store: tuple[Any, Store, float]) -> None:
    app, _, _ = app_and_store
    app.server.test_client().get("/")  # Dash registers its pages' callbacks on first use
    endpoints = {rule.endpoint for rule in app.server.url_map.iter_rules()}
    assert endpoints - set(ROUTES) == set()
    dependencies = json.loads(app.server.test_client().get("/_dash-dependencies").data)
    server_side = {
        d["output"].removeprefix("..").split(".", 1)[0]
        for d in dependencies
        if not d.get("clientside_function")
    }
    assert server_side - set(CALLBACKS) == set()
    import dash

    assert {p.get("path_template") or p["path"] for p in dash.page_registry.values()} <= set(PAGES)


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_account_reaches_exactly_what_its_role_allows(
    app_and_store: tuple[Any, Store, float], who: str
) -> None:
    app, store, _ = app_and_store
    client = client_for(who, app, store)
    reached = set()
    for name, build in REQUESTS.items():
        response = client.post("/_dash-update-component", json=build())
        assert response.status_code in (200, 204, 401, 403), (name, response.status_code)
        if response.status_code in (200, 204):
            reached.add(name)
    assert reached == EXPECTED[who]


def test_a_faculty_account_sees_nothing_of_another_faculty(
    app_and_store: tuple[Any, Store, float],
) -> None:
    app, _, _ = app_and_store
    client = logged_in(app, "fanny")
    own = client.post("/_dash-update-component", json=faculty_request("alpha"))
    body = json.dumps(own.get_json(), ensure_ascii=False)  # however the server escaped it
    assert own.status_code == 200 and "Faculté Alpha" in body
    assert "Faculté Beta" not in body and "Faculté Gamma" not in body
    for path in ("/faculty/beta", "/wall", "/", "/server/gw", "/review", "/compare"):
        assert client.post("/_dash-update-component", json=page_request(path)).status_code == 403


def test_pages_send_the_anonymous_to_the_login_page(
    app_and_store: tuple[Any, Store, float],
) -> None:
    app, _, _ = app_and_store
    response = app.server.test_client().get("/wall")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/wall"
    assert app.server.test_client().get("/login").status_code == 200
    assert app.server.test_client().get("/healthz").status_code == 200


def test_the_report_downloads_for_staff_only(app_and_store: tuple[Any, Store, float]) -> None:
    app, store, _ = app_and_store
    path = f"/review/{store.exercises()[0].id}/report.html"
    assert app.server.test_client().get(path).status_code == 401
    assert logged_in(app, "fanny").get(path).status_code == 403
    assert kiosk_client(app, store, "national").get(path).status_code == 403
    assert logged_in(app, "remi").get(path).status_code == 200
