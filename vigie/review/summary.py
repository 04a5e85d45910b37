"""What an exercise came to, computed from the store: peaks, waves, breaches.

Pure functions over stored series and the plan, so a drill, a demo and an
imported exercise are summarised by the same code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import JsonValue

from vigie.alerts.memory import LAUNCH
from vigie.alerts.rules import blind, faculty_lag, throttling
from vigie.alerts.verdict import STOPPED_MESSAGE
from vigie.capacity import Limit, capacity_model
from vigie.plan.model import Plan, Server
from vigie.series import Labels
from vigie.store import AlertTransition, Point, Store
from vigie.store.records import AlertState
from vigie.tick.build import COMPLETE_SHARE

FACULTY_CONNECTED_SHARE = 0.90  # "connected" for a faculty's time-to-connect in a review


@dataclass(frozen=True)
class Breach:
    server: str
    at_s: float
    active_sessions: int
    connections: int
    limit: int
    # The kind of the limit reached (a KindOfLimit's name). A whole-server one (total):
    # connections reached its level; a partial one (per_source): the server began
    # refusing connections at it, its total still under its own.
    kind: str = "total"


@dataclass(frozen=True)
class WaveOutcome:
    wave: int
    planned_start_s: float
    started_at_s: float | None  # first connected student, None if nobody came
    expected: int
    connected_peak: int
    completed_at_s: float | None = None  # when COMPLETE_SHARE of it was connected, None: never
    # When the room launched it (its GO, or its students seen connecting), as the
    # engine learned it; the first connection for a store written before that.
    launched_at_s: float | None = None

    @property
    def opened_s(self) -> float:
        """Where the wave's story starts: its launch, else its plan."""
        return self.planned_start_s if self.launched_at_s is None else self.launched_at_s


@dataclass(frozen=True)
class FacultyOutcome:
    faculty: str
    name: str
    wave: int
    wave_start_s: float  # its wave's planned start: what its connection time counts from
    expected: int
    connected_peak: int
    connected_at_s: float | None  # FACULTY_CONNECTED_SHARE of it connected; None: never

    @property
    def time_to_connect_s(self) -> float | None:
        return None if self.connected_at_s is None else self.connected_at_s - self.wave_start_s


@dataclass(frozen=True, kw_only=True)
class AlertEpisode:
    rule: str
    subject: str
    severity: str  # the highest it reached
    fired_at_s: float
    resolved_at_s: float | None
    lead_time_s: float | None  # before the breach it warned about; None if none followed
    message: str  # as it was at its highest severity
    warned_of: Breach | None = None  # the breach that lead time is counted to
    facts: dict[str, JsonValue] = field(default_factory=dict)  # the message's numbers
    stopped: bool = False  # resolved by the exercise's stop, not by a recovery


@dataclass(frozen=True)
class ExerciseSummary:
    exercise: int
    plan_id: str
    expected_students: int
    peak_active_sessions: int
    peak_at_s: float | None
    breaches: list[Breach]
    waves: list[WaveOutcome]
    stopped_at_s: float | None
    alerts: list[AlertEpisode] = field(default_factory=list)
    faculties: list[FacultyOutcome] = field(default_factory=list)
    observed_until_s: float | None = None  # the newest active-sessions sample

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def warnings_of(self, breach: Breach) -> list[AlertEpisode]:
        """The alerts that warned of `breach`, first (longest lead time) first."""
        return [a for a in self.alerts if a.warned_of == breach]


@dataclass(frozen=True)
class SessionTotals:
    """Active sessions summed at each instant: the whole exercise, and each wave."""

    total: list[Point]
    by_wave: dict[int, list[Point]]


def session_totals(store: Store, exercise_id: int, plan: Plan) -> SessionTotals:
    """Each wave's sums computed in the database; the total is theirs added up (every
    faculty is in exactly one wave), rather than a second pass over every sample."""
    groups = {
        wave.number: [(("faculty", f.id),) for f in plan.faculties_in_wave(wave.number)]
        for wave in plan.waves_in_order
    }
    by_wave = store.reductions.sums_by_instant(exercise_id, "sessions_active", groups)
    return SessionTotals(sum_by_instant(by_wave.values()), by_wave)


