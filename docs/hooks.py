"""MkDocs hooks: the plan reference's tables, written from the pydantic model at every
build, so that the page cannot drift from what `vigie check` accepts."""

from __future__ import annotations

from typing import Any

from mkdocs.exceptions import PluginError

from vigie.plan.reference import plan_reference

PAGE = "plan-reference.md"
MARKER = "<!-- plan-reference -->"


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Raises PluginError when the plan page has lost its marker (the build fails)."""
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        raise PluginError(f"{PAGE} has no {MARKER} for the generated tables")
    return markdown.replace(MARKER, plan_reference())
