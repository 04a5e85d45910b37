"""The whole HTTP surface, fuzzed: every route and every callback of the app's own
registry gets malformed paths, query strings, headers and bodies, through a real
server on 127.0.0.1, in open demo mode and with accounts (anonymous, and as a
logged-in operator). No answer is a 5xx, no answer or log line holds a traceback,
and a route or callback the fuzzer does not reach fails the test.

A real server rather than Flask's test client: raw request lines and headers (a
`%2e%2e` path, a Content-Length of garbage) only reach the app as sent through a
socket, and waitress's own parsing is part of what is fuzzed.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conftest import Drilled, DrillFile
from tests.support.drilled import PASSWORD, drill_small
from tests.support.fuzz_requests import (
    BODIES,
    BODY_METHODS,
    CALLBACK_ENDPOINT,
    Sent,
    Target,
    callback_body,
    exchange,
    garbage,
    headers,
    raw_query,
    rule_path,
    targets,
    text,
    unfuzzed,
)
from tests.support.serving import served
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.dashboard.auth import OPEN_DEMO_MODE, AuthSettings

BUDGET_S = 8.5  # per mode: the fuzz's share of the suite's time is ~20 s in all
SWEEP = 3  # requests per target first: every target is reached, and the cost measured
PASSES = 3  # then passes over every target, each sized by the cost so far, to fill the budget
ALLOWED_5XX = {"healthz": {503}}  # the collector's freshness says "stale": not an error
STRAY_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "TRACE", "FOO", "G\tET"]


@pytest.fixture(scope="module")
def drilled_once(
    tmp_path_factory: pytest.TempPathFactory, small_drill_file: DrillFile
) -> Iterator[Drilled]:
    drilled = drill_small(tmp_path_factory.mktemp("fuzz"), small_drill_file)
    yield drilled
    drilled[0].close()


def make_app(drilled: Drilled, accounts: bool) -> Any:
    store, exercise_id, t0 = drilled
    auth = AuthSettings(open_demo=False, secret_key="fuzz") if accounts else OPEN_DEMO_MODE
    app = create_app(store, VirtualClock(t0 + 11 * 60), exercise_id, auth=auth)
    app.server.test_client().get("/")  # Dash registers its pages' callbacks on first use
    return app


def request_for(app: Any, target: Target, cookies: list[str]) -> st.SearchStrategy[Sent]:
    """Raw requests aimed at `target`; `cookies`: session cookies to send sometimes."""
    cookie = st.sampled_from([None, *cookies])
    if target.kind == "callback":
        body = st.one_of(callback_body(target.name, app.callback_map[target.name]), garbage)
        path = st.just(CALLBACK_ENDPOINT)
        method = st.just("POST")
        typed = st.just([("Content-Type", "application/json")])
    elif target.kind == "stray":
        path, method, body, typed = (
            text.map(_as_path),
            st.sampled_from(STRAY_METHODS),
            garbage,
            st.just([]),
        )
    else:
        rule = next(r for r in app.server.url_map.iter_rules() if r.endpoint == target.name)
        path, method = rule_path(rule.rule), st.just(target.method)
        body = BODIES[target.name] if target.method in BODY_METHODS else st.just(b"")
        typed = st.just([])
    return st.builds(_sent, method, path, raw_query, typed, headers, cookie, body)


def _as_path(value: str) -> str:
    return "/" + value.encode("utf-8", "surrogatepass").hex()[:40]


def _sent(
    method: str,
    path: str,
    query: str,
    typed: list[tuple[str, str]],
    extra: list[tuple[str, str]],
    cookie: str | None,
    body: bytes,
) -> Sent:
    sent_headers = [*typed, *extra] + ([("Cookie", cookie)] if cookie else [])
    target = (path or "/") + (query if query.startswith("?") or not query else "?" + query)
    return Sent(
        method,
        target.replace(" ", "%20").replace("\r", "").replace("\n", ""),
        tuple(sent_headers),
        body,
    )


def login_cookie(url: str) -> str:
    with requests.Session() as session:
        response = session.post(
            url + "/login",
            data={"name": "olga", "password": PASSWORD, "next": "/"},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text[:300]
        return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def fuzz(app: Any, url: str, cookies: list[str]) -> tuple[Counter[str], list[str]]:
    """Every target in turn: a sweep of SWEEP requests each, then the rest of the budget
    shared out by what a request cost in the sweep. (requests per target, what went wrong)

    Hypothesis cannot be stopped by a clock, so each run gets a number of examples
    that fits its share; the deadline only cuts a run the estimate got wrong."""
    server = (urlsplit(url).hostname or "", urlsplit(url).port or 0)
    everything = [*targets(app), Target("stray", "any path", "any method")]
    hits: Counter[str] = Counter()
    wrong: list[str] = []
    started = time.monotonic()
    for target in everything:
        _fuzz_target(app, target, cookies, server, SWEEP, started + BUDGET_S, hits, wrong)
    for _ in range(PASSES):
        spent = time.monotonic() - started
        left = BUDGET_S - spent
        each = int(left / (spent / sum(hits.values())) / len(everything))
        for target in everything if each > 0 else []:
            deadline = time.monotonic() + 1.5 * left / len(everything)
            _fuzz_target(app, target, cookies, server, each, deadline, hits, wrong)
    never = [str(t) for t in everything if hits[str(t)] == 0]
    return hits, wrong + [f"never fuzzed: {name}" for name in never]


def _fuzz_target(
    app: Any,
    target: Target,
    cookies: list[str],
    server: tuple[str, int],
    examples: int,
    deadline: float,
    hits: Counter[str],
    wrong: list[str],
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # every failure is collected and shown, not shrunk
        suppress_health_check=list(HealthCheck),
    )
    @given(request_for(app, target, cookies))
    def one(sent: Sent) -> None:
        if hits[str(target)] and time.monotonic() > deadline:
            return
        status, answer = exchange(*server, sent)
        hits[str(target)] += 1
        if status >= 500 and status not in ALLOWED_5XX.get(target.name, set()):
            wrong.append(f"{status} for {sent.method} {sent.target[:120]} {sent.body[:2000]!r}")
        if b"Traceback" in answer:
            wrong.append(f"a traceback answered {sent.method} {sent.target[:120]}")

    one()


@pytest.mark.parametrize("accounts", [False, True], ids=["open demo", "accounts"])
def test_no_request_gets_a_5xx_or_a_traceback(
    drilled_once: Drilled, accounts: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    app = make_app(drilled_once, accounts)
    assert unfuzzed(app) == []  # a new route taking a body needs its body strategy
    with served(app) as url:
        cookies = [login_cookie(url)] if accounts else []
        hits, wrong = fuzz(app, url, cookies)
    assert not wrong, "\n".join(wrong[:20])
    assert sum(hits.values()) >= 300, hits  # a sanity floor: 1,300-1,900 a mode on 2 idle cores
    logged = [
        r.getMessage()[:300] for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR
    ]
    assert logged == []


def test_a_route_taking_a_body_without_a_body_strategy_fails_the_fuzz(
    drilled_once: Drilled,
) -> None:
    store, exercise_id, t0 = drilled_once
    app = create_app(store, VirtualClock(t0), exercise_id)
    app.server.add_url_rule("/api/v1/new", "new_route", lambda: "", methods=["POST"])
    app.server.add_url_rule("/odd/<uuid:key>", "odd_route", lambda key: "")
    assert unfuzzed(app) == [
        "new_route: no body strategy in BODIES",
        "/odd/<uuid:key>: no strategy for <uuid:key>",
    ]
    assert "route GET odd_route" in {str(t) for t in targets(app)}  # and it must be hit
