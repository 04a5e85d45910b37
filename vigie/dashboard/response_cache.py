"""Callback answers serialised once per screen key and shared by every viewer.

`ViewContext.shared` keeps a second's component tree per worker, but Dash still
serialises it (plotly's JSON encoder) for every request: a cost per viewer that grows
with the sites on screen. Here the bytes Dash answered for a registered callback are
kept per (callback, viewer's rights, screen key), and every other viewer asking with
the same key gets those bytes as they are, gzipped once for all who accept it.

The screen key is computed from the request's values before Dash runs, so it must
name everything the answer depends on: the screen's instant and tick, its language,
replay and error (`Screen.key`), plus the inputs the callback reads. A new
tick or a new second is a new key; old keys are dropped oldest first.

Installed after the callback guard, the same-origin check and the access check:
Flask runs `before_request` hooks in order and stops at the first that answers, so a
request refused there never reaches the cache, and the rights are part of the key,
so an answer built for one kind of viewer never reaches another. Cached answers go
through the `after_request` hooks like any other (security headers, metrics).
"""

from __future__ import annotations

import gzip
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dash import Dash
from flask import Flask, Response, g, request

from vigie.accounts.principal import Principal
from vigie.dashboard.auth import current_principal
from vigie.dashboard.context import ViewContext
from vigie.dashboard.guard import CALLBACK_PATH, callback_values, first_output_id
from vigie.dashboard.screen import screen_for

KEPT = 64  # a few screens x languages x rights, for the current second and the last
GZIP_LEVEL = 5  # once per key per worker: ~20x smaller JSON for a few ms

# From the request's plain input and state values ("id.property" -> value) to the
# screen key of the answer; None: this request is not answered from the cache.
KeyFor = Callable[[Mapping[str, Any]], Hashable | None]


@dataclass
class Answer:
    """One serialised callback answer, and its gzip made on first demand."""

    body: bytes
    mimetype: str
    _gzipped: bytes | None = None

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, GZIP_LEVEL, mtime=0)
        return self._gzipped


@dataclass
class ResponseCache:
    """Register the shareable callbacks by their first output's id, then `install`."""

    kept: int = KEPT
    _keys: dict[str, KeyFor] = field(default_factory=dict)
    _answers: OrderedDict[Hashable, Answer] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    builds: int = 0  # answers built by Dash and kept (a test counts them)

    def register(self, first_output: str, key_for: KeyFor) -> None:
        """raises ValueError if `first_output` is registered already."""
        if first_output in self._keys:
            raise ValueError(f"callback {first_output} is already cached")
        self._keys[first_output] = key_for

    def install(self, app: Dash) -> None:
        """Install after the guard and the access check (see the module's docstring)."""
        server: Flask = app.server
        server.extensions["vigie_response_cache"] = self  # for tests and benchmarks
        server.before_request(self._answer_from_cache)
        server.after_request(self._keep_answer)

    def key_of(self, body: Any) -> Hashable | None:
        """The cache key of a callback request the guard parsed, or None."""
        if not isinstance(body, dict) or not isinstance(body.get("output"), str):
            return None
        key_for = self._keys.get(first_output_id(body["output"]))
        screen = None if key_for is None else key_for(callback_values(body))
        if screen is None:
            return None
        return body["output"], rights(current_principal()), screen

    def _answer_from_cache(self) -> Response | None:
        if request.path != CALLBACK_PATH or request.method != "POST":
            return None
        key = self.key_of(g.get("callback_body"))
        if key is None:
            return None
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
        if answer is None:
            g.response_cache_key = key  # Dash builds it; `_keep_answer` keeps it
            return None
        return _served(Response(answer.body, mimetype=answer.mimetype), answer)

    def _keep_answer(self, response: Response) -> Response:
        key = g.pop("response_cache_key", None)
        if key is None or response.status_code != 200 or response.direct_passthrough:
            return response
        answer = Answer(response.get_data(), response.mimetype or "application/json")
        with self._lock:
            self._answers[key] = answer
            self.builds += 1
            while len(self._answers) > self.kept:
                self._answers.popitem(last=False)
        return _served(response, answer)


def _served(response: Response, answer: Answer) -> Response:
    """The answer's bytes, gzipped when the viewer accepts it."""
    response.headers["Vary"] = "Accept-Encoding"
    if request.accept_encodings.quality("gzip") > 0:
        response.set_data(answer.gzipped())
        response.headers["Content-Encoding"] = "gzip"
    return response


def rights(who: Principal | None) -> Hashable:
    """What decides what a viewer may see: the role and the faculty, not the name
    (the screens cached show no one's name), so all the wall's viewers share."""
    return None if who is None else (who.role.value, who.faculty, who.kiosk_id is not None)


def screen_answer_key(context: ViewContext, *inputs: str) -> KeyFor:
    """The key of a screen callback that reads `url.search` and `vigie-language.data`
    (`screen_for`) and the given "id.property" inputs (their JSON text in the key)."""

    def key_for(values: Mapping[str, Any]) -> Hashable | None:
        screen = screen_for(context, values.get("url.search"), values.get("vigie-language.data"))
        if screen is None:
            return None
        return screen.key, tuple(json.dumps(values.get(i), sort_keys=True) for i in inputs)

    return key_for
