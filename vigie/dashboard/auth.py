"""Logging in, wall-screen links, and the check every request goes through.

Two modes. Open demo mode (loopback only, printed at start): everyone is the
demo operator. Accounts mode: a session from the login page or a kiosk link,
and every route, page and callback allowed only as `vigie.accounts.policy` says.
The principal is read from the store on each request, so a disabled account or
a revoked link stops working at the next refresh.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dash import Dash, html
from flask import (
    Blueprint,
    Flask,
    Response,
    g,
    jsonify,
    redirect,
    render_template_string,
    request,
)
from werkzeug.middleware.proxy_fix import ProxyFix

from vigie.accounts.login_attempt import attempt_login
from vigie.accounts.login_limits import Refusal, Refused
from vigie.accounts.policy import ROUTES, allowed
from vigie.accounts.principal import NATIONAL, OPEN_DEMO, Principal, Role
from vigie.accounts.tokens import token_hash
from vigie.clock import Clock
from vigie.dashboard.access import Access
from vigie.dashboard.guard import callback_values, first_output_id
from vigie.dashboard.security.headers import install_security_headers
from vigie.dashboard.security.page_paths import canonical
from vigie.dashboard.security.same_origin import install_same_origin_check
from vigie.dashboard.security.sessions import SessionBook, SessionCookies
from vigie.i18n import LANGUAGES, Texts, texts
from vigie.store import Store

CALLBACK_PATH = "/_dash-update-component"
MAX_FIELD = 256


@dataclass(frozen=True)
class AuthSettings:
    open_demo: bool  # no login at all: loopback only, said at start
    secret_key: str | bytes = ""  # signs session cookies; the same in every worker and host
    previous_secret_keys: tuple[str | bytes, ...] = ()  # still accepted (rotation)
    secure_cookies: bool | None = None  # None: Secure whenever the request came over TLS
    trusted_proxies: int = 0  # reverse proxies in front whose X-Forwarded-* are believed
    frame_ancestors: tuple[str, ...] = ()  # origins that may embed the pages (kiosks)
    metrics_token: str | None = None  # Prometheus' bearer token for /metrics (metrics.py)


OPEN_DEMO_MODE = AuthSettings(open_demo=True)


def current_principal() -> Principal | None:
    who: Principal | None = g.get("principal")
    return who


def logout_button(t: Texts) -> html.Form:
    """Logging out is a POST from this site (a GET, or a post from elsewhere, is
    refused): a form with one button, styled as the pages' other buttons."""
    return html.Form(
        html.Button(t("Log out"), type="submit", className="vigie-logout"),
        action="/logout",
        method="POST",
        className="vigie-logout-form",
    )