def sum_by_instant(series: Iterable[Iterable[Point]]) -> list[Point]:
    """The series added up at each instant where any of them has a point, oldest first."""
    totals: dict[float, float] = defaultdict(float)
    for points in series:
        for point in points:
            totals[point.at] += point.value
    return [Point(at, value) for at, value in sorted(totals.items())]


def summarize(
    store: Store, exercise_id: int, plan: Plan, sessions: SessionTotals | None = None
) -> ExerciseSummary:
    """Reads sums and crossings computed by the store, never the raw history: a 4-hour
    exercise at 1 s is summarised as fast as a 40-minute one is read."""
    record = store.exercise(exercise_id)
    if record is None:
        raise LookupError(f"exercise {exercise_id} is not in the store")
    t0 = record.t0
    if sessions is None:
        sessions = session_totals(store, exercise_id, plan)
    totals = {p.at: p.value for p in sessions.total}
    peak_at, peak = max(totals.items(), key=lambda item: item[1], default=(None, 0.0))
    breaches = _breaches(store, exercise_id, plan, totals, t0)
    last = max(totals, default=None)
    return ExerciseSummary(
        exercise=exercise_id,
        plan_id=plan.exercise.id,
        expected_students=plan.total_expected,
        peak_active_sessions=round(peak),
        peak_at_s=None if peak_at is None else peak_at - t0,
        breaches=breaches,
        waves=_waves(plan, sessions, t0, _launches(store, exercise_id)),
        stopped_at_s=None if record.ended is None else record.ended - t0,
        alerts=alert_episodes(store.alerts.transitions(exercise_id), breaches, t0),
        faculties=_faculties(store, exercise_id, plan, t0),
        observed_until_s=None if last is None else last - t0,
    )


SEVERITY_ORDER = ("ok", "careful", "warning", "critical")
# They do not warn of a limit (throttling is the limit giving way: it is the incident).
NO_LEAD_TIME = frozenset({blind.RULE, faculty_lag.RULE, throttling.RULE})


def alert_episodes(
    transitions: Iterable[AlertTransition], breaches: list[Breach], t0: float
) -> list[AlertEpisode]:
    """Each firing of each alert, from its first firing to its resolution."""
    open_: dict[tuple[str, str], dict[str, Any]] = {}
    done: list[dict[str, Any]] = []
    for t in transitions:
        key = (t.rule, t.subject)
        if t.state == AlertState.FIRING:
            episode = open_.setdefault(
                key,
                {
                    "t": t,
                    "fired": t.at - t0,
                    "severity": t.severity,
                    "message": t.message,
                    "facts": t.facts,
                },
            )
            if SEVERITY_ORDER.index(t.severity) > SEVERITY_ORDER.index(episode["severity"]):
                episode.update(severity=t.severity, message=t.message, facts=t.facts)
        elif t.state == AlertState.RESOLVED and key in open_:
            episode = open_.pop(key)
            episode["resolved_at"] = t.at - t0
            episode["stopped"] = t.message == STOPPED_MESSAGE
            done.append(episode)
    done += open_.values()
    return sorted((_episode(e, breaches) for e in done), key=lambda e: (e.fired_at_s, e.rule))


def _episode(episode: dict[str, Any], breaches: list[Breach]) -> AlertEpisode:
    first: AlertTransition = episode["t"]
    fired, resolved = episode["fired"], episode.get("resolved_at")
    warned = None
    if first.rule not in NO_LEAD_TIME:
        warned = next(
            (
                b
                for b in breaches
                if b.at_s >= fired
                and (resolved is None or b.at_s <= resolved)
                and (first.server is None or b.server == first.server)
            ),
            None,
        )
    lead = None if warned is None else warned.at_s - fired
    return AlertEpisode(
        rule=first.rule,
        subject=first.subject,
        severity=episode["severity"],
        fired_at_s=fired,
        resolved_at_s=resolved,
        lead_time_s=lead,
        message=episode["message"],
        warned_of=warned,
        facts=episode["facts"],
        stopped=episode.get("stopped", False),
    )


def _launches(store: Store, exercise_id: int) -> dict[int, float]:
    return {int(f.key): f.value for f in store.learned.all(exercise_id) if f.kind == LAUNCH}


