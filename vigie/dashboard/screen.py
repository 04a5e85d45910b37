"""One screen's view of an exercise: which instant, which tick, which language, and
how fresh that is. A function of (store, plan, at): live is `at = now`."""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from urllib.parse import parse_qs

from vigie.dashboard.context import Exercise, ViewContext
from vigie.i18n import Texts, texts
from vigie.tick import TickState

STALE_AFTER_INTERVALS = 2


class Status(StrEnum):
    """Ordered by what an operator must know first."""

    STOPPED = "stopped"
    BLIND = "blind"
    STALE = "stale"
    REPLAY = "replay"
    LIVE = "live"


@dataclass(frozen=True)
class Screen:
    exercise: Exercise
    tick: TickState | None
    at: float  # the instant shown
    replay: bool
    t: Texts
    error: str | None = None  # a request that could not be honoured, said on screen

    @property
    def key(self) -> tuple[Hashable, ...]:
        """Everything a screen's rendering depends on (with the page's own inputs): what
        its shared renderings and answers are kept by."""
        return (
            self.exercise.record.id,
            None if self.tick is None else self.tick.at,
            int(self.at),  # the clocks and ages on screen move by the second
            self.t.language,
            self.replay,
            self.exercise.record.ended,
            self.error,
        )

    @property
    def tz(self) -> tzinfo | None:
        starts_at = self.exercise.plan.exercise.starts_at
        return None if starts_at is None else starts_at.tzinfo

    @property
    def shown_at(self) -> float:
        """The instant the screen speaks of: its own, or the stop once it is past."""
        ended = self.exercise.record.ended
        return self.at if ended is None else min(self.at, ended)

    @property
    def elapsed_s(self) -> float:
        """The exercise clock, frozen at the stop."""
        return self.shown_at - self.exercise.record.t0

    def clock_of(self, epoch: float) -> str:
        """An instant on the exercise clock: "T+24:54", the one time every screen uses."""
        return f"T+{self.t.clock(epoch - self.exercise.record.t0)}"

    def wall_time(self, epoch: float, seconds: bool = False) -> str:
        """Wall time, secondary, in the exercise's time zone and labelled as such."""
        zone = _zone_name(self.tz, epoch)
        return self.t(
            "wall time {time} {zone}", time=self.t.time(epoch, self.tz, seconds), zone=zone
        ).strip()

    @property
    def stale_after_s(self) -> float:
        return STALE_AFTER_INTERVALS * self.exercise.poll_interval_s

    @property
    def stopped_at_s(self) -> float | None:
        ended = self.exercise.record.ended
        return None if ended is None or ended > self.at else ended - self.exercise.record.t0

    def wave_launches(self, wave: int | None = None) -> list[tuple[int, float]]:
        """(wave, epoch) of the waves launched by this instant (all, or one): the
        charts' wave markers, at the room's launch rather than the plan's time."""
        if self.tick is None:
            return []
        t0 = self.exercise.record.t0
        return [
            (w.number, t0 + (w.start_s if w.launched_s is None else w.launched_s))
            for w in self.tick.waves
            if w.state.value != "planned" and wave in (None, w.number)
        ]

    def is_stale(self, measured_at: float | None) -> bool:
        """Older than two poll intervals; after the stop the last values are final."""
        if self.stopped_at_s is not None:
            return False
        return measured_at is None or self.at - measured_at > self.stale_after_s

    @property
    def collector_silent(self) -> bool:
        """No state from the collecting process for two intervals: the screen is blind."""
        return self.stopped_at_s is None and (
            self.tick is None or self.at - self.tick.at > self.stale_after_s
        )

    def status(self) -> tuple[Status, str]:
        t = self.t
        if self.stopped_at_s is not None:
            return Status.STOPPED, t("EXERCISE STOPPED at T+{at}", at=t.clock(self.stopped_at_s))
        tick = self.tick
        if tick is None:
            return Status.BLIND, t("No data yet")
        if self.collector_silent:
            return Status.BLIND, t(
                "MONITORING BLIND: {source} since {time}",
                source=t("Vigie collector"),
                time=self.clock_of(tick.at),
            )
        if tick.blind:
            first = tick.blind[0]
            return Status.BLIND, t(
                "MONITORING BLIND: {source} since {time}",
                source=first.source,
                time=self.clock_of(first.since),
            )
        if self.is_stale(tick.active_measured_at):
            measured = tick.active_measured_at
            if measured is None:
                return Status.STALE, t("No data yet")
            return Status.STALE, t(
                "STALE: last data at {time} ({age} ago)",
                time=self.clock_of(measured),
                age=t.duration(self.at - measured),
            )
        if self.replay:
            return Status.REPLAY, t("REPLAY at {time}", time=self.clock_of(self.at))
        return Status.LIVE, t("LIVE")


@dataclass(frozen=True)
class TickedScreen(Screen):
    """A screen with the collector's state to show: what every panel draws from."""

    tick: TickState


def ticked(screen: Screen) -> TickedScreen | None:
    """The screen with its tick, or None before the collector wrote any."""
    if screen.tick is None:
        return None
    return TickedScreen(**{f.name: getattr(screen, f.name) for f in fields(screen)})


def requested_language(search: str | None, remembered: str | None, exercise: Exercise) -> Texts:
    """`?lang=fr` in the address, else what this browser chose before, else the plan's."""
    asked = _query(search).get("lang")
    kept = remembered if isinstance(remembered, str) else None
    return texts(asked or kept or exercise.plan.exercise.language.value)


def screen_for(context: ViewContext, search: str | None, remembered: str | None) -> Screen | None:
    exercise = context.exercise()
    if exercise is None:
        return None
    t = requested_language(search, remembered, exercise)
    replay_at, error = requested_instant(exercise, search, t)
    at = replay_at if replay_at is not None else context.clock.now()
    screen = Screen(exercise, None, at, replay_at is not None, t, error)
    # After the stop the final state is the one shown, whatever was polled after it.
    return replace(screen, tick=context.tick(exercise, screen.shown_at))


def ticked_screen_for(
    context: ViewContext, search: str | None, remembered: str | None
) -> TickedScreen | None:
    """As `screen_for`, for what shows nothing until the collector wrote a state."""
    screen = screen_for(context, search, remembered)
    return None if screen is None else ticked(screen)


def requested_instant(
    exercise: Exercise, search: str | None, t: Texts
) -> tuple[float | None, str | None]:
    """`?at=SECONDS` (exercise seconds from T+0) shows the exercise as it was then."""
    value = _query(search).get("at")
    if value is None:
        return None, None
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds):
        return None, t(
            "at={value} is not a number of seconds from T+0; showing live", value=repr(value[:40])
        )
    span = exercise.plan.exercise.duration_min * 60
    return exercise.record.t0 + min(max(seconds, -span), 2 * span), None


def _zone_name(tz: tzinfo | None, epoch: float) -> str:
    """UTC+01:00 for a plan's fixed offset; the zone's own name for a named one."""
    moment = datetime.fromtimestamp(epoch, tz or UTC)
    name = moment.tzname() or ""
    return "UTC" if name in ("UTC", "UTC+00:00") else name


def _query(search: object) -> dict[str, str]:
    if not isinstance(search, str):
        return {}  # a callback body may carry anything; only a query string means something
    return {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items() if v}
