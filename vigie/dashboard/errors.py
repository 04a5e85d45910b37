"""What the app answers when a request goes wrong: a 4xx said plainly, never a traceback.

An asset path that names no file of a registered package (Dash raises
DependencyException, `/_dash-component-suites/%2e%2e/...`) is a 404, logged in
one line. Anything else unexpected is a 500 whose body is a short JSON message
and an incident id; the traceback goes to the log under that id, for the
operator, never to the client.
"""

from __future__ import annotations

import logging
import uuid

from dash import Dash
from dash.exceptions import DependencyException
from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


def install_error_handling(app: Dash) -> None:
    server = app.server

    @server.errorhandler(DependencyException)
    def unknown_asset(_error: DependencyException) -> Response:
        log.info("no such asset: %s", request.path[:200])
        return _answer(404, "no such asset")

    @server.errorhandler(Exception)
    def unexpected(error: Exception) -> Response | HTTPException:
        if isinstance(error, HTTPException):  # Flask's own 4xx, and aborts: as they are
            return error
        incident = uuid.uuid4().hex[:12]
        log.error(
            "unexpected error %s on %s %s",
            incident,
            request.method,
            request.path[:200],
            exc_info=error,
        )
        return _answer(500, "internal error; the server log says more", incident=incident)


def _answer(status: int, message: str, **more: str) -> Response:
    response = jsonify({"error": message, **more})
    response.status_code = status
    return response
