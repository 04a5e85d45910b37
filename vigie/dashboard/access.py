"""Who may open each page and call each callback: what the pages declare.

Each page's `access` rules its path, each refresh its first output (the page's
rule unless the refresh has its own), and each of its `actions` the callback of
that id. `auth.py` checks these before any callback runs. Default deny: a path
or a callback no page declares is in neither table, and is refused to everyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vigie.accounts.policy import Rule, signed_in
from vigie.dashboard.security.page_paths import PageRules

if TYPE_CHECKING:
    from vigie.dashboard.page_registry import Page


@dataclass(frozen=True)
class Access:
    pages: Mapping[str, Rule]  # by path template: what `_pages_content` may render for whom
    callbacks: Mapping[str, Rule]  # server-side callbacks by their first output's id
    paths: PageRules = field(init=False)  # the templates, to match a requested path

    def __post_init__(self) -> None:
        object.__setattr__(self, "paths", PageRules(self.pages))


def access_of(pages: Iterable[Page]) -> Access:
    pages = tuple(pages)
    callbacks: dict[str, Rule] = {
        refresh.outputs[0][0]: refresh.access or page.access
        for page in pages
        for refresh in page.refreshes
    }
    callbacks |= {output: rule for page in pages for output, rule in page.actions}
    callbacks["_pages_content"] = signed_in  # Dash's page router: then the page's own rule
    return Access({page.path: page.access for page in pages}, callbacks)
