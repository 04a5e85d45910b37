"""A roster too large for a grid of tiles: the sites needing a person, worst first,
the count of the rest, and the sums per region (or the plan's grouping).

Built from the tick alone (its attention list, its sites per state, its groups):
what a viewer costs does not grow with the number of sites.
"""

from __future__ import annotations

from typing import Any

from dash import html

from vigie.dashboard.components import NO_VALUE, faculty_state
from vigie.dashboard.incident import HEADLINES_SHOWN
from vigie.dashboard.screen import Screen, Status, TickedScreen
from vigie.tick import FacultyView, GroupView, TickState
from vigie.tick.attention import NEEDS_ATTENTION, SiteState

GRID_TILES = 36  # up to this many sites, a wall shows one tile each (3 columns of 12)
# The rows the wall's column holds above the regions, at any size (a 1920x1080
# layout): under the header alone, and the room an incident's headline (one or two
# lines) or the blind banner takes from them.
ATTENTION_ROWS = 12
HEADLINE_ROWS = (3, 5)
BANNER_ROWS = 4
GROUP_ROWS = 13  # the seed's 13 regions; more are ranked, and the rest summed in one row


def sites_of(tick: TickState) -> int:
    # A tick written before `sites` was kept says it by its faculties.
    return tick.sites or len(tick.faculties)


def is_large(tick: TickState) -> bool:
    return sites_of(tick) > GRID_TILES


def needing_attention(tick: TickState) -> int:
    return sum(tick.site_states.get(state.value, 0) for state in NEEDS_ATTENTION)


def state_words(screen: Screen) -> dict[SiteState, str]:
    """A badge per site state (a site is a faculty: the French agree with it)."""
    t = screen.t
    return {
        SiteState.BLIND: t("BLIND"),
        SiteState.LOSING: t("LOSING"),
        SiteState.LAGGING: t("LAGGING"),
        SiteState.CONNECTING: t("CONNECTING"),
        SiteState.OK: t("OK"),
        SiteState.PLANNED: t("PLANNED"),
        SiteState.STOPPED: t("STOPPED"),
    }


def rows_that_fit(screen: TickedScreen) -> int:
    """The attention rows the wall has room for, with what is above them today."""
    tick = screen.tick
    rows = ATTENTION_ROWS
    if tick.incidents:
        open_ = sum(1 for i in tick.incidents if i.ended is None)
        rows -= HEADLINE_ROWS[min(max(open_, 1), HEADLINES_SHOWN) - 1]
    if screen.status()[0] is Status.BLIND:
        rows -= BANNER_ROWS
    return max(1, rows)


def attention_panel(screen: TickedScreen, prefix: str, limit: int | None = None) -> html.Section:
    """The sites needing a person, worst first, as many as fit (`limit`, else what
    the wall has room for); those that do not fit are counted."""
    t, tick = screen.t, screen.tick
    limit = rows_that_fit(screen) if limit is None else limit
    needing = needing_attention(tick)
    shown = tick.attention[:limit]
    words = state_words(screen)
    rows: list[Any] = [_attention_row(screen, f, prefix, words) for f in shown]
    hidden = max(needing, len(tick.attention)) - len(shown)
    if hidden > 0:
        more = t.plural("+{n} more needs attention", "+{n} more need attention", hidden)
        rows.append(html.Div(more, className="vigie-attention-more", id=f"{prefix}-attention-more"))
    if not rows:
        rows.append(html.Div(t("No site needs attention"), className="vigie-attention-none"))
    on_track = max(0, sites_of(tick) - needing)
    return html.Section(
        className="vigie-attention",
        id=f"{prefix}-attention",
        children=[
            html.H2(t("Sites needing attention")),
            html.Div(rows, className="vigie-attention-list"),
            html.Div(
                t.plural("{n} site on track", "{n} sites on track", on_track),
                className="vigie-on-track vigie-fit",
                id=f"{prefix}-on-track",
            ),
        ],
    )


def _attention_row(
    screen: TickedScreen, faculty: FacultyView, prefix: str, words: dict[SiteState, str]
) -> html.Div:
    t = screen.t
    state = faculty_state(screen, faculty)  # at the screen's instant: aged numbers turn blind
    connected = NO_VALUE if faculty.connected is None else t.count(faculty.connected)
    numbers = f"{connected} / {t.count(faculty.expected)}"
    if faculty.lost:
        numbers += f" \u2212{t.count(faculty.lost)}"
    return html.Div(
        className=f"vigie-attention-row is-{state}",
        id=f"{prefix}-attention-{faculty.id}",
        title=faculty.name,
        children=[
            html.Span(words[state], className="vigie-attention-state"),
            html.Span(faculty.label, className="vigie-attention-name"),
            html.Span(numbers, className="vigie-attention-numbers vigie-fit"),
            html.Span(faculty.region or "", className="vigie-attention-region"),
        ],
    )


def grouping_title(screen: Screen) -> str:
    """The plan's grouping: "region" in the screen's language, any other word as given."""
    grouping = screen.exercise.plan.exercise.grouping
    return screen.t("Regions") if grouping == "region" else grouping


def groups_panel(screen: TickedScreen, prefix: str, limit: int = GROUP_ROWS) -> html.Section:
    """Per group: share connected, sites needing attention, of which blind."""
    t, tick = screen.t, screen.tick
    groups = list(tick.groups)
    rest: list[GroupView] = []
    if len(groups) > limit:  # the worst first, the quiet ones summed in one row
        groups.sort(key=lambda g: (-g.blind, -g.attention, g.share))
        groups, rest = groups[: limit - 1], groups[limit - 1 :]
    rows: list[Any] = [_group_row(screen, g, prefix) for g in groups]
    if rest:
        others = GroupView(
            name=t.plural("+{n} other", "+{n} others", len(rest)),
            sites=sum(g.sites for g in rest),
            expected=sum(g.expected for g in rest),
            connected=sum(g.connected for g in rest),
            attention=sum(g.attention for g in rest),
            blind=sum(g.blind for g in rest),
            lost=sum(g.lost for g in rest),
        )
        rows.append(_group_row(screen, others, prefix, "others"))
    head = html.Div(
        className="vigie-group is-head",
        children=[
            html.Span(grouping_title(screen)),
            html.Span(t("connected")),
            html.Span(t("attention"), className="vigie-group-count"),
            html.Span(t("blind"), className="vigie-group-count"),
        ],
    )
    return html.Section(className="vigie-groups", id=f"{prefix}-groups", children=[head, *rows])


def _group_row(screen: Screen, group: GroupView, prefix: str, key: str | None = None) -> html.Div:
    t = screen.t
    state = SiteState.BLIND if group.blind else "attention" if group.attention else "ok"
    return html.Div(
        className=f"vigie-group is-{state}",
        id=f"{prefix}-group-{key or group.name}",
        children=[
            html.Span(group.name, className="vigie-group-name"),
            html.Div(
                className="vigie-group-share",
                children=[
                    html.Div(
                        className="vigie-bar",
                        children=html.Div(
                            className="vigie-bar-fill",
                            style={"width": f"{min(100.0, group.share * 100):.1f}%"},
                        ),
                    ),
                    html.Span(t.percent(group.share), className="vigie-group-percent vigie-fit"),
                ],
            ),
            html.Span(t.count(group.attention), className="vigie-group-count vigie-fit"),
            html.Span(t.count(group.blind), className="vigie-group-count vigie-fit"),
        ],
    )
