"""The staging exam application: Flask under gunicorn, one session row per student in PostgreSQL.

HTTP API (virtual students are written against it):
- POST /login {"student", "faculty"} -> 200 {"ok": true} and the signed `exam_session` cookie
- GET /question -> 200 {"id", "text"}; 401 without a session
- POST /answer {"question": int, "answer": str} -> 200 {"ok": true}; 401 / 400
- POST /logout -> 200 {"ok": true}; 401 without a session
- GET /healthz -> 200 "ok"; GET /metrics -> Prometheus text, computed from PostgreSQL

Bad input answers 400 with a message, never 500; an unreachable database answers 503.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from typing import Any

import psycopg
from flask import Flask, Response, jsonify, request, session
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from werkzeug.exceptions import HTTPException

from vigie.staging.db_pool import ConnectionPool

SESSION_COOKIE = "exam_session"
ACTIVE_WINDOW_S = 120
MAX_FIELD = 64
MAX_ANSWER = 2000
MAX_BODY = 16 * 1024
QUESTIONS = (
    "Quel est le premier signe d'une hypoglycémie ?",
    "Citez deux contre-indications à l'IRM.",
    "Quelle est la dose maximale de paracétamol chez l'adulte ?",
    "Décrivez la prise en charge d'un arrêt cardiaque.",
)

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sessions (student text PRIMARY KEY, faculty text NOT NULL,"
    " started timestamptz NOT NULL, last_seen timestamptz NOT NULL, ended timestamptz NULL)",
    "CREATE TABLE IF NOT EXISTS answers (student text NOT NULL, question integer NOT NULL,"
    " answer text NOT NULL, at timestamptz NOT NULL DEFAULT now())",
)
LOGIN = (
    "INSERT INTO sessions (student, faculty, started, last_seen) VALUES (%s, %s, now(), now())"
    " ON CONFLICT (student) DO UPDATE SET faculty = EXCLUDED.faculty, started = now(),"
    " last_seen = now(), ended = NULL"
)
TOUCH = (
    "UPDATE sessions SET last_seen = now() WHERE student = %s AND ended IS NULL"
    " RETURNING (SELECT count(*) FROM answers WHERE answers.student = sessions.student)"
)
ANSWER = "INSERT INTO answers (student, question, answer) VALUES (%s, %s, %s)"
LOGOUT = "UPDATE sessions SET ended = now() WHERE student = %s AND ended IS NULL"
ACTIVE_BY_FACULTY = (
    "SELECT faculty, count(*) FILTER (WHERE ended IS NULL"
    f" AND last_seen > now() - interval '{ACTIVE_WINDOW_S} seconds') FROM sessions GROUP BY faculty"
)
ANSWER_COUNT = "SELECT count(*) FROM answers"


class BadInput(ValueError):
    """The request's body is not what the route takes; answered 400 with this message."""


def create_schema(dsn: str) -> None:
    """Create the tables if they are missing (idempotent)."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        for statement in SCHEMA:
            connection.execute(statement)


class ExamCollector:
    """exam_sessions_active{faculty} and exam_answers_total, read from PostgreSQL per scrape,
    so every gunicorn worker reports the same numbers."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    def collect(self) -> Iterator[Metric]:
        active = GaugeMetricFamily(
            "exam_sessions_active",
            f"Sessions not ended and seen within {ACTIVE_WINDOW_S} s.",
            labels=["faculty"],
        )
        answers = CounterMetricFamily("exam_answers", "Answers recorded.")
        with self._pool.connection() as connection:
            for faculty, count in connection.execute(ACTIVE_BY_FACULTY).fetchall():
                active.add_metric([str(faculty)], float(count))  # type: ignore[arg-type]
            row = connection.execute(ANSWER_COUNT).fetchone()
        answers.add_metric([], float(row[0] if row else 0))  # type: ignore[arg-type]
        yield active
        yield answers


def _json_body() -> dict[str, Any]:
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise BadInput("the body must be a JSON object")
    return body


def _text_field(body: dict[str, Any], name: str, limit: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"'{name}' must be a non-empty string")
    if len(value) > limit:
        raise BadInput(f"'{name}' is longer than {limit} characters")
    return value


def _int_field(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise BadInput(f"'{name}' must be a positive integer")
    return value


def _student() -> str | None:
    student = session.get("student")
    return student if isinstance(student, str) else None


def _unauthorized() -> tuple[Response, int]:
    return jsonify(ok=False, error="no valid exam session: POST /login first"), 401


def _register_routes(app: Flask, pool: ConnectionPool, registry: CollectorRegistry) -> None:
    @app.post("/login")
    def login() -> Response:
        body = _json_body()
        student = _text_field(body, "student", MAX_FIELD)
        faculty = _text_field(body, "faculty", MAX_FIELD)
        with pool.connection() as connection:
            connection.execute(LOGIN, (student, faculty))
        session.clear()
        session["student"] = student
        return jsonify(ok=True)

    @app.get("/question")
    def question() -> Response | tuple[Response, int]:
        student = _student()
        if student is None:
            return _unauthorized()
        with pool.connection() as connection:
            row = connection.execute(TOUCH, (student,)).fetchone()
        if row is None:
            return _unauthorized()
        index = int(row[0]) % len(QUESTIONS)  # type: ignore[call-overload]
        return jsonify(id=index + 1, text=QUESTIONS[index])

    @app.post("/answer")
    def answer() -> Response | tuple[Response, int]:
        student = _student()
        if student is None:
            return _unauthorized()
        body = _json_body()
        number = _int_field(body, "question")
        text = _text_field(body, "answer", MAX_ANSWER)
        with pool.connection() as connection, connection.transaction():
            if connection.execute(TOUCH, (student,)).fetchone() is None:
                return _unauthorized()
            connection.execute(ANSWER, (student, number, text))
        return jsonify(ok=True)

    @app.post("/logout")
    def logout() -> Response | tuple[Response, int]:
        student = _student()
        if student is None:
            return _unauthorized()
        with pool.connection() as connection:
            connection.execute(LOGOUT, (student,))
        session.clear()
        return jsonify(ok=True)

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok", mimetype="text/plain")

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4")


def _register_errors(app: Flask) -> None:
    @app.errorhandler(BadInput)
    def bad_input(error: BadInput) -> tuple[Response, int]:
        return jsonify(ok=False, error=str(error)), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        return jsonify(ok=False, error=error.description), error.code or 500

    @app.errorhandler(psycopg.OperationalError)
    def database_down(error: psycopg.OperationalError) -> tuple[Response, int]:
        app.logger.warning("database unavailable: %s", error)
        return jsonify(ok=False, error="the exam database is unavailable"), 503


def create_app(dsn: str, secret_key: str, pool_size: int = 4) -> Flask:
    """The exam app on the database `dsn`; creates the schema now (raises psycopg.Error)."""
    create_schema(dsn)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key,
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=MAX_BODY,
    )
    pool = ConnectionPool(dsn, pool_size)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ExamCollector(pool))
    _register_routes(app, pool, registry)
    _register_errors(app)
    return app


def app_from_env() -> Flask:
    """gunicorn's entry point: VIGIE_EXAM_DSN, VIGIE_EXAM_SECRET, VIGIE_EXAM_POOL (per worker)."""
    dsn = os.environ.get("VIGIE_EXAM_DSN")
    if not dsn:
        raise RuntimeError("VIGIE_EXAM_DSN is not set (a libpq DSN to the exam database)")
    secret = os.environ.get("VIGIE_EXAM_SECRET") or secrets.token_hex(32)
    return create_app(dsn, secret, int(os.environ.get("VIGIE_EXAM_POOL", "4")))