def _waves(
    plan: Plan, sessions: SessionTotals, t0: float, launches: dict[int, float]
) -> list[WaveOutcome]:
    outcomes = []
    for wave in plan.waves_in_order:
        totals = {p.at: p.value for p in sessions.by_wave.get(wave.number, [])}
        expected = plan.expected_in_wave(wave.number)
        started = _first_reaching(totals, 1, t0)
        planned = wave.start_min * 60
        outcomes.append(
            WaveOutcome(
                wave=wave.number,
                planned_start_s=planned,
                started_at_s=started,
                launched_at_s=launches.get(wave.number, planned if planned == 0 else started),
                expected=expected,
                connected_peak=round(max(totals.values(), default=0.0)),
                completed_at_s=_first_reaching(totals, COMPLETE_SHARE * expected, t0),
            )
        )
    return outcomes


def _faculties(store: Store, exercise_id: int, plan: Plan, t0: float) -> list[FacultyOutcome]:
    peaks = store.reductions.peaks(exercise_id, "sessions_active")
    outcomes = []
    for faculty in plan.faculties:
        labels: Labels = (("faculty", faculty.id),)
        level = FACULTY_CONNECTED_SHARE * faculty.expected_students
        # Nobody expected: nothing to connect, never "connected".
        reached = (
            store.reductions.first_reaching(exercise_id, "sessions_active", labels, level)
            if level > 0
            else None
        )
        outcomes.append(
            FacultyOutcome(
                faculty=faculty.id,
                name=faculty.name,
                wave=faculty.wave,
                wave_start_s=plan.wave(faculty.wave).start_min * 60,
                expected=faculty.expected_students,
                connected_peak=round(peaks.get(labels, 0.0)),
                connected_at_s=None if reached is None else reached - t0,
            )
        )
    return outcomes


def _first_reaching(values: dict[float, float], level: float, t0: float) -> float | None:
    """The first instant (exercise seconds) a series is at `level` or above; None: never.
    A level of 0 (nobody expected) is never "reached": there was nothing to connect."""
    if level <= 0:
        return None
    return next((at - t0 for at, value in values.items() if value >= level), None)


def _breaches(
    store: Store, exercise_id: int, plan: Plan, totals: dict[float, float], t0: float
) -> list[Breach]:
    """Each time a server's connections reach a whole-server limit (one per episode), and
    the first refusal of a server with a partial limit (an address's) while its total was
    under its own. Reaching is enough: a hard limit (HAProxy's maxconn) holds connections
    at its level exactly and refuses, or queues, the next one."""
    model = capacity_model(plan)
    breaches = []
    for server in plan.servers:
        limits = model.of_server(server.id)
        breaches += _partial_breach(store, exercise_id, server, limits, totals, t0)
        for limit in (limit for limit in limits if limit.kind.whole_server):
            breaches += _whole_breaches(store, exercise_id, limit, totals, t0)
    return sorted(breaches, key=lambda b: b.at_s)


def _whole_breaches(
    store: Store, exercise_id: int, limit: Limit, totals: dict[float, float], t0: float
) -> list[Breach]:
    labels: Labels = (("server", limit.server),)
    reached = limit.level - 0.5  # connections are whole: at the limit is past "limit - 1/2"
    return [
        Breach(
            server=limit.server,
            at_s=point.at - t0,
            active_sessions=round(totals.get(point.at, 0.0)),
            connections=round(point.value),
            limit=limit.level,
            kind=limit.kind.name,
        )
        for point in store.reductions.runs_above(exercise_id, "server_connections", labels, reached)
    ]


def _partial_breach(
    store: Store,
    exercise_id: int,
    server: Server,
    limits: tuple[Limit, ...],
    totals: dict[float, float],
    t0: float,
) -> list[Breach]:
    """Refusals that came while the total held are the lowest partial limit's."""
    partials = [limit for limit in limits if not limit.kind.whole_server]
    if not partials:
        return []
    lowest = min(partials, key=lambda limit: limit.level)
    labels: Labels = (("server", server.id),)
    refused = store.reductions.first_rise(exercise_id, "server_rejected_total", labels)
    if refused is None:
        return []
    over = store.reductions.first_reaching(
        exercise_id, "server_connections", labels, server.connection_limit
    )
    if over is not None and over <= refused.at:
        return []  # the total gave way first: that breach says it
    return [
        Breach(
            server=server.id,
            at_s=refused.at - t0,
            active_sessions=round(totals.get(refused.at, 0.0)),
            connections=lowest.level,
            limit=lowest.level,
            kind=lowest.kind.name,
        )
    ]
