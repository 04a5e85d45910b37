"""Logging in, wall-screen links, and the check every request goes through.

Two modes. Open demo mode (loopback only, printed at start): everyone is the
demo operator. Accounts mode: a session from the login page or a kiosk link,
and every route, page and callback allowed only as `vigie.accounts.policy` says.
The principal is read from the store on each request, so a disabled account or
a revoked link stops working at the next refresh.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from dash import Dash
from flask import (
    Blueprint,
    Flask,
    Response,
    g,
    jsonify,
    redirect,
    render_template_string,
    request,
    session,
)
from werkzeug.routing import Map, Rule

from vigie.accounts.passwords import DECOY_HASH, password_matches
from vigie.accounts.policy import CALLBACKS, PAGES, ROUTES, allowed
from vigie.accounts.principal import NATIONAL, OPEN_DEMO, Principal, Role
from vigie.clock import Clock
from vigie.i18n import LANGUAGES, Texts, texts
from vigie.store import Store
from vigie.tokens import token_hash

CALLBACK_PATH = "/_dash-update-component"
WINDOW_S = 15 * 60
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
MAX_FIELD = 256


@dataclass(frozen=True)
class AuthSettings:
    open_demo: bool  # no login at all: loopback only, said at start
    secret_key: str = ""  # signs session cookies; the same in every worker
    secure_cookies: bool = False  # behind TLS


OPEN_DEMO_MODE = AuthSettings(open_demo=True)


def current_principal() -> Principal | None:
    who: Principal | None = g.get("principal")
    return who


def install_auth(
    app: Dash,
    store: Store,
    clock: Clock,
    settings: AuthSettings,
    plan_language: Callable[[], str | None] = lambda: None,
) -> None:
    """`plan_language`: the language of the plan served, the login page's last choice
    after `?lang=` and the browser's Accept-Language."""
    server: Flask = app.server
    if settings.open_demo:

        @server.before_request
        def everyone_is_the_demo_operator() -> None:
            g.principal = OPEN_DEMO

        return
    server.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
    )
    server.register_blueprint(_auth_blueprint(store, clock, plan_language))
    pages = Map([Rule(path, endpoint=path) for path in PAGES])

    @server.before_request
    def check_access() -> Response | None:
        g.principal = _principal(store)
        return _refusal(app, pages)


def _principal(store: Store) -> Principal | None:
    kind, _, raw = str(session.get("who", "")).partition(":")
    if not raw.isdigit():
        return None
    if kind == "user":
        user = store.accounts.user_by_id(int(raw))
        if user is None or user.disabled is not None:
            return None
        return Principal(user.name, Role(user.role), user.faculty)
    if kind == "kiosk":
        link = store.accounts.kiosk(int(raw))
        if link is None or link.revoked is not None:
            return None
        faculty = None if link.scope == NATIONAL else link.scope
        return Principal(f"kiosk {link.id}", Role.KIOSK, faculty, kiosk_id=link.id)
    return None


def _refusal(app: Dash, pages: Map) -> Response | None:
    who = current_principal()
    endpoint = request.endpoint or ""
    if not allowed(ROUTES, endpoint, who):
        return _deny(who)
    if endpoint in ("/", "/<path:path>"):
        return _page_refusal(who, request.path)
    if request.path == CALLBACK_PATH and request.method == "POST":
        return _callback_refusal(app, who, pages)
    return None


def _page_refusal(who: Principal | None, path: str) -> Response | None:
    if who is None:
        return redirect(f"/login?next={_safe_next(path)}")  # type: ignore[return-value]
    return None  # the shell holds no data; its content is checked as a callback


def _callback_refusal(app: Dash, who: Principal | None, pages: Map) -> Response | None:
    body = g.get("callback_body")  # parsed (bounded) and checked whole by the guard, first
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return None  # the guard refuses it as malformed
    output = body["output"]
    first = (output[2:] if output.startswith("..") else output).split(".", 1)[0]
    values = _values(body)
    faculty = values.get("faculty-id")
    if not allowed(CALLBACKS, first, who, faculty=faculty):
        return _deny(who)
    if first == "_pages_content" and not _page_allowed(who, values.get("_pages_location"), pages):
        return _deny(who)
    return None


def _values(body: dict[str, Any]) -> dict[str, Any]:
    """Component id -> value for the callback's plain (not pattern) inputs and states."""
    found: dict[str, Any] = {}
    for item in [*body.get("inputs", []), *body.get("state", [])]:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            found.setdefault(item["id"], item.get("value"))
    return found


