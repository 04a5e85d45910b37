"""`GET /healthz`: is Vigie serving, and is its collector alive? For HAProxy, Prometheus'
blackbox probes and people.

200 while the collector writes (or when there is none to wait for: no exercise, an
exercise that ended, a drill or import); 503 when a live exercise's collector has
written nothing for two polls, with the reason in the body. Public: it says how
old the data is and which sources answer, no figure of the exam itself.
"""

from __future__ import annotations

from dash import Dash
from flask import Response, jsonify

from vigie.dashboard.context import ViewContext
from vigie.dashboard.freshness import Freshness, collector_freshness


def install_health(app: Dash, context: ViewContext) -> None:
    @app.server.route("/healthz")
    def healthz() -> tuple[Response, int]:
        exercise = context.exercise()
        if exercise is None:
            return jsonify({"status": "ok", "exercise": None}), 200
        freshness = collector_freshness(context.store, exercise, context.clock.now())
        body = {
            "status": "stale" if freshness.stale else "ok",
            "exercise": exercise.record.id,
            "mode": exercise.record.mode,
            "collector": _collector(freshness),
            "sources": {
                h.source: {"up": h.up, "updated": h.updated}
                for h in context.store.source_health(exercise.record.id)
            },
        }
        return jsonify(body), 503 if freshness.stale else 200


def _collector(freshness: Freshness) -> dict[str, object]:
    return {
        "state": freshness.state.value,
        "reason": freshness.reason,
        "newest_write": freshness.newest_write,
        "age_s": None if freshness.age_s is None else round(freshness.age_s, 3),
        "poll_interval_s": freshness.poll_interval_s,
    }
