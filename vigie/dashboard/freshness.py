"""Is the collector alive? The age of its newest write against the plan's fastest poll.

The collecting process writes a per-tick state after every poll cycle and each
source's health with every poll; nothing else writes either (agents' pushes
write samples only). So the newest of the two says when the collector last
worked, whatever the sources answered. Two polls without a write during a live
exercise: the collector is stale (dead, hung, or cut off from the store).

An exercise that ended, or one written whole (a drill, an import), has no
collector to wait for: it is never stale, and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from vigie.dashboard.context import Exercise
from vigie.store import Store

STALE_AFTER_POLLS = 2
COLLECTED_LIVE = frozenset({"live", "demo", "rehearsal"})  # modes polled as they happen


class CollectorState(StrEnum):
    FRESH = "fresh"
    STALE = "stale"
    ENDED = "ended"  # the exercise is over: nothing more is collected
    NOT_COLLECTED = "not_collected"  # a drill or an import: stored whole, never polled


@dataclass(frozen=True)
class Freshness:
    state: CollectorState
    reason: str  # for a person: "nothing written for 7 s, polls every 1 s"
    poll_interval_s: float
    newest_write: float | None = None  # the newest tick state or source health update
    newest_tick: float | None = None
    age_s: float | None = None  # of the newest write (or of the exercise, before any)

    @property
    def up(self) -> bool:
        return self.state is CollectorState.FRESH

    @property
    def stale(self) -> bool:
        return self.state is CollectorState.STALE


def collector_freshness(store: Store, exercise: Exercise, now: float) -> Freshness:
    """Judged at `now` (the app's clock), against the exercise's poll interval."""
    record = exercise.record
    interval = exercise.poll_interval_s
    if record.ended is not None:
        ended = _utc(record.ended)
        return Freshness(CollectorState.ENDED, f"the exercise ended at {ended}", interval)
    if record.mode not in COLLECTED_LIVE:
        why = f"a {record.mode} exercise is stored whole: no collector runs for it"
        return Freshness(CollectorState.NOT_COLLECTED, why, interval)
    tick = store.ticks.latest(record.id)
    newest_tick = None if tick is None else tick[0]
    updates = [h.updated for h in store.source_health(record.id)]
    writes = [at for at in (newest_tick, *updates) if at is not None]
    newest = max(writes, default=None)
    age = max(0.0, now - (newest if newest is not None else record.created))
    stale = age > STALE_AFTER_POLLS * interval
    state = CollectorState.STALE if stale else CollectorState.FRESH
    reason = _reason(newest is not None, stale, age, interval)
    return Freshness(state, reason, interval, newest, newest_tick, age)


def _reason(written: bool, stale: bool, age_s: float, interval_s: float) -> str:
    polls = f"polls every {interval_s:g} s"
    if not written:
        return f"nothing written since the exercise opened {age_s:.0f} s ago, {polls}"
    if stale:
        return f"nothing written for {age_s:.0f} s, {polls}"
    return f"written {age_s:.1f} s ago, {polls}"


def _utc(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
