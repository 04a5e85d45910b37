"""Build the Dash app: `create_app(store, clock)`; pages are registered explicitly."""

from __future__ import annotations

from pathlib import Path

from dash import Dash, html, page_container
from flask import Response, jsonify

from vigie.clock import Clock, SystemClock
from vigie.collectors.push_endpoint import push_blueprint
from vigie.dashboard.context import ViewContext
from vigie.dashboard.pages import overview
from vigie.resources import assets_folder
from vigie.store import Store

PAGES = (overview,)


def create_app(
    store: Store,
    clock: Clock | None = None,
    exercise_id: int | None = None,
    refresh_ms: int = 1000,
    assets: Path | None = None,
    poll_interval_s: float | None = None,
) -> Dash:
    """The dashboard over `store`; `poll_interval_s` overrides the plan's when a
    demo polls less often than the plan says (staleness is judged against it)."""
    context = ViewContext(store, clock or SystemClock(), exercise_id, refresh_ms, poll_interval_s)
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",  # pages are registered below, never discovered by scanning
        assets_folder=str(assets or assets_folder()),
        title="Vigie",
        update_title="",  # no "Updating..." flicker on a wall screen
    )
    for page in PAGES:
        page.register(app, context)
    app.layout = html.Div(page_container, className="vigie-root")
    _add_health_route(app, context)
    app.server.register_blueprint(push_blueprint(store, context.clock))
    return app


def _add_health_route(app: Dash, context: ViewContext) -> None:
    @app.server.route("/healthz")
    def healthz() -> Response:
        exercise = context.exercise()
        body: dict[str, object] = {"status": "ok", "exercise": None}
        if exercise is not None:
            body["exercise"] = exercise.record.id
            body["sources"] = {
                h.source: {"up": h.up, "updated": h.updated}
                for h in context.store.source_health(exercise.record.id)
            }
        return jsonify(body)
