"""Security headers on every response, and no server name or version.

The Content-Security-Policy allows scripts from this site only, plus Dash's own
inline scripts by their hashes (`Dash.csp_hashes()`: the renderer's start and the
clientside callbacks). Styles allow 'unsafe-inline' because Plotly writes <style>
elements and style attributes when it draws a chart; a style cannot run code.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from dash import Dash
from flask import Flask, Response, request

HSTS = "max-age=31536000"  # a year, as the shipped HAProxy sends it


def content_security_policy(script_hashes: Sequence[str], frame_ancestors: Sequence[str]) -> str:
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": list(frame_ancestors) or ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def install_security_headers(app: Dash, frame_ancestors: Sequence[str] = ()) -> None:
    """`frame_ancestors`: origins that may embed the pages (a kiosk's embedder);
    none by default."""
    server: Flask = app.server

    @cache
    def policy() -> str:
        # At the first response, when every page has registered its inline scripts.
        return content_security_policy(app.csp_hashes(), frame_ancestors)

    @server.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = policy()
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        if not frame_ancestors:
            headers["X-Frame-Options"] = "DENY"  # for browsers older than frame-ancestors
        if request.is_secure:
            headers["Strict-Transport-Security"] = HSTS
        return response
