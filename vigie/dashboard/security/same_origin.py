"""Cross-site request refusal: every state-changing request must come from a page
of this site.

Browsers say where a request comes from in `Sec-Fetch-Site` and `Origin` (sent on
every POST by current browsers). A request that says it is cross-site, or whose
Origin is not this site's, is refused. A request with neither header is not from a
browser page (curl, an agent, a test client), so no other site can have made a
browser send it. The agents' push API authenticates with a bearer token, never a
cookie, so a browser cannot be made to send its credentials: it is exempt.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_SITE_FETCHES = frozenset({"same-origin", "none"})  # "none": typed, or a bookmark
BEARER_TOKEN_ENDPOINTS = frozenset({"vigie_push.push"})


def cross_site_reason(method: str, fetch_site: str | None, origin: str | None, host: str) -> str:
    """Why the request is refused as cross-site, or "" when it is not. `host`: the
    Host the request was sent to (host[:port]).

    The Origin's host and port are compared, not its scheme: behind a TLS proxy
    started without --trusted-proxies, Vigie sees http where the browser says https,
    and refusing every login then would lock the room out over a flag. A page of the
    same host over plain http is no other site's (and the proxy redirects it)."""
    if method in SAFE_METHODS:
        return ""
    if fetch_site is not None and fetch_site not in SAME_SITE_FETCHES:
        return f"a {fetch_site} request (Sec-Fetch-Site) may not change anything here"
    if origin is not None and _host_of(origin) != _without_default_port(host.lower()):
        return f"a request from the origin {origin[:100]!r} may not change anything here"
    return ""


def _host_of(origin: str) -> str | None:
    """host[:port] of an origin, without the scheme's default port; None for "null"
    or anything that is not scheme://host."""
    scheme, separator, rest = origin.strip().rstrip("/").partition("://")
    if not separator or scheme.lower() not in ("http", "https") or not rest or "/" in rest:
        return None
    return _without_default_port(rest.lower())


def _without_default_port(host: str) -> str:
    for default in (":80", ":443"):
        if host.endswith(default):
            return host.removesuffix(default)
    return host


def install_same_origin_check(server: Flask) -> None:
    @server.before_request
    def refuse_cross_site() -> Response | None:
        if request.endpoint in BEARER_TOKEN_ENDPOINTS:
            return None
        reason = cross_site_reason(
            request.method,
            request.headers.get("Sec-Fetch-Site"),
            request.headers.get("Origin"),
            request.host,
        )
        if not reason:
            return None
        response = jsonify({"error": reason})
        response.status_code = 403
        return response
