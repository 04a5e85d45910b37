"""Callback requests are checked whole before Dash runs them.

Dash answers a malformed `/_dash-update-component` body with a 500 and a
traceback in the log. Here a body that does not match a registered callback
(unknown output, wrong inputs or state, not JSON, too big) is refused with a
400 that names what is wrong; a well-formed one goes on to Dash untouched.
"""

from __future__ import annotations

import json
from typing import Any

from dash import Dash
from flask import Response, jsonify, request

MAX_BODY = 64 * 1024  # the largest real request (the console's actions) is a few KB
CALLBACK_PATH = "/_dash-update-component"


class Malformed(ValueError):
    pass


def install_callback_guard(app: Dash) -> None:
    @app.server.before_request
    def guard() -> Response | None:
        if request.path != CALLBACK_PATH or request.method != "POST":
            return None
        try:
            check_callback_request(app.callback_map, _body())
        except Malformed as problem:
            response = jsonify({"error": f"malformed callback request: {problem}"})
            response.status_code = 400
            return response
        return None


def _body() -> Any:
    if (request.content_length or 0) > MAX_BODY:
        raise Malformed(f"body over {MAX_BODY} bytes")
    raw = request.get_data(cache=True)  # kept for Dash to read again
    if len(raw) > MAX_BODY:
        raise Malformed(f"body over {MAX_BODY} bytes")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise Malformed("body is not JSON") from exc


def check_callback_request(callbacks: dict[str, Any], body: Any) -> None:
    """raises Malformed unless `body` calls a registered callback with its exact arguments."""
    if not isinstance(body, dict):
        raise Malformed("body is not a JSON object")
    output = body.get("output")
    if not isinstance(output, str) or output not in callbacks:
        raise Malformed("output names no callback of this app")
    spec = callbacks[output]
    for part in ("inputs", "state"):
        _check_arguments(part, spec.get(part, []), body.get(part, []))


def _check_arguments(part: str, expected: list[dict[str, str]], given: Any) -> None:
    if not isinstance(given, list) or len(given) != len(expected):
        raise Malformed(f"{part} must list {len(expected)} values")
    for want, got in zip(expected, given, strict=True):
        pattern = want["id"].startswith("{")
        items = got if pattern else [got]
        if not isinstance(items, list):
            raise Malformed(f"{part}: {want['id']} must be a list of matches")
        for item in items:
            if not isinstance(item, dict) or item.get("property") != want["property"]:
                raise Malformed(f"{part}: expected {want['id']}.{want['property']}")
            if not pattern and item.get("id") != want["id"]:
                raise Malformed(f"{part}: expected {want['id']}.{want['property']}")
            if pattern and not isinstance(item.get("id"), dict):
                raise Malformed(f"{part}: {want['id']} needs a pattern id")