def _page_allowed(who: Principal | None, pathname: Any, pages: Map) -> bool:
    if not isinstance(pathname, str):
        return False
    try:
        template, arguments = pages.bind("").match(pathname)
    except Exception:  # no such page: Dash shows its 404, which holds no data
        return who is not None
    return allowed(PAGES, str(template), who, faculty=arguments.get("faculty_id"))


def _deny(who: Principal | None) -> Response:
    response = jsonify({"error": "log in first" if who is None else "not allowed for this account"})
    response.status_code = 401 if who is None else 403
    return response


def _safe_next(path: str) -> str:
    """Only a path of this site: never a redirect elsewhere."""
    return path if re.fullmatch(r"/[A-Za-z0-9/_\-]*", path) else "/"


LOGIN_PAGE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ words.title }}</title>
<link rel="stylesheet" href="/assets/vigie.css"></head>
<body><main class="vigie-login"><h1>Vigie</h1>
<p class="vigie-login-intro">{{ words.intro }}</p>
<form method="post" action="/login">
<input type="hidden" name="next" value="{{ next }}">
<input type="hidden" name="lang" value="{{ lang }}">
<label for="name">{{ words.name }}</label>
<input id="name" name="name" autocomplete="username" maxlength="64" required>
<label for="password">{{ words.password }}</label>
<input id="password" name="password" type="password" autocomplete="current-password"
 maxlength="256" required>
<button type="submit">{{ words.log_in }}</button>
{% if error %}<p class="vigie-login-error" role="alert">{{ error }}</p>{% endif %}
</form></main></body></html>"""


def login_language(asked: object, browser: str | None, plan: str | None) -> Texts:
    """`?lang=` (or the form's), else the browser's Accept-Language, else the plan's."""
    chosen = asked if isinstance(asked, str) and asked in LANGUAGES else None
    return texts(chosen or browser or plan)


def _auth_blueprint(
    store: Store, clock: Clock, plan_language: Callable[[], str | None]
) -> Blueprint:
    blueprint = Blueprint("vigie_auth", __name__)

    @blueprint.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        t = login_language(
            request.values.get("lang"),
            request.accept_languages.best_match(LANGUAGES),
            plan_language(),
        )
        next_path = _safe_next(str(request.values.get("next", "/"))[:MAX_FIELD])
        if request.method == "GET":
            return _login_page(t, next_path, "")
        name = str(request.form.get("name", ""))[:MAX_FIELD]
        password = str(request.form.get("password", ""))
        outcome = _attempt(store, clock, name, password, request.remote_addr or "?")
        if isinstance(outcome, int):
            session.clear()
            session["who"] = f"user:{outcome}"
            return redirect(next_path)
        if outcome is Refusal.TOO_MANY:
            return _login_page(t, next_path, t("Too many failed logins: wait 15 minutes.")), 429
        return _login_page(t, next_path, t("Wrong name or password.")), 401

    @blueprint.route("/logout", methods=["GET", "POST"])
    def logout() -> Any:
        session.clear()
        return redirect("/login")

    @blueprint.route("/kiosk/<token>")
    def kiosk(token: str) -> Any:
        link = store.accounts.kiosk_by_hash(token_hash(token[:MAX_FIELD]))
        if link is None or link.revoked is not None:
            response = jsonify({"error": "this wall link is unknown or revoked"})
            response.status_code = 403
            return response
        session.clear()
        session["who"] = f"kiosk:{link.id}"
        return redirect("/wall" if link.scope == NATIONAL else f"/faculty/{link.scope}")

    return blueprint


class Refusal(Enum):
    WRONG = "wrong"
    TOO_MANY = "too many"


def _login_page(t: Texts, next_path: str, error: str) -> str:
    words = {
        "title": t("Vigie · log in"),
        "intro": t("Log in to the control room"),
        "name": t("Name"),
        "password": t("Password"),
        "log_in": t("Log in"),
    }
    return render_template_string(
        LOGIN_PAGE, words=words, lang=t.language, next=next_path, error=error
    )


def _attempt(store: Store, clock: Clock, name: str, password: str, address: str) -> int | Refusal:
    """The user's id, or why not. Failures are counted per
    account and per address in windows of 15 minutes, across every worker."""
    now = clock.now()
    window = math.floor(now / WINDOW_S) * WINDOW_S
    keys = {
        f"account:{name}": MAX_FAILURES_PER_ACCOUNT,
        f"address:{address}": MAX_FAILURES_PER_ADDRESS,
    }
    if any(store.accounts.failures(key, window) >= limit for key, limit in keys.items()):
        return Refusal.TOO_MANY
    user = store.accounts.user(name) if name else None
    good = password_matches(user.password_hash if user else DECOY_HASH, password)
    if user is None or not good or user.disabled is not None:
        for key in keys:
            store.accounts.count_failure(key, window)
        return Refusal.WRONG
    return user.id
