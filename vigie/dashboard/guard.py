"""Callback requests are checked whole before anything else reads them.

Dash answers a malformed `/_dash-update-component` body with a 500 and a
traceback in the log. Here a body that does not call a registered callback
exactly as the browser does (its output or outputs, inputs, state and
changedPropIds), or that is not bounded JSON (`vigie.bounded`: size, depth,
numbers, text), is refused with a 400 that names what is wrong; a well-formed
one goes on untouched. The guard runs first: the access check reads the body it
parsed (`flask.g.callback_body`), never the raw bytes again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import Dash
from dash._utils import split_callback_id, stringify_id
from flask import Response, g, jsonify, request

from vigie.bounded import Unreadable, load_json

MAX_BODY = 64 * 1024  # the largest real request (the console's actions) is a few KB
CALLBACK_PATH = "/_dash-update-component"
ID_PART = (str, int, float, bool)  # what a pattern id's values may be


# Values Dash's own pages router reads (before any callback of ours): it raises
# UnsupportedRelativePath, TypeError or AttributeError on anything else.
DASH_READS: dict[tuple[str, str], tuple[Callable[[Any], bool], str]] = {
    ("_pages_location", "pathname"): (
        lambda value: isinstance(value, str) and value.startswith("/"),
        "must be a path starting with /",
    ),
    ("_pages_location", "search"): (
        lambda value: value is None or isinstance(value, str),
        "must be text",
    ),
}


class Malformed(ValueError):
    pass


def first_output_id(output: str) -> str:
    """The component id of a callback's first output, from its key in the callback map
    ("..a.children...b.data.." or "a.children"): the access policy's name for it."""
    return (output[2:] if output.startswith("..") else output).split(".", 1)[0]


def callback_values(body: dict[str, Any]) -> dict[str, Any]:
    """ "id.property" -> value for a checked request's plain (not pattern) inputs and
    states; the first of a repeated one."""
    found: dict[str, Any] = {}
    for item in [*body.get("inputs", []), *body.get("state", [])]:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            found.setdefault(f"{item['id']}.{item.get('property')}", item.get("value"))
    return found


def install_callback_guard(app: Dash) -> None:
    """Install before the access check: it reads `g.callback_body`, set here."""

    @app.server.before_request
    def guard() -> Response | None:
        if request.path != CALLBACK_PATH or request.method != "POST":
            return None
        try:
            body = _body()
            check_callback_request(app.callback_map, body)
        except Malformed as problem:
            response = jsonify({"error": f"malformed callback request: {problem}"})
            response.status_code = 400
            return response
        g.callback_body = body
        return None


def _body() -> Any:
    if (request.content_length or 0) > MAX_BODY:
        raise Malformed(f"body over {MAX_BODY} bytes")
    raw = request.get_data(cache=True)  # kept for Dash to read again
    if len(raw) > MAX_BODY:
        raise Malformed(f"body over {MAX_BODY} bytes")
    try:
        return load_json(raw)
    except Unreadable as exc:
        raise Malformed(f"body is not bounded JSON: {exc}") from None


def check_callback_request(callbacks: dict[str, Any], body: Any) -> None:
    """raises Malformed unless `body` calls a registered callback with its exact arguments."""
    if not isinstance(body, dict):
        raise Malformed("body is not a JSON object")
    output = body.get("output")
    if not isinstance(output, str) or output not in callbacks:
        raise Malformed("output names no callback of this app")
    spec = callbacks[output]
    if not spec.get("no_output"):
        _check_outputs(output, body.get("outputs"))
    given: list[Any] = []
    for part in ("inputs", "state"):
        given += _check_arguments(part, spec.get(part, []), body.get(part, []))
    _check_changed(body.get("changedPropIds", []), given)
    for item in given:
        rule = (
            DASH_READS.get((item["id"], item["property"])) if isinstance(item["id"], str) else None
        )
        if rule is not None and not rule[0](item.get("value")):
            raise Malformed(f"{item['id']}.{item['property']}: {rule[1]}")


def _check_outputs(key: str, given: Any) -> None:
    """One output is sent as an object, several as a list of them, in declared order,
    each as the callback's key writes it (the renderer reads its outputs from there)."""
    declared = split_callback_id(key)
    expected = declared if isinstance(declared, list) else [declared]
    if isinstance(declared, list):
        if not isinstance(given, list) or len(given) != len(expected):
            raise Malformed(f"outputs must list {len(expected)} outputs")
        for want, got in zip(expected, given, strict=True):
            _check_item("outputs", want, got, with_value=False)
    else:
        _check_item("outputs", expected[0], given, with_value=False)


def _check_arguments(part: str, expected: list[dict[str, Any]], given: Any) -> list[Any]:
    """The items given for `part`, flattened; raises Malformed unless they match."""
    if not isinstance(given, list) or len(given) != len(expected):
        raise Malformed(f"{part} must list {len(expected)} values")
    items: list[Any] = []
    for want, got in zip(expected, given, strict=True):
        pattern = want["id"].startswith("{")
        matches = got if pattern else [got]
        if not isinstance(matches, list):
            raise Malformed(f"{part}: {want['id']} must be a list of matches")
        for item in matches:
            _check_item(part, want, item, with_value=True)
        items += matches
    return items


def _check_item(part: str, want: dict[str, Any], got: Any, with_value: bool) -> None:
    """`got` is {id, property[, value]} for the declared `want` (a plain or pattern id)."""
    wanted_id = want["id"]
    named = f"{part}: expected {wanted_id}.{want['property']}"
    allowed = {"id", "property", "value"} if with_value else {"id", "property"}
    if not isinstance(got, dict) or not set(got) <= allowed or "id" not in got:
        raise Malformed(named)
    # `search@1f0c...` (an allow_duplicate output) may be sent with or without its suffix
    if got.get("property") not in (want["property"], want["property"].split("@")[0]):
        raise Malformed(named)
    if wanted_id.startswith("{"):
        if not _matches_pattern(wanted_id, got["id"]):
            raise Malformed(f"{named} (a pattern id)")
    elif got["id"] != wanted_id:
        raise Malformed(named)


def _matches_pattern(declared: str, given: Any) -> bool:
    """A pattern id of the same keys, the fixed ones equal, the wildcards plain values."""
    wanted = _pattern(declared)
    if not isinstance(given, dict) or set(given) != set(wanted):
        return False
    for key, value in wanted.items():
        wildcard = isinstance(value, list)  # ALL, MATCH...: written ["ALL"] in the registry
        if wildcard and not isinstance(given[key], ID_PART):
            return False
        if not wildcard and given[key] != value:
            return False
    return True


def _pattern(declared: str) -> dict[str, Any]:
    """A declared pattern id (Dash's stringified form) as a dict; the app wrote it."""
    parsed = load_json(declared)
    assert isinstance(parsed, dict)
    return parsed


def _check_changed(changed: Any, given: list[Any]) -> None:
    """Dash reads `changedPropIds` as the given inputs' ids: ctx.triggered_id parses a
    pattern id's JSON, so one must parse (the browser's JSON.stringify may write its
    text otherwise than Python would); a plain one must be one of the request's."""
    known = {f"{stringify_id(item['id'])}.{item['property']}" for item in given}
    if not isinstance(changed, list) or not all(_names_input(c, known) for c in changed):
        raise Malformed("changedPropIds must name inputs of this request")


def _names_input(changed: Any, known: set[str]) -> bool:
    if not isinstance(changed, str):
        return False
    if changed in known or not changed.startswith("{"):
        return changed in known
    try:
        return isinstance(load_json(changed.rsplit(".", 1)[0]), dict)
    except Unreadable:
        return False
