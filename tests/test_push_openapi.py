"""The push API's OpenAPI description: served public, made from the payload model, and
held to by a real server under schemathesis (valid and invalid batches, a valid token)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import SMALL_PLAN
from tests.support.serving import served
from vigie.accounts.tokens import new_token, token_hash
from vigie.clock import VirtualClock
from vigie.collectors.push_openapi import OPENAPI_PATH, PUSH_PATH, REF_TEMPLATE
from vigie.collectors.push_payload import PushBatch, PushRefused, PushStored
from vigie.dashboard.app import create_app
from vigie.dashboard.auth import AuthSettings
from vigie.store import Store

NOW = 1_700_000_000.0
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 150
GOOD_BATCH: dict[str, Any] = {
    "faculty": "alpha",
    "host": "gw-1",
    "samples": [{"name": "host_cpu_ratio", "labels": {}, "at": NOW, "value": 0.4}],
}
BUDGET_S = 12.0  # at most, on a loaded machine: the examples left are then skipped


@pytest.fixture
def central(sqlite_store: Store) -> Iterator[tuple[str, str]]:
    """A real server on 127.0.0.1 collecting a live exercise, and alpha's agent token."""
    sqlite_store.create_exercise(
        plan_id="small-drill",
        name="Small",
        mode="live",
        plan_toml=SMALL_PLAN.read_text(encoding="utf-8"),
        t0=NOW - 600,
    )
    token = new_token()
    sqlite_store.add_agent_token("alpha", token_hash(token))
    with served(create_app(sqlite_store, VirtualClock(NOW))) as url:
        yield url, token


def model_schema(model: Any) -> dict[str, Any]:
    schema: dict[str, Any] = model.model_json_schema(ref_template=REF_TEMPLATE)
    schema.pop("$defs", None)
    return schema


def test_the_description_is_served_public_and_made_from_the_payload_model(
    sqlite_store: Store,
) -> None:
    app = create_app(sqlite_store, auth=AuthSettings(open_demo=False, secret_key="s"))
    response = app.server.test_client().get(OPENAPI_PATH)  # no login, no token
    assert response.status_code == 200
    document = response.get_json()
    schemas = document["components"]["schemas"]
    assert schemas["PushBatch"] == model_schema(PushBatch)
    assert schemas["PushedSample"] == PushBatch.model_json_schema()["$defs"]["PushedSample"]
    assert schemas["PushStored"] == model_schema(PushStored)
    assert schemas["PushRefused"] == model_schema(PushRefused)
    operation = document["paths"][PUSH_PATH]["post"]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "409", "413", "415", "422"}
    schemathesis.openapi.from_dict(document)  # a description schemathesis can load


def test_a_real_server_holds_to_its_description_under_schemathesis(
    central: tuple[str, str],
) -> None:
    url, token = central
    document = requests.get(url + OPENAPI_PATH, timeout=5).json()
    operation = schemathesis.openapi.from_dict(document)[PUSH_PATH]["POST"]
    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
        GenerationMode.NEGATIVE
    )
    deadline = time.monotonic() + BUDGET_S
    headers = {"Authorization": f"Bearer {token}"}
    statuses: dict[int, int] = {}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, ours=st.booleans())
    def holds(case: Any, ours: bool) -> None:
        if time.monotonic() > deadline:
            return  # bounded in time, whatever hypothesis would still try
        if ours and isinstance(case.body, dict) and isinstance(case.body.get("samples"), list):
            # half the valid-shaped batches are alpha's and of now: they get stored
            case.body["faculty"] = "alpha"
            for sample in case.body["samples"]:
                if isinstance(sample, dict):
                    sample["at"] = NOW
        response = case.call(base_url=url, session=session, headers=headers)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS)

    with requests.Session() as session:  # closed: the server stops without waiting on it
        holds()
        stored = operation.Case(body=GOOD_BATCH, media_type="application/json")
        response = stored.call(base_url=url, session=session, headers=headers)
        stored.validate_response(response, checks=CHECKS)
    assert response.status_code == 200, response.text  # a good batch, checked the same way
    assert sum(statuses.values()) >= 50, statuses
    assert 422 in statuses, statuses  # refused naming the field
    assert all(status < 500 for status in statuses), statuses
