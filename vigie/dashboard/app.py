"""Build the Dash app: `create_app(store, clock)`; pages are registered explicitly."""

from __future__ import annotations

from pathlib import Path

from dash import Dash, Input, Output, State, dcc, html, page_container

from vigie.clock import Clock, SystemClock
from vigie.collectors.push_endpoint import push_blueprint
from vigie.dashboard.auth import OPEN_DEMO_MODE, AuthSettings, install_auth
from vigie.dashboard.context import ViewContext
from vigie.dashboard.errors import install_error_handling
from vigie.dashboard.guard import install_callback_guard
from vigie.dashboard.health import install_health
from vigie.dashboard.metrics import install_metrics
from vigie.dashboard.pages import compare, console, faculty, review, server, wall
from vigie.dashboard.response_cache import ResponseCache, screen_answer_key
from vigie.resources import assets_folder
from vigie.store import Store

PAGES = (console, wall, server, faculty, review, compare)


def create_app(
    store: Store,
    clock: Clock | None = None,
    exercise_id: int | None = None,
    refresh_ms: int = 1000,
    assets: Path | None = None,
    poll_interval_s: float | None = None,
    context_type: type[ViewContext] = ViewContext,
    auth: AuthSettings = OPEN_DEMO_MODE,
    share_answers: bool = True,
) -> Dash:
    """The dashboard over `store`; `poll_interval_s` overrides the plan's when a
    demo polls less often than the plan says (staleness is judged against it).
    `context_type` is for benchmarks comparing other ways of reading the store.
    `auth`: open demo mode (loopback only; the default) or accounts.
    `share_answers=False` serialises every refresh per viewer (the scale benchmark's
    "before")."""
    context = context_type(
        store, clock or SystemClock(), exercise_id, refresh_ms, poll_interval_s, auth.open_demo
    )
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",  # pages are registered below, never discovered by scanning
        assets_folder=str(assets or assets_folder()),
        title="Vigie",
        update_title="",  # no "Updating..." flicker on a wall screen
        suppress_callback_exceptions=True,  # each page's components exist only on that page
    )
    for page in PAGES:
        page.register(app, context)
    app.layout = html.Div(
        [
            dcc.Location(id="url"),
            # A browser's language choice (?lang=fr once) is kept for its next visits.
            dcc.Store(id="vigie-language", storage_type="local"),
            page_container,
        ],
        className="vigie-root",
    )
    _remember_language(app)
    install_error_handling(app)
    install_callback_guard(app)  # first: the access check reads the body it parsed
    install_auth(app, store, context.clock, auth, lambda: _plan_language(context))
    if share_answers:
        _share_answers(context).install(app)  # after the access check: response_cache.py
    install_health(app, context)
    install_metrics(app, context, auth.metrics_token, auth.open_demo)
    app.server.register_blueprint(push_blueprint(store, context.clock))
    return app


def _share_answers(context: ViewContext) -> ResponseCache:
    """The refreshes every viewer of a screen second asks alike, answered with the
    same bytes (the console's alerts are not: their answer depends on what the
    browser already shows)."""
    answers = ResponseCache()
    answers.register("wall-screen", screen_answer_key(context))
    answers.register("console-header", screen_answer_key(context, "console-view.value"))
    answers.register("faculty-header", screen_answer_key(context, "faculty-id.data"))
    return answers


def _plan_language(context: ViewContext) -> str | None:
    exercise = context.exercise()
    return None if exercise is None else exercise.plan.exercise.language.value


def _remember_language(app: Dash) -> None:
    app.clientside_callback(
        """function (search, current) {
            const asked = new URLSearchParams(search || "").get("lang");
            return asked ? asked : window.dash_clientside.no_update;
        }""",
        Output("vigie-language", "data"),
        Input("url", "search"),
        State("vigie-language", "data"),
    )
