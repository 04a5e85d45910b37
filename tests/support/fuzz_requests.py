"""Malformed HTTP requests for a Dash app, generated from its own registry.

Every route (`app.server.url_map`) and every server-side callback (`app.callback_map`)
is a target. A route's path comes from its rule (each converter filled with hostile
values), a callback's body from its declared outputs, inputs and state (then
mutated). A route taking a body needs a body strategy in BODIES: one added without
is named by `unfuzzed`. Requests are raw bytes on a socket, so paths and headers
reach the server as sent, not as a client library would tidy them.
"""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import strategies as st

CALLBACK_ENDPOINT = "/_dash-update-component"
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")

# Text that has broken parsers before: digits Python's int() refuses, lone
# surrogates, traversal, huge numbers, markup.
NASTY = [
    "",
    "0",
    "-1",
    "1" * 45,
    "9" * 401,
    "²",
    "١٢",
    "1e999",
    "nan",
    "inf",
    "\ud800",
    "a\udfffb",
    "..",
    "%2e%2e",
    "../../etc/passwd",
    "%00",
    "<script>",
    "alpha",
    "beta",
    "gw",
    "fr",
    "en",
    "🔥",
    " ",
]
text = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))
numbers = st.one_of(
    st.integers(-(2**40), 2**40),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, text)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
query_keys = st.sampled_from(["exercise", "at", "lang", "a", "b", "align", "signal", "next"])


def _query(pairs: list[tuple[str, str]]) -> str:
    """`?k=v&...`, a lone surrogate sent as the bytes Python would write for it."""
    return "?" + urlencode([(k, v.encode("utf-8", "surrogatepass")) for k, v in pairs])


searches = st.one_of(st.lists(st.tuples(query_keys, text), max_size=3).map(_query), text)
paths = st.sampled_from(
    ["/", "/wall", "/review", "/compare", "/server/gw", "/faculty/alpha", "/faculty/beta/", "//x"]
)


def value_for(prop: str) -> st.SearchStrategy[Any]:
    """Plausible values for a component property, and anything else JSON."""
    plausible = {
        "search": searches,
        "pathname": st.one_of(paths, text),
        "n_clicks": st.one_of(st.none(), st.integers(0, 5)),
        "n_intervals": st.one_of(st.none(), st.integers(0, 5)),
    }.get(prop, st.one_of(st.integers(0, 700), text))
    return st.one_of(plausible, plausible, json_values)


@dataclass(frozen=True)
class Target:
    """What one fuzzed request aims at: a route and method, or a callback."""

    kind: str  # "route" or "callback"
    name: str  # the endpoint, or the callback's output key
    method: str = "POST"

    def __str__(self) -> str:
        return f"{self.kind} {self.method} {self.name}"


def targets(app: Any) -> list[Target]:
    found = [
        Target("route", rule.endpoint, method)
        for rule in app.server.url_map.iter_rules()
        for method in sorted(rule.methods or ())
    ]
    found += [Target("callback", key) for key in server_callbacks(app)]
    return found


def server_callbacks(app: Any) -> list[str]:
    return [key for key, spec in app.callback_map.items() if spec.get("callback") is not None]


def unfuzzed(app: Any) -> list[str]:
    """Routes taking a body with no body strategy, and converters no strategy fills."""
    missing = []
    for rule in app.server.url_map.iter_rules():
        if (rule.methods or set()) & BODY_METHODS and rule.endpoint not in BODIES:
            missing.append(f"{rule.endpoint}: no body strategy in BODIES")
        for converter, name in CONVERTER.findall(rule.rule):
            if (converter or "default") not in CONVERTERS:
                missing.append(f"{rule.rule}: no strategy for <{converter}:{name}>")
    return missing


# -- paths -------------------------------------------------------------------------
segment = st.one_of(st.sampled_from(NASTY), st.text(max_size=10)).map(
    lambda s: quote(s.encode("utf-8", "surrogatepass"), safe="%")
)
CONVERTERS: dict[str, st.SearchStrategy[str]] = {
    "default": segment,
    "string": segment,
    "int": st.one_of(st.integers(0, 5), st.integers(0, 10**30)).map(str),
    "path": st.lists(segment, min_size=1, max_size=4).map("/".join),
}


def rule_path(rule: str) -> st.SearchStrategy[str]:
    parts = CONVERTER.split(rule)  # text, converter, name, text, converter, name, ...
    pieces: list[st.SearchStrategy[str]] = []
    for index in range(0, len(parts), 3):
        pieces.append(st.just(parts[index]))
        if index + 1 < len(parts):
            pieces.append(CONVERTERS[parts[index + 1] or "default"])
    return st.tuples(*pieces).map("".join)


raw_query = st.one_of(
    st.just(""),
    searches,
    st.sampled_from(["?%", "?%zz=1", "?&&==", "?a=%ff%fe", "?lang=" + "x" * 300]),
)

