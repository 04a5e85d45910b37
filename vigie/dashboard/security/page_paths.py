"""Which page a path is, default-deny: a path is matched only in its one canonical
spelling, and a path that is no page is refused.

Dash's router is lenient (it strips slashes at both ends), browsers and proxies
decode percent-escapes and dot segments in their own ways, so a rule checked on
one spelling and a page rendered from another could differ: `/faculty/beta/`
once showed beta's shell to alpha's team. Here `/faculty/beta/`, `//faculty/beta`,
`/faculty/./beta`, `/faculty/%62eta` all have the canonical form `/faculty/beta`;
the shell is redirected there and checked there, and a callback's location that
is not canonical is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

SEGMENT = re.compile(r"[A-Za-z0-9_\-]+")  # ids of servers and faculties, page names
MAX_PATH = 512


@dataclass(frozen=True)
class PageMatch:
    template: str  # the page's rule key, e.g. "/faculty/<faculty_id>"
    arguments: dict[str, Any]


def canonical(path: str) -> str | None:
    """The path with escapes decoded, empty and dot segments resolved and no trailing
    slash; None when it holds anything else than plain segments (or climbs above /)."""
    if len(path) > MAX_PATH:
        return None
    decoded = unquote(path)
    if "%" in decoded or "\\" in decoded:
        return None  # escaped twice, or a backslash some browsers read as a slash
    kept: list[str] = []
    for segment in decoded.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not kept:
                return None
            kept.pop()
        elif SEGMENT.fullmatch(segment):
            kept.append(segment)
        else:
            return None
    return "/" + "/".join(kept)


class PageRules:
    """The page templates (`vigie.dashboard.access.Access.pages`' keys), matched exactly."""

    def __init__(self, templates: Iterable[str]) -> None:
        self._map = Map([Rule(path, endpoint=path) for path in templates], strict_slashes=False)

    def match(self, path: object) -> PageMatch | None:
        """The page of a canonical path; None for any other path or no page."""
        if not isinstance(path, str) or canonical(path) != path:
            return None
        try:
            template, arguments = self._map.bind("").match(path)
        except HTTPException:
            return None
        return PageMatch(str(template), dict(arguments))
