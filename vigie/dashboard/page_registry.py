"""How a page joins the app: its address, its layout and the callbacks that redraw it.

A page is one module under `pages/` that describes itself with one `Page`: its
name (the prefix of its component ids), its path, its title, its layout and its
refreshes. `PageRegistry.add` wires it into the app as every page used to by
hand: `dash.register_page` with the layout bound to the app's `ViewContext`, one
Dash callback per `Refresh` reading the page's interval, the address and the
remembered language, and the refreshes every viewer of a second asks alike
answered once (`response_cache.py`).

A page says who may open it and who may call each of its callbacks; those rules
(`vigie.accounts.policy`) are gathered by `access.py` and checked before any
callback runs. Default deny: a path or a callback that no page declares is
refused to everyone, and the access test names it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import dash
from dash import Dash, Input, Output, State, dcc

from vigie.accounts.policy import Rule
from vigie.dashboard.context import ViewContext
from vigie.dashboard.response_cache import ResponseCache, screen_answer_key
from vigie.dashboard.screen import requested_language
from vigie.i18n import Texts, texts

URL = "url"  # the app's dcc.Location: `search` says the instant and the language asked
LANGUAGE = "vigie-language"  # the language this browser chose before (app.py keeps it)

Prop = tuple[str, str]  # (component id, property)
# layout(context, query): `query` is what Dash passes, the path's variables and the
# address's query arguments (a query argument of the same name wins, as in Dash).
Layout = Callable[[ViewContext, Mapping[str, Any]], Any]
# The page's callbacks that are no refresh: actions, clientside callbacks, routes.
Callbacks = Callable[[Dash, ViewContext], None]


@dataclass(frozen=True, kw_only=True)
class Refresh:
    """A callback that redraws `outputs` for where the viewer is and in its language.

    Dash calls it with, in this order: the page's own inputs `first`, the page's
    interval `<name>-tick` when `ticked` (it fires the refresh; its count is not
    passed on), `url.search`, `vigie-language.data`, the inputs `then`, the states
    `state`. It returns `render(context, *first, search, remembered, *then, *state)`:
    whatever JSON the request carried, so `render` checks the values it reads.

    `shared`: every viewer of the same screen second gets the same bytes, built once
    (`response_cache.py`). The key is the screen `screen_for` reads from `url.search`
    and `vigie-language.data`, and the JSON of every value passed to `render`: only
    for a render that reads nothing else (not who is asking: the key has the rights).
    """

    outputs: tuple[Prop, ...]
    render: Callable[..., Any]
    first: tuple[Prop, ...] = ()
    then: tuple[Prop, ...] = ()
    state: tuple[Prop, ...] = ()
    ticked: bool = True
    shared: bool = False
    access: Rule | None = None  # who may call it; None: whoever may open its page

    def passed(self) -> tuple[Prop, ...]:
        """The page's own values `render` is given, besides the address and language."""
        return (*self.first, *self.then, *self.state)


@dataclass(frozen=True, kw_only=True)
class Page:
    """One screen of the app. `path` with `<variables>` is a template (/faculty/<faculty_id>)."""

    name: str  # prefixes its component ids; `<name>-tick` is its refresh interval
    module: str  # the page module's __name__: Dash's key for the page
    path: str
    title: str
    layout: Layout
    access: Rule  # who may open it (vigie.accounts.policy's rules)
    refreshes: tuple[Refresh, ...] = ()
    callbacks: Callbacks | None = None
    # The callbacks `callbacks` registers, by their first output's id, and who may
    # call each: one left out is refused to everyone (default deny).
    actions: tuple[tuple[str, Rule], ...] = ()


def tick_id(page: str) -> str:
    """The id of the interval that refreshes `page` (its `Refresh` with `ticked`)."""
    return f"{page}-tick"


def tick_interval(page: str, context: ViewContext) -> dcc.Interval:
    """The interval a ticked page's layout holds: one refresh each `refresh_ms`."""
    return dcc.Interval(id=tick_id(page), interval=context.refresh_ms)


def layout_texts(context: ViewContext, lang: str | None) -> Texts:
    """The words of a layout: `?lang=` when given, else the plan's (a layout cannot
    read the browser's remembered language: its refreshes do)."""
    exercise = context.exercise()
    if exercise is None:
        return texts(lang)
    return requested_language(f"lang={lang or ''}", None, exercise)


def text_or_empty(value: object) -> str:
    """A page's store holds text, but a request may carry any JSON there."""
    return value if isinstance(value, str) else ""


class PageRegistry:
    """The app's pages, each added once, in the order they are added."""

    def __init__(self, app: Dash, context: ViewContext, answers: ResponseCache) -> None:
        self._app = app
        self._context = context
        self._answers = answers  # installed by create_app, after the access check
        self._pages: dict[str, Page] = {}

    def add(self, page: Page) -> None:
        """raises ValueError if a page of that name or path is registered already."""
        for known in self._pages.values():
            if page.name == known.name or page.path == known.path:
                raise ValueError(f"page {page.name} ({page.path}) is already registered")
        self._pages[page.name] = page
        context = self._context
        template = "<" in page.path
        dash.register_page(
            page.module,
            path=None if template else page.path,
            path_template=page.path if template else None,
            title=page.title,
            layout=lambda **query: page.layout(context, query),
        )
        for refresh in page.refreshes:
            self._wire(page, refresh)
        if page.callbacks is not None:
            page.callbacks(self._app, context)

    def _wire(self, page: Page, refresh: Refresh) -> None:
        context, first, ticked = self._context, len(refresh.first), int(refresh.ticked)
        inputs = [
            *(Input(*prop) for prop in refresh.first),
            *([Input(tick_id(page.name), "n_intervals")] if refresh.ticked else []),
            Input(URL, "search"),
            Input(LANGUAGE, "data"),
            *(Input(*prop) for prop in refresh.then),
        ]
        states = [State(*prop) for prop in refresh.state]

        def redraw(*values: Any) -> Any:
            return refresh.render(context, *values[:first], *values[first + ticked :])

        outputs = [Output(*prop) for prop in refresh.outputs]
        self._app.callback(*outputs, *inputs, *states)(redraw)
        if refresh.shared:
            named = (f"{component}.{prop}" for component, prop in refresh.passed())
            self._answers.register(refresh.outputs[0][0], screen_answer_key(context, *named))