# -- headers -----------------------------------------------------------------------
header_names = st.sampled_from(
    [
        "Content-Type",
        "Content-Encoding",
        "Accept-Language",
        "Accept-Encoding",
        "Cookie",
        "Authorization",
        "If-None-Match",
        "Range",
        "Origin",
        "Referer",
        "X-Forwarded-For",
        "X-CSRFToken",
    ]
)
header_values = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "gzip",
            "deflate",
            "fr;q=abc, *;q=0.5",
            "Bearer ",
            "Bearer " + "x" * 300,
            "session=garbage",
            "bytes=5-1",
            "null",
        ]
    ),
    st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40),
)
headers = st.lists(st.tuples(header_names, header_values), max_size=4)


# -- bodies ------------------------------------------------------------------------
def _json_bytes(document: Any) -> bytes:
    return json.dumps(document).encode("utf-8", "surrogatepass")


garbage = st.one_of(
    st.binary(max_size=64),
    st.sampled_from([b"[" * 30_000, b'{"output": ' + b"[" * 5000, b"\xff\xfe", b"1" * 500]),
    json_values.map(_json_bytes),
)


def _push_sample() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "name": st.one_of(st.just("host_cpu_ratio"), text),
            "labels": st.dictionaries(text, json_values, max_size=2),
            "at": st.one_of(st.just(1_700_000_000.0), numbers, text),
            "value": st.one_of(numbers, json_values),
        }
    )


push_bodies = st.one_of(
    st.fixed_dictionaries(
        {
            "faculty": st.one_of(st.just("alpha"), text),
            "host": st.one_of(st.just("gw-1"), text),
            "samples": st.lists(_push_sample(), max_size=3),
        },
        optional={"batch": json_values},
    ).map(_json_bytes),
    garbage,
)
form_bodies = st.one_of(
    st.lists(
        st.tuples(st.sampled_from(["name", "password", "next", "lang", "csrf_token"]), text),
        max_size=4,
    ).map(lambda pairs: _query(pairs)[1:].encode()),
    garbage,
)
BODIES: dict[str, st.SearchStrategy[bytes]] = {
    CALLBACK_ENDPOINT: garbage,  # well-formed ones come from each callback's spec
    "vigie_push.push": push_bodies,
    "vigie_auth.login": form_bodies,
    "vigie_auth.logout": form_bodies,
}


@st.composite
def callback_body(draw: st.DrawFn, key: str, spec: dict[str, Any]) -> bytes:
    """A body for callback `key` as the browser would send it, then maybe broken."""
    declared = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
    outputs = [{"id": o.component_id, "property": o.component_property} for o in declared]
    body: dict[str, Any] = {
        "output": key,
        "outputs": outputs if isinstance(spec["output"], list) else outputs[0],
        "inputs": [draw(_argument(d)) for d in spec.get("inputs", [])],
        "state": [draw(_argument(d)) for d in spec.get("state", [])],
    }
    plain = [f"{d['id']}.{d['property']}" for d in spec.get("inputs", [])]
    body["changedPropIds"] = draw(st.lists(st.sampled_from(plain), max_size=2, unique=True))
    return _json_bytes(draw(_mutated(body)))


def _argument(declared: dict[str, str]) -> st.SearchStrategy[Any]:
    prop = declared["property"]
    if not declared["id"].startswith("{"):
        return st.fixed_dictionaries(
            {"id": st.just(declared["id"]), "property": st.just(prop), "value": value_for(prop)}
        )
    pattern = json.loads(declared["id"])
    ids = st.fixed_dictionaries(
        {
            k: (st.one_of(text, numbers) if isinstance(v, list) else st.just(v))
            for k, v in pattern.items()
        }
    )
    item = st.fixed_dictionaries({"id": ids, "property": st.just(prop), "value": value_for(prop)})
    return st.lists(item, max_size=3)


@st.composite
def _mutated(draw: st.DrawFn, body: dict[str, Any]) -> Any:
    """Most bodies as they are (the callback runs on hostile values); the rest broken."""
    choice = draw(st.integers(0, 9))
    if choice < 6:
        return body
    key = draw(st.sampled_from(sorted(body)))
    if choice == 6:
        return {k: v for k, v in body.items() if k != key}
    if choice == 7:
        return {**body, key: draw(json_values)}
    if choice == 8 and isinstance(body[key], list) and body[key]:
        return {**body, key: body[key][:-1]}
    return [body]


# -- the wire ----------------------------------------------------------------------
@dataclass(frozen=True)
class Sent:
    method: str
    target: str  # path and query, as on the request line
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def raw(self) -> bytes:
        lines = [f"{self.method} {self.target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        lines.append(f"Content-Length: {len(self.body)}")
        head = "\r\n".join(lines) + "\r\n\r\n"
        return head.encode("utf-8", "surrogatepass") + self.body


def exchange(host: str, port: int, sent: Sent, timeout_s: float = 10.0) -> tuple[int, bytes]:
    """The response's status and bytes (status 0: the server closed without answering)."""
    chunks = []
    with socket.create_connection((host, port), timeout=timeout_s) as connection:
        try:
            connection.sendall(sent.raw())
            connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server answered (a 4xx) and closed before reading it all
        try:
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
    answer = b"".join(chunks)
    status_line = answer.split(b"\r\n", 1)[0].split(b" ")
    status = int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else 0
    return status, answer