def install_auth(
    app: Dash,
    store: Store,
    clock: Clock,
    settings: AuthSettings,
    plan_language: Callable[[], str | None] = lambda: None,
    *,
    access: Access,
) -> None:
    """`plan_language`: the language of the plan served, the login page's last choice
    after `?lang=` and the browser's Accept-Language."""
    server: Flask = app.server
    if settings.trusted_proxies:
        # The client's address and scheme as the last N proxies saw them: the per-
        # address login limit then counts clients, not the proxy.
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies
        )
    install_security_headers(app, settings.frame_ancestors)
    install_same_origin_check(server)
    if settings.open_demo:

        @server.before_request
        def everyone_is_the_demo_operator() -> None:
            g.principal = OPEN_DEMO

        return
    server.config.update(
        SECRET_KEY=settings.secret_key,
        SECRET_KEY_FALLBACKS=list(settings.previous_secret_keys),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    server.session_interface = SessionCookies(settings.secure_cookies)
    book = SessionBook(store, clock)
    server.register_blueprint(_auth_blueprint(store, clock, book, plan_language))

    @server.before_request
    def check_access() -> Response | None:
        g.principal = _principal(store, book)
        return _refusal(app, access)


def _principal(store: Store, book: SessionBook) -> Principal | None:
    kind, _, raw = str(book.principal() or "").partition(":")
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


def _refusal(app: Dash, access: Access) -> Response | None:
    who = current_principal()
    endpoint = request.endpoint or ""
    if not allowed(ROUTES, endpoint, who):
        return _deny(who)
    if endpoint in ("/", "/<path:path>"):
        return _page_refusal(who, request.path, access)
    if request.path == CALLBACK_PATH and request.method == "POST":
        return _callback_refusal(app, who, access)
    return None


def _page_refusal(who: Principal | None, path: str, access: Access) -> Response | None:
    """The shell, only at a page's canonical path and for those who may see the page
    (it holds no data, but default-deny leaves nothing to reason about)."""
    spelled = canonical(path)
    if spelled is None:
        return _not_a_page()
    if spelled != path:
        query = request.query_string.decode("latin-1")
        return redirect(spelled + (f"?{query}" if query else ""))  # type: ignore[return-value]
    if who is None:
        return redirect(f"/login?next={_safe_next(path)}")  # type: ignore[return-value]
    if not _page_allowed(who, path, access):
        return _not_a_page() if access.paths.match(path) is None else _deny(who)
    return None


def _not_a_page() -> Response:
    response = jsonify({"error": "no such page"})
    response.status_code = 404
    return response


def _callback_refusal(app: Dash, who: Principal | None, access: Access) -> Response | None:
    body = g.get("callback_body")  # parsed (bounded) and checked whole by the guard, first
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return None  # the guard refuses it as malformed
    first = first_output_id(body["output"])
    values = _values(body)
    faculty = values.get("faculty-id")
    if not allowed(access.callbacks, first, who, faculty=faculty):
        return _deny(who)
    location = values.get("_pages_location")
    if first == "_pages_content" and not _page_allowed(who, location, access):
        return _deny(who)
    return None


def _values(body: dict[str, Any]) -> dict[str, Any]:
    """Component id -> value for the callback's plain (not pattern) inputs and states."""
    found: dict[str, Any] = {}
    for name, value in callback_values(body).items():
        found.setdefault(name.rsplit(".", 1)[0], value)
    return found


def _page_allowed(who: Principal | None, pathname: Any, access: Access) -> bool:
    """Default deny: a location that is no page, or not in its canonical spelling,
    is refused."""
    page = access.paths.match(pathname)
    if page is None:
        return False
    return allowed(access.pages, page.template, who, faculty=page.arguments.get("faculty_id"))


def _deny(who: Principal | None) -> Response:
    response = jsonify({"error": "log in first" if who is None else "not allowed for this account"})
    response.status_code = 401 if who is None else 403
    return response


def _safe_next(path: str) -> str:
    """Only a path of this site: never a redirect elsewhere."""
    return path if re.fullmatch(r"/[A-Za-z0-9/_\-]*", path) else "/"


LOGIN_PAGE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ words.title }}</title>
<link rel="icon" href="/_favicon.ico">
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
    store: Store, clock: Clock, book: SessionBook, plan_language: Callable[[], str | None]
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
        address = request.remote_addr or "?"
        outcome = attempt_login(store.accounts, clock.now(), name, password, address)
        if isinstance(outcome, int):
            book.open(f"user:{outcome}")
            return redirect(next_path)
        return _refused_login(t, next_path, outcome)

    @blueprint.post("/logout")
    def logout() -> Any:
        book.close()
        return redirect("/login")

    @blueprint.get("/logout")
    def logout_by_get() -> Any:
        # Never by GET: a link or an image on another site could log anyone out.
        response = jsonify({"error": "log out with the page's Log out button (a POST)"})
        response.status_code = 405
        response.headers["Allow"] = "POST"
        return response

    @blueprint.route("/kiosk/<token>")
    def kiosk(token: str) -> Any:
        link = store.accounts.kiosk_by_hash(token_hash(token[:MAX_FIELD]))
        if link is None or link.revoked is not None:
            response = jsonify({"error": "this wall link is unknown or revoked"})
            response.status_code = 403
            return response
        book.open(f"kiosk:{link.id}")
        return redirect("/wall" if link.scope == NATIONAL else f"/faculty/{link.scope}")

    return blueprint


def _refused_login(t: Texts, next_path: str, refused: Refused) -> tuple[str, int, dict[str, str]]:
    if refused.why is Refusal.WRONG:
        return _login_page(t, next_path, t("Wrong name or password.")), 401, {}
    if refused.why is Refusal.BACK_OFF:
        error = t("Too many failed logins: wait {seconds} s.", seconds=refused.retry_after_s)
    else:
        error = t(
            "Too many failed logins for this account or from this address: log in from "
            "an address you have used before, wait 15 minutes, or ask an operator to "
            "unlock the account."
        )
    page = _login_page(t, next_path, error)
    return page, 429, {"Retry-After": str(refused.retry_after_s)}


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
