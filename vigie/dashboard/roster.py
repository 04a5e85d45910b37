"""The console's sites at any number: the sites needing a person (worst first), the
per-region sums, and a search that finds any one site by name or id.

A small roster (the tick carries every site) keeps the wall's grid of tiles. A
large one is never drawn whole: thousands of rows help nobody and cost every
viewer. Names come from the plan and are passed as text, never as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from dash import dcc, html

from vigie.dashboard import components
from vigie.dashboard.roster_panels import grouping_title, needing_attention, state_words
from vigie.dashboard.screen import Screen, TickedScreen
from vigie.i18n import Texts
from vigie.tick import FacultyView, GroupView
from vigie.tick.build import LOSS_WINDOW_S

FOUND_SHOWN = 50  # a search lists at most this many sites; past it, it says to refine
QUERY_MAX = 64


def site_rows(
    screen: TickedScreen, sites: Iterable[FacultyView], prefix: str, region: bool = True
) -> list[html.Tr]:
    """One row a site: its name (a link to its page), region (unless told not to:
    it is the name's tooltip then), wave, state, numbers."""
    t, words = screen.t, state_words(screen)
    rows = []
    for site in sites:
        state = components.faculty_state(screen, site)
        connected = components.NO_VALUE if site.connected is None else t.count(site.connected)
        numbers = f"{connected} / {t.count(site.expected)}"
        if state == "losing":
            numbers += f" (\u2212{t.count(site.lost)})"
        rows.append(
            html.Tr(
                className=f"vigie-site is-{state}",
                id=f"{prefix}-site-{site.id}",
                children=[
                    html.Td(
                        dcc.Link(site.name, href=f"/faculty/{site.id}"),
                        title=" · ".join(filter(None, [site.id, site.region])),
                    ),
                    *(
                        [html.Td(site.region or "", className="vigie-site-region")]
                        if region
                        else []
                    ),
                    html.Td(t("W{number}", number=site.wave)),
                    html.Td(words[state], className="vigie-site-state"),
                    html.Td(numbers, className="vigie-site-numbers"),
                ],
            )
        )
    return rows


def attention_panel(screen: TickedScreen, prefix: str, limit: int) -> html.Section:
    """The sites needing a person, worst first, at most `limit`; the others counted."""
    t, tick = screen.t, screen.tick
    needing = needing_attention(tick)
    shown = tick.attention[:limit]
    children: list[Any] = [html.H2(t("Sites needing attention"))]
    if shown:
        children.append(
            html.Table(site_rows(screen, shown, prefix, region=False), className="vigie-sites")
        )
    else:
        children.append(html.Div(t("No site needs attention"), className="vigie-no-alerts"))
    if needing > len(shown):
        words = t.plural("and {n} more", "and {n} more", needing - len(shown))
        children.append(html.Div(words, className="vigie-more"))
    rest = tick.sites - needing
    children.append(
        html.Div(
            t.plural("{n} site on track", "{n} sites on track", rest),
            className="vigie-sites-rest",
            id=f"{prefix}-sites-rest",
        )
    )
    return html.Section(
        className="vigie-attention", id=f"{prefix}-needing-attention", children=children
    )


def group_table(screen: Screen, groups: Sequence[GroupView], prefix: str) -> html.Section:
    """Per region (the plan's grouping): sites, connected of expected, who needs a person."""
    t = screen.t
    grouping = screen.exercise.plan.exercise.grouping  # the plan's own word: "region"
    head = [
        grouping_title(screen),
        t("Sites"),
        t("Connected"),
        t("Share"),
        t("Needing attention"),
        t("Blind"),  # the wall's word for a site without fresh data
        t("Lost in {minutes} min", minutes=round(LOSS_WINDOW_S / 60)),
    ]
    rows = [
        html.Tr(
            className="vigie-group-row" + (" is-attention" if g.attention else ""),
            children=[
                html.Td(g.name),
                html.Td(t.count(g.sites)),
                html.Td(f"{t.count(g.connected)} / {t.count(g.expected)}"),
                html.Td(t.percent(g.share)),
                html.Td(t.count(g.attention)),
                html.Td(t.count(g.blind)),
                html.Td(t.count(g.lost)),
            ],
        )
        for g in groups
    ]
    return html.Section(
        className="vigie-groups",
        id=f"{prefix}-groups",
        children=[
            html.H2(
                t("Sites per region")
                if grouping == "region"
                else t("Sites per {grouping}", grouping=grouping)
            ),
            html.Table(
                [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
                className="vigie-sites vigie-groups-table",
            ),
        ],
    )


def find_sites(
    roster: Iterable[FacultyView], query: str, shown: int = FOUND_SHOWN
) -> tuple[list[FacultyView], int]:
    """The sites whose name, short name or id holds `query` (whatever the case), in
    the plan's order, at most `shown`, and how many matched in all."""
    wanted = query.strip().casefold()
    if not wanted:
        return [], 0
    matches = [
        f
        for f in roster
        if wanted in f.name.casefold() or wanted in f.id.casefold() or wanted in f.label.casefold()
    ]
    return matches[:shown], len(matches)


def found_panel(
    screen: TickedScreen, found: Sequence[FacultyView], matched: int, query: str, prefix: str
) -> list[Any]:
    """What a search says: the sites found, or that none was, or how many more to refine."""
    t = screen.t
    if not query.strip():
        return [html.Div(t("Type part of a site's name or id"), className="vigie-found-hint")]
    if not found:
        return [html.Div(t("No site matches {query}", query=query), className="vigie-found-hint")]
    children: list[Any] = [html.Table(site_rows(screen, found, prefix), className="vigie-sites")]
    if matched > len(found):
        words = t.plural(
            "{n} more site matches: type more to narrow",
            "{n} more sites match: type more to narrow",
            matched - len(found),
        )
        children.append(html.Div(words, className="vigie-more"))
    return children


def search_box(t: Texts, prefix: str) -> html.Div:
    return html.Div(
        className="vigie-site-search",
        children=[
            html.Label(t("Find a site"), htmlFor=f"{prefix}-site-search"),
            dcc.Input(
                id=f"{prefix}-site-search",
                type="search",
                maxLength=QUERY_MAX,
                debounce=True,
                placeholder=t("name or id"),
            ),
        ],
    )
