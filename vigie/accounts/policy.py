"""The access policy: the rules of who may use what, and every route of the app.

The Flask routes are in `ROUTES`. Pages and their callbacks say which of these
rules is theirs (`Page.access`, `vigie.dashboard.access` gathers them). A
route, page or callback that nothing declares is refused to everyone (and the
access-matrix test names it), so a new screen cannot leak by being forgotten.
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


def allowed(table: Mapping[str, Rule], key: str, who: Principal | None, **args: Any) -> bool:
    rule = table.get(key)
    return rule is not None and rule(who, args)
