"""The exercise's real date: `--starts-at`, and the warning when a live plan's start is
far from now (a plan copied from an old exam shows T+42595:23:09 on every screen).

Pure functions of the plan's start and an injected "now": no clock is read here.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from vigie.i18n.formats import exercise_clock

# A live exam day is a few hours long, and a process restarted during it still sees
# a start earlier that day: 12 hours (or the plan's own duration plus an hour, for a
# longer exercise) before now cannot be today's exam. Planners check and rehearse a
# plan in the weeks before the exam, so a start up to a month ahead is normal; past
# that it is most likely a mistyped year or an old plan's date.
STALE_AFTER = timedelta(hours=12)
RESTART_MARGIN = timedelta(hours=1)
TOO_FAR_AHEAD = timedelta(days=30)

STARTS_AT_HELP = (
    "The exercise's T+0: `now`, or ISO 8601 with an offset (2026-12-01T14:00+01:00). "
    "Replaces the plan's exercise.starts_at; the file is not edited."
)


class StartRefused(ValueError):
    """A `--starts-at` value that is not `now` or an ISO 8601 time with an offset."""


def exercise_zone(plan_start: datetime | None) -> tzinfo:
    """The zone the exercise's wall times are shown in: the plan's offset, else the
    machine's own (what a plan start without offset means, as Python reads it)."""
    if plan_start is not None and plan_start.tzinfo is not None:
        return plan_start.tzinfo
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def parse_starts_at(value: str, plan_start: datetime | None, now: datetime) -> datetime:
    """`now` (in the plan's offset, so a French plan keeps French wall times) or an ISO
    8601 time with an offset. raises StartRefused with a one-line reason."""
    if value.strip().lower() == "now":
        return now.astimezone(exercise_zone(plan_start)).replace(microsecond=0)
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise StartRefused(
            f"--starts-at {value!r} is not `now` or an ISO 8601 time such as 2026-12-01T14:00+01:00"
        ) from None
    if when.tzinfo is None:
        raise StartRefused(
            f"--starts-at {value!r} has no UTC offset: write it as {value}+01:00 "
            "(or Z for UTC), or give `now`"
        )
    return when


def start_warning(
    starts_at: datetime | None, now: datetime, duration: timedelta = timedelta(0)
) -> str | None:
    """One or two lines when a live exercise would start far from `now`, else None.

    `duration` is the plan's: a start that long ago (plus an hour) is a running exam.
    """
    if starts_at is None:
        return None  # a live exercise without a start starts when it is served
    if starts_at.tzinfo is None:
        starts_at = starts_at.astimezone()  # as `.timestamp()` reads it: the machine's zone
    elapsed = now - starts_at
    if -TOO_FAR_AHEAD <= elapsed <= max(STALE_AFTER, duration + RESTART_MARGIN):
        return None
    when = starts_at.isoformat(timespec="minutes").replace("T", " ")
    far = plain_span(abs(elapsed)) + (" ago" if elapsed > timedelta(0) else " from now")
    seconds = elapsed.total_seconds()
    clock = f"T{'+' if seconds >= 0 else ''}{exercise_clock(seconds)}"
    # The likeliest fix: today, at the plan's own time of day and offset.
    today = datetime.combine(now.astimezone(starts_at.tzinfo).date(), starts_at.timetz())
    example = today.isoformat(timespec="minutes")
    return (
        f"vigie: warning: exercise.starts_at is {when}, {far}: the screens would show "
        f"{clock} now.\n"
        f"vigie: give the real start without editing the plan: --starts-at {example} "
        "(or --starts-at now)."
    )


_UNITS = (
    ("year", timedelta(days=365.2425)),
    ("month", timedelta(days=30.436875)),
    ("day", timedelta(days=1)),
    ("hour", timedelta(hours=1)),
    ("minute", timedelta(minutes=1)),
)


def plain_span(span: timedelta) -> str:
    """The two largest units, as a person says it: "4 years 10 months", "3 days 2 hours".

    Months and years are average ones: this is for a warning, not a calendar.
    """
    rest = abs(span)
    for index, (name, size) in enumerate(_UNITS):
        if rest < size:
            continue
        big = int(rest / size)
        parts = [_say(big, name)]
        if index + 1 < len(_UNITS):
            next_name, next_size = _UNITS[index + 1]
            small = int((rest - big * size) / next_size)
            parts += [_say(small, next_name)] if small else []
        return " ".join(parts)
    return "less than a minute"


def _say(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"
