"""The push API's OpenAPI 3.1 description, made from the models the endpoint validates
with and answers with (`push_payload`), so the two cannot drift apart.

Served public at `GET /api/openapi.json`: it says what an agent may send, no secret.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from vigie.collectors.push_payload import (
    MAX_BODY_BYTES,
    MAX_JSON_BYTES,
    PushBatch,
    PushRefused,
    PushStored,
)

PUSH_PATH = "/api/v1/push"
OPENAPI_PATH = "/api/openapi.json"
REF_TEMPLATE = "#/components/schemas/{model}"

# Every refusal the endpoint gives, each with the same body (PushRefused).
REFUSALS = {
    "400": "Not JSON, or JSON past the bounds (nesting, number size, lone surrogates), or bad gzip",
    "401": "Missing, unknown or revoked agent token",
    "403": "The batch names another faculty than the token's",
    "409": "No exercise is being collected",
    "413": f"Over {MAX_BODY_BYTES // 1024} kB as sent, or {MAX_JSON_BYTES // 2**20} MB inflated",
    "415": "A Content-Encoding other than gzip or identity",
    "422": "Valid JSON, not a valid batch: each error names its field (`samples[3].value`)",
}


def model_schemas() -> dict[str, Any]:
    """The JSON Schemas of the request and answers, by model name, refs between them."""
    _, top = models_json_schema(
        [(PushBatch, "validation"), (PushStored, "serialization"), (PushRefused, "serialization")],
        ref_template=REF_TEMPLATE,
    )
    schemas: dict[str, Any] = top["$defs"]
    return schemas


def push_openapi() -> dict[str, Any]:
    refused = _json(REF_TEMPLATE.format(model="PushRefused"))
    responses: dict[str, Any] = {
        "200": {
            "description": "The batch is stored",
            **_json(REF_TEMPLATE.format(model="PushStored")),
        },
        **{code: {"description": text, **refused} for code, text in REFUSALS.items()},
    }
    operation = {
        "operationId": "push",
        "summary": "A faculty agent's batch of samples, stored whole or refused whole",
        "description": (
            "The token names the faculty; the batch may be gzipped (Content-Encoding: gzip)."
            " Pushing the same batch again stores it once."
        ),
        "security": [{"agentToken": []}],
        "requestBody": {"required": True, **_json(REF_TEMPLATE.format(model="PushBatch"))},
        "responses": responses,
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Vigie push API", "version": "1"},
        "paths": {PUSH_PATH: {"post": operation}},
        "components": {
            "schemas": model_schemas(),
            "securitySchemes": {"agentToken": {"type": "http", "scheme": "bearer"}},
        },
    }


def _json(ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": ref}}}}
