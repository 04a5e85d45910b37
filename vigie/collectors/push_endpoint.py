"""The central side of faculty agents: `POST /api/v1/push`.

A token authenticates the agent and names its faculty: a token for one faculty
can never write another's series. The batch is validated whole and stored in
one transaction, or refused whole with a 4xx and a JSON message saying why.
Its OpenAPI description, made from the same models, is `GET /api/openapi.json`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Response, jsonify, request

from vigie.accounts.tokens import token_hash
from vigie.clock import Clock
from vigie.collectors.push_openapi import OPENAPI_PATH, push_openapi
from vigie.collectors.push_openapi import PUSH_PATH as PUSH_PATH  # the agent sends there
from vigie.collectors.push_payload import (
    MAX_BODY_BYTES,
    PayloadInvalid,
    PushRefused,
    PushStored,
    decode_body,
    parse_batch,
    to_samples,
)
from vigie.store import Store

log = logging.getLogger(__name__)


def push_blueprint(
    store: Store, clock: Clock, current_exercise: Callable[[], int | None] | None = None
) -> Blueprint:
    live_exercise = current_exercise or store.live_exercise
    blueprint = Blueprint("vigie_push", __name__)

    @blueprint.post(PUSH_PATH)
    def push() -> tuple[Response, int]:
        faculty = _authenticated_faculty(store)
        if faculty is None:
            return _refuse(401, "missing, unknown or revoked agent token")
        try:
            # Never read more than the limit, whatever Content-Length claims.
            body = request.stream.read(MAX_BODY_BYTES + 1)
            batch = parse_batch(decode_body(body, request.content_encoding), clock.now())
        except PayloadInvalid as invalid:
            return _refuse(invalid.status, *invalid.errors)
        if batch.faculty != faculty:
            return _refuse(403, f"this token belongs to faculty {faculty!r}, not {batch.faculty!r}")
        exercise = live_exercise()
        if exercise is None:
            return _refuse(409, "no exercise is being collected: nothing to push to")
        samples = to_samples(batch)
        store.write_cycle(exercise, samples)
        log.info("push %s/%s batch %s: %d samples", faculty, batch.host, batch.batch, len(samples))
        return jsonify(PushStored(stored=len(samples), exercise=exercise).model_dump()), 200

    @blueprint.get(OPENAPI_PATH)
    def openapi() -> Response:
        return jsonify(push_openapi())

    return blueprint


def _authenticated_faculty(store: Store) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return store.faculty_of_token(token_hash(token.strip()))


def _refuse(status: int, *errors: str) -> tuple[Response, int]:
    return jsonify(PushRefused(error=errors[0], errors=list(errors)).model_dump()), status
