"""Build the Dash app: `create_app(store, clock)`; pages are registered explicitly,
each from the `Page` its module describes (page_registry.py)."""

from __future__ import annotations

from pathlib import Path

from dash import Dash, Input, Output, State, dcc, html, page_container

from vigie.clock import Clock, SystemClock
from vigie.collectors.push_endpoint import push_blueprint
from vigie.dashboard.access import access_of
from vigie.dashboard.auth import OPEN_DEMO_MODE, AuthSettings, install_auth
from vigie.dashboard.context import ViewContext
from vigie.dashboard.errors import install_error_handling
from vigie.dashboard.guard import install_callback_guard
from vigie.dashboard.health import install_health
from vigie.dashboard.metrics import install_metrics
from vigie.dashboard.page_registry import LANGUAGE, URL, PageRegistry
from vigie.dashboard.pages import REGISTERED as PAGES
from vigie.dashboard.response_cache import ResponseCache
from vigie.resources import assets_folder
from vigie.store import Store


def create_app(
    store: Store,
    clock: Clock | None = None,
    exercise_id: int | None = None,
    *,
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
        store,
        clock or SystemClock(),
        exercise_id,
        refresh_ms=refresh_ms,
        poll_interval_s=poll_interval_s,
        open_demo=auth.open_demo,
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
    # The refreshes every viewer of a screen second asks alike, answered with the
    # same bytes: each page says which (page_registry.Refresh.shared).
    answers = ResponseCache()
    pages = PageRegistry(app, context, answers)
    for page in PAGES:
        pages.add(page)
    app.layout = _shell()
    _remember_language(app)
    install_error_handling(app)
    install_callback_guard(app)  # first: the access check reads the body it parsed
    access = access_of(PAGES)
    install_auth(app, store, context.clock, auth, lambda: _plan_language(context), access=access)
    if share_answers:
        answers.install(app)  # after the access check: response_cache.py
    install_health(app, context)
    install_metrics(app, context, auth.metrics_token, auth.open_demo)
    app.server.register_blueprint(push_blueprint(store, context.clock))
    return app


def _shell() -> html.Div:
    """What every page is shown in: the address and the language each page reads."""
    return html.Div(
        [
            dcc.Location(id=URL),
            # A browser's language choice (?lang=fr once) is kept for its next visits.
            dcc.Store(id=LANGUAGE, storage_type="local"),
            page_container,
        ],
        className="vigie-root",
    )


def _plan_language(context: ViewContext) -> str | None:
    exercise = context.exercise()
    return None if exercise is None else exercise.plan.exercise.language.value


def _remember_language(app: Dash) -> None:
    app.clientside_callback(
        """function (search, current) {
            const asked = new URLSearchParams(search || "").get("lang");
            return asked ? asked : window.dash_clientside.no_update;
        }""",
        Output(LANGUAGE, "data"),
        Input(URL, "search"),
        State(LANGUAGE, "data"),
    )
