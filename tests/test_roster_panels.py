"""The large roster's panels from a tick alone: as many attention rows as the wall
holds today, the rest counted; regions past the table's rows ranked and summed."""

from __future__ import annotations

from dataclasses import replace

from tests.conftest import Drilled
from tests.test_faculty_attention import words
from vigie.dashboard.context import Exercise
from vigie.dashboard.roster_panels import (
    ATTENTION_ROWS,
    GROUP_ROWS,
    HEADLINE_ROWS,
    attention_panel,
    grouping_title,
    groups_panel,
    rows_that_fit,
)
from vigie.dashboard.screen import TickedScreen
from vigie.i18n import texts
from vigie.plan import Plan
from vigie.tick import FacultyView, GroupView, IncidentView, TickState


def screen_of(drilled: Drilled, plan: Plan, language: str = "en", **tick: object) -> TickedScreen:
    store, exercise_id, t0 = drilled
    found = store.ticks.at(exercise_id, t0 + 300)
    record = store.exercise(exercise_id)
    assert found is not None and record is not None
    state = TickState.decode(found[1]).model_copy(update=tick)
    exercise = Exercise(replace(record, ended=None), plan, 1.0)  # as if still running
    return TickedScreen(exercise, state, state.at, True, texts(language))


def blind_sites(n: int) -> tuple[FacultyView, ...]:
    return tuple(
        FacultyView(
            id=f"site-{i}",
            name=f"Site {i}",
            wave=1,
            expected=100,
            connected=None,
            measured_at=None,
            lagging=False,
            region="Bretagne",
        )
        for i in range(n)
    )


def test_the_rows_that_do_not_fit_under_a_headline_are_counted(
    drilled: Drilled, small_plan: Plan
) -> None:
    quiet = screen_of(drilled, small_plan, incidents=())
    assert rows_that_fit(quiet) == ATTENTION_ROWS
    at = quiet.at  # the incident began a minute before
    sites = blind_sites(20)
    breach = IncidentView(server="waf-1", since=at - 60, cause="saturated", over_limit=True)
    screen = screen_of(
        drilled,
        small_plan,
        "fr",
        incidents=(breach,),
        sites=1000,
        attention=sites,
        site_states={"blind": 20},
    )
    shown = words(attention_panel(screen, "wall"))
    rows = ATTENTION_ROWS - HEADLINE_ROWS[0]
    assert [w for w in shown if w.startswith("Site ")] == [f"Site {i}" for i in range(rows)]
    assert f"+{20 - rows} autres demandent de l'attention" in shown
    assert "980 sites dans les temps" in shown


def test_a_roster_with_nobody_needing_attention_says_so(drilled: Drilled, small_plan: Plan) -> None:
    screen = screen_of(drilled, small_plan, sites=3000, attention=(), site_states={"ok": 3000})
    shown = words(attention_panel(screen, "wall"))
    assert "No site needs attention" in shown and "3,000 sites on track" in shown


def test_regions_past_the_table_show_the_worst_and_sum_the_others(
    drilled: Drilled, small_plan: Plan
) -> None:
    groups = tuple(
        GroupView(
            name=f"Region {i}",
            sites=10,
            expected=1000,
            connected=1000 - i,
            attention=0,
            blind=0,
            lost=0,
        )
        for i in range(GROUP_ROWS + 7)
    )
    worst = groups[3].model_copy(update={"attention": 2, "blind": 1})
    groups = (*groups[:3], worst, *groups[4:])
    shown = words(groups_panel(screen_of(drilled, small_plan, groups=groups), "wall"))
    names = [w for w in shown if w.startswith("Region ")]
    assert names[0] == "Region 3" and len(names) == GROUP_ROWS - 1
    assert "+8 others" in shown  # the quietest, summed in one row


def test_the_grouping_is_translated_when_it_is_the_default_else_shown_as_the_plan_says(
    drilled: Drilled, small_plan: Plan
) -> None:
    assert grouping_title(screen_of(drilled, small_plan, "fr")) == "Régions"
    exercise = small_plan.exercise.model_copy(update={"grouping": "académie"})
    plan = small_plan.model_copy(update={"exercise": exercise})
    assert grouping_title(screen_of(drilled, plan, "fr")) == "académie"
