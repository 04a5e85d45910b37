"""The exercise's real date: `--starts-at` values and the far-start warning, on a fake now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from vigie.run.exam_date import StartRefused, parse_starts_at, plain_span, start_warning

PARIS_WINTER = timezone(timedelta(hours=1))
SEED_START = datetime(2022, 1, 21, 14, 0, tzinfo=PARIS_WINTER)
NOW = datetime(2026, 12, 1, 12, 38, 52, tzinfo=UTC)


def test_a_live_plan_four_years_old_is_warned_about_with_the_date_the_clock_and_the_fix() -> None:
    message = start_warning(SEED_START, NOW)
    assert message is not None
    first, second = message.splitlines()
    assert first == (
        "vigie: warning: exercise.starts_at is 2022-01-21 14:00+01:00, 4 years 10 months ago: "
        "the screens would show T+42599:38:52 now."
    )
    assert "--starts-at 2026-12-01T14:00+01:00" in second and "--starts-at now" in second


def test_a_start_four_years_ahead_is_warned_about_with_a_count_down() -> None:
    message = start_warning(NOW + timedelta(days=4 * 365 + 1), NOW)
    assert message is not None
    assert "4 years from now" in message and "T-35064:00:00" in message


@pytest.mark.parametrize(
    "offset",
    [timedelta(0), timedelta(hours=-11, minutes=-59), timedelta(days=29), timedelta(hours=3)],
)
def test_a_start_today_or_within_the_month_ahead_is_not_warned_about(offset: timedelta) -> None:
    assert start_warning(NOW + offset, NOW) is None


def test_a_start_a_day_ago_is_warned_about_unless_the_exercise_lasts_that_long() -> None:
    yesterday = NOW - timedelta(hours=13)
    assert start_warning(yesterday, NOW) is not None
    assert start_warning(yesterday, NOW, duration=timedelta(hours=14)) is None


def test_a_plan_without_a_start_starts_when_served_and_is_not_warned_about() -> None:
    assert start_warning(None, NOW) is None


def test_now_keeps_the_plans_offset_so_wall_times_stay_french() -> None:
    when = parse_starts_at("now", SEED_START, NOW)
    assert when == NOW.replace(microsecond=0)
    assert when.utcoffset() == timedelta(hours=1)
    assert when.isoformat() == "2026-12-01T13:38:52+01:00"


def test_an_iso_time_with_an_offset_or_z_is_taken_as_given() -> None:
    assert parse_starts_at("2026-12-01T14:00+01:00", SEED_START, NOW) == datetime(
        2026, 12, 1, 13, 0, tzinfo=UTC
    )
    assert parse_starts_at("2026-12-01T13:00Z", None, NOW).utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("value", "said"),
    [("2026-12-01T14:00", "has no UTC offset"), ("tomorrow", "is not `now` or an ISO 8601")],
)
def test_a_time_without_offset_or_not_a_time_is_refused_in_one_line(value: str, said: str) -> None:
    with pytest.raises(StartRefused) as refused:
        parse_starts_at(value, SEED_START, NOW)
    assert said in str(refused.value) and "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("span", "said"),
    [
        (timedelta(days=3, hours=2, minutes=5), "3 days 2 hours"),
        (timedelta(hours=1, minutes=1), "1 hour 1 minute"),
        (timedelta(days=800), "2 years 2 months"),
        (timedelta(minutes=5), "5 minutes"),
        (timedelta(seconds=20), "less than a minute"),
    ],
)
def test_plain_span_says_the_two_largest_units(span: timedelta, said: str) -> None:
    assert plain_span(span) == said
