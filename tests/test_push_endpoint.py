"""`POST /api/v1/push`: a faculty's agent writes its own series, and bad input loses nothing."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SMALL_PLAN
from vigie.accounts.tokens import new_token, token_hash
from vigie.clock import VirtualClock
from vigie.collectors.push_payload import encode_batch
from vigie.dashboard.app import create_app
from vigie.store import Store

NOW = 1_700_000_000.0


@dataclass
class Central:
    client: FlaskClient
    store: Store
    exercise: int
    alpha: str
    beta: str

    def push(self, document: Any, token: str | None = None, raw: bytes | None = None) -> Any:
        body = raw if raw is not None else encode_batch(document)
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.post("/api/v1/push", data=body, headers=headers)

    def stored(self) -> int:
        return self.store.sample_count(self.exercise)


@pytest.fixture
def central(store: Store) -> Iterator[Central]:
    """The push endpoint over SQLite and over PostgreSQL (which enforces column sizes)."""
    exercise = store.create_exercise(
        plan_id="small-drill",
        name="Small",
        mode="live",
        plan_toml=SMALL_PLAN.read_text(encoding="utf-8"),
        t0=NOW - 600,
    )
    alpha, beta = new_token(), new_token()
    store.add_agent_token("alpha", token_hash(alpha))
    store.add_agent_token("beta", token_hash(beta))
    app = create_app(store, VirtualClock(NOW), exercise)
    yield Central(app.server.test_client(), store, exercise, alpha, beta)


def batch(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "faculty": "alpha",
        "host": "gw-1",
        "batch": "0001",
        "samples": [
            {"name": "host_cpu_ratio", "labels": {}, "at": NOW - 5, "value": 0.4},
            {
                "name": "host_tcp_connections",
                "labels": {"state": "ESTABLISHED"},
                "at": NOW - 5,
                "value": 812,
            },
        ],
    }
    document.update(changes)
    return document


def sample(**changes: Any) -> dict[str, Any]:
    return {"name": "host_cpu_ratio", "labels": {}, "at": NOW, "value": 0.5, **changes}


def test_a_good_batch_is_stored_under_the_tokens_faculty(central: Central) -> None:
    response = central.push(batch(), central.alpha)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"stored": 2, "exercise": central.exercise}
    latest = central.store.latest(central.exercise, "host_tcp_connections", NOW)
    ((labels, point),) = latest.items()
    assert labels == (("faculty", "alpha"), ("host", "gw-1"), ("state", "ESTABLISHED"))
    assert (point.at, point.value) == (NOW - 5, 812)


def test_pushing_the_same_batch_twice_stores_it_once(central: Central) -> None:
    central.push(batch(), central.alpha)
    central.push(batch(), central.alpha)
    assert central.stored() == 2


@pytest.mark.parametrize(
    ("token", "status", "message"),
    [
        (None, 401, "missing, unknown or revoked agent token"),
        ("vga_not-a-token", 401, "missing, unknown or revoked agent token"),
        ("beta", 403, "this token belongs to faculty 'beta', not 'alpha'"),
    ],
)
def test_tokens_are_checked_and_a_faculty_writes_only_its_own_series(
    central: Central, token: str | None, status: int, message: str
) -> None:
    secret = central.beta if token == "beta" else token
    response = central.push(batch(), secret)
    assert response.status_code == status
    assert response.get_json()["error"] == message
    assert central.stored() == 0


def test_a_revoked_token_is_refused(central: Central) -> None:
    (alpha_token, _) = central.store.agent_tokens()
    assert central.store.revoke_agent_token(alpha_token.id)
    assert central.push(batch(), central.alpha).status_code == 401


@pytest.mark.parametrize(
    ("document", "status", "fragment"),
    [
        (batch(samples=[sample(value="0.5")]), 422, "samples[0].value"),
        (batch(samples=[sample(at="yesterday")]), 422, "samples[0].at"),
        (batch(samples=[sample(name="sessions_active")]), 422, "samples[0].name"),
        (batch(samples=[sample(labels={"faculty": "beta"})]), 422, "are set by the central"),
        (batch(samples=[sample(at=NOW + 3600)]), 422, "is in the future"),
        (batch(samples=[sample(at=NOW - 30 * 86400)]), 422, "more than 7 days old"),
        (batch(samples=[sample(), sample(value=float("nan"))]), 422, "samples[1].value"),
        (batch(samples=[sample(value=float("inf"))]), 422, "samples[0].value"),
        (batch(samples=[sample()] * 5001), 422, "samples"),
        (batch(samples=[]), 422, "samples"),
        (batch(extra="x"), 422, "extra: unknown key"),
        (batch(host="../etc"), 422, "host"),
        (batch(samples=[sample(name="host_" + "x" * 58)]), 422, "samples[0].name"),
        (
            batch(samples=[sample(labels={f"l{i}": "v" * 200 for i in range(8)})]),
            422,
            "characters in all",
        ),
        ([1, 2, 3], 422, "<plan>"),
    ],
    ids=[
        "value-as-string",
        "time-as-text",
        "platform-metric",
        "reserved-label",
        "future",
        "too-old",
        "nan",
        "inf",
        "oversized-batch",
        "empty-batch",
        "unknown-key",
        "bad-host",
        "long-name",
        "long-labels",
        "not-an-object",
    ],
)
def test_a_bad_batch_is_refused_whole_with_a_4xx_naming_the_problem(
    central: Central, document: Any, status: int, fragment: str
) -> None:
    response = central.push(document, central.alpha)
    assert response.status_code == status
    assert any(fragment in error for error in response.get_json()["errors"])
    assert central.stored() == 0


def test_malformed_json_and_gzip_are_refused(central: Central) -> None:
    bad_json = central.push(None, central.alpha, raw=gzip.compress(b'{"faculty": '))
    assert bad_json.status_code == 400
    assert bad_json.get_json()["error"].startswith("malformed JSON")
    not_gzip = central.push(None, central.alpha, raw=b"plain bytes")
    assert not_gzip.status_code == 400 and "not valid gzip" in not_gzip.get_json()["error"]


def test_oversized_bodies_and_gzip_bombs_are_refused(central: Central) -> None:
    huge = central.push(None, central.alpha, raw=b"x" * (2 * 1024 * 1024))
    assert huge.status_code == 413
    bomb = gzip.compress(b'{"a":"' + b"0" * (50 * 1024 * 1024) + b'"}')
    assert len(bomb) < 1024 * 1024
    response = central.push(None, central.alpha, raw=bomb)
    assert response.status_code == 413 and "over 8 MB" in response.get_json()["error"]
    assert central.stored() == 0


def test_without_a_live_exercise_a_push_is_refused_not_lost_silently(central: Central) -> None:
    central.store.end_exercise(central.exercise, NOW)
    app = create_app(central.store, VirtualClock(NOW))
    response = app.server.test_client().post(
        "/api/v1/push",
        data=encode_batch(batch()),
        headers={"Authorization": f"Bearer {central.alpha}", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 409


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
SAMPLE_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "name": JSON_VALUES | st.sampled_from(["host_cpu_ratio", "probe_success"]),
        "labels": JSON_VALUES,
        "at": JSON_VALUES | st.floats(),
        "value": JSON_VALUES,
    },
)
BATCH_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "faculty": JSON_VALUES | st.just("alpha"),
        "host": JSON_VALUES | st.just("gw"),
        "batch": JSON_VALUES,
        "samples": st.lists(SAMPLE_LIKE, max_size=3) | JSON_VALUES,
    },
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=BATCH_LIKE | JSON_VALUES)
def test_no_payload_makes_the_endpoint_answer_5xx(central: Central, document: Any) -> None:
    body = gzip.compress(json.dumps(document, allow_nan=True).encode())
    response = central.push(None, central.alpha, raw=body)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    if response.status_code != 200:
        assert response.get_json()["errors"]
