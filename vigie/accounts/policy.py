"""The access policy: every route, page and callback of the app, and who may use it.

One table per kind. A route, page or callback missing from its table is refused
to everyone (and the access-matrix test names it), so a new screen cannot leak
by being forgotten here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from vigie.accounts.principal import Principal, Role

Rule = Callable[[Principal | None, Mapping[str, Any]], bool]


def public(_who: Principal | None, _args: Mapping[str, Any]) -> bool:
    return True


def signed_in(who: Principal | None, _args: Mapping[str, Any]) -> bool:
    return who is not None


def roles(*allowed: Role) -> Rule:
    def rule(who: Principal | None, _args: Mapping[str, Any]) -> bool:
        return who is not None and who.role in allowed

    return rule


def national_wall(who: Principal | None, _args: Mapping[str, Any]) -> bool:
    if who is None:
        return False
    return who.role in (Role.OPERATOR, Role.REVIEWER) or who.national_kiosk


def own_faculty(who: Principal | None, args: Mapping[str, Any]) -> bool:
    faculty = args.get("faculty")
    return who is not None and isinstance(faculty, str) and who.may_see_faculty(faculty)


STAFF = roles(Role.OPERATOR, Role.REVIEWER)
OPERATOR = roles(Role.OPERATOR)

# Flask endpoints. Dash's shell and scripts hold no data; pages and callbacks are
# checked on their own below. The push endpoint checks its agent token itself.
ROUTES: dict[str, Rule] = {
    "static": public,
    "_dash_assets.static": public,
    "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>": public,
    "/_favicon.ico": public,
    "/_dash-layout": public,
    "/_dash-dependencies": public,
    "/_reload-hash": public,
    "/": public,
    "/<path:path>": public,
    "/_dash-update-component": signed_in,  # then the callback's own rule
    "healthz": public,
    "metrics": public,  # Prometheus' bearer token, checked by the endpoint
    "vigie_push.push": public,  # bearer agent token, checked by the endpoint
    "vigie_push.openapi": public,  # the push API's description: no data
    "vigie_auth.login": public,
    "vigie_auth.logout": public,
    "vigie_auth.logout_by_get": public,  # refused with 405 by the endpoint
    "vigie_auth.kiosk": public,  # the link's token, checked by the endpoint
    "review_report": STAFF,  # an exercise's post-mortem report, downloaded
}

# Pages by their path template: what `_pages_content` may render for whom.
PAGES: dict[str, Rule] = {
    "/": STAFF,
    "/wall": national_wall,
    "/server/<server_id>": STAFF,
    "/faculty/<faculty_id>": own_faculty,
    "/review": STAFF,
    "/compare": STAFF,
}

# Server-side callbacks by their first output's component id.
CALLBACKS: dict[str, Rule] = {
    "console-header": STAFF,
    "console-alerts": STAFF,
    "console-found": STAFF,  # the console's site search
    "console-action-result": OPERATOR,  # acknowledge, note, decide
    "wall-screen": national_wall,
    "server-header": STAFF,
    "faculty-header": own_faculty,
    "review-wall": STAFF,  # the wall as it was at the scrubbed instant
    "review-timeline": STAFF,
    "review-at": STAFF,  # previous / next event, a step of play
    "review-note-result": STAFF,  # notes written after the fact: reviewers' own work
    "compare-chart": STAFF,  # two stored exercises overlaid
    "_pages_content": signed_in,  # then the page's own rule, by its path
}


def allowed(table: Mapping[str, Rule], key: str, who: Principal | None, **args: Any) -> bool:
    rule = table.get(key)
    return rule is not None and rule(who, args)
