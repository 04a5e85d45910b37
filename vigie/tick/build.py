"""Build the per-tick state from one alert-engine evaluation and the store's records.

Called once per poll cycle by the collecting process; screens never call it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from vigie.alerts.engine import Evaluation
from vigie.alerts.inputs import RuleInputs
from vigie.alerts.rules import faculty_lag, headroom, throttling, time_to_limit, wave_gate
from vigie.alerts.rules.throttling import ThrottlingFacts
from vigie.alerts.rules.time_to_limit import TimeToLimitFacts
from vigie.alerts.rules.wave_gate import GateFacts, GateVerdict
from vigie.alerts.verdict import Severity, Verdict
from vigie.plan.model import Plan, Server
from vigie.source_health import is_up
from vigie.store import Point, Store
from vigie.tick.attention import SiteState, attention, groups, site_state, state_counts
from vigie.tick.board import Board
from vigie.tick.losses import LOSS_WINDOW_S as LOSS_WINDOW_S  # the screens say it
from vigie.tick.losses import RecentPeaks
from vigie.tick.state import (
    SMALL_ROSTER,
    AlertView,
    BlindView,
    FacultyView,
    GateView,
    HostView,
    IncidentView,
    ServerView,
    TickState,
    WaveState,
    WaveView,
    encode_roster,
)

COMPLETE_SHARE = 0.95  # a wave is complete once 95% of its students are connected
SEVERITY_ORDER = ("ok", "careful", "warning", "critical")


def build_tick(
    store: Store,
    board: Board,
    evaluation: Evaluation,
    hosts: tuple[HostView, ...] = (),
    previous: TickState | None = None,
) -> TickState:
    """`previous` is the last tick written: what a wave has reached stays reached."""
    return build(store, board, evaluation, hosts, previous)[0]


def build(
    store: Store,
    board: Board,
    evaluation: Evaluation,
    hosts: tuple[HostView, ...] = (),
    previous: TickState | None = None,
    peaks: RecentPeaks | None = None,
) -> tuple[TickState, Roster]:
    """The tick, and every site's row kept apart from it (FacultyRoster's form). `peaks`
    is the caller's from one tick to the next (a new one reads the whole window)."""
    inputs = evaluation.inputs
    plan, at = inputs.plan, inputs.now
    sessions = inputs.sessions_by_faculty
    exercise_id = board.exercise_id
    lost = (peaks or RecentPeaks()).lost(inputs.window, at)
    before = {w.number: w for w in previous.waves} if previous is not None else {}
    incidents = board.incidents()
    rows = _faculties(plan, sessions, evaluation.verdicts.get(faculty_lag.RULE, []), lost)
    waves = tuple(_wave(inputs, w.number, lost, before.get(w.number)) for w in plan.waves_in_order)
    states = _site_states(rows, waves, at, 2 * inputs.poll_interval_s)
    tick = TickState(
        exercise_id=exercise_id,
        at=at,
        t0=inputs.t0,
        poll_interval_s=inputs.poll_interval_s,
        active=sum(p.value for p in sessions.values()) if sessions else None,
        active_measured_at=_total_measured_at(sessions, at, 2 * inputs.poll_interval_s),
        expected=plan.total_expected,
        waves=_with_attention(waves, states),
        servers=tuple(_server(inputs, s, evaluation.verdicts, incidents) for s in plan.servers),
        gate=_gate(evaluation.verdicts.get(wave_gate.RULE, [])),
        gate_launched=_gate_launched(evaluation.verdicts.get(wave_gate.RULE, [])),
        alerts=_current(board.firing(), evaluation.verdicts, at),
        faculties=Roster(rows).views() if len(rows) <= SMALL_ROSTER else (),
        blind=_blind(store, exercise_id, inputs),
        notes=board.notes(),
        decisions=board.decisions(),
        hosts=hosts,
        incidents=incidents,
        sites=len(rows),
        attention=tuple(row.view() for row in attention(states)),
        site_states=state_counts(state for _, state in states),
        groups=groups(states, plan.exercise.grouping),
    )
    return tick, Roster(rows)


def _total_measured_at(sessions: dict[str, Point], at: float, stale_after_s: float) -> float | None:
    """The national total's age: the oldest of the sites' fresh values. A site gone
    quiet is named on the attention list (blind) instead of turning the whole total
    stale (2 quiet sites of 3,000 made the wall say STALE); once every site is quiet,
    the newest of them: when data last came."""
    fresh = [p.at for p in sessions.values() if at - p.at <= stale_after_s]
    if fresh:
        return min(fresh)
    return max((p.at for p in sessions.values()), default=None)


def _site_states(
    rows: tuple[SiteRow, ...], waves: tuple[WaveView, ...], at: float, stale_after_s: float
) -> list[tuple[SiteRow, SiteState]]:
    by_number = {w.number: w for w in waves}
    return [(r, site_state(r, by_number.get(r.wave), at, stale_after_s)) for r in rows]


def _with_attention(
    waves: tuple[WaveView, ...], states: list[tuple[SiteRow, SiteState]]
) -> tuple[WaveView, ...]:
    """Each wave with its number of sites, and of those needing a person."""
    sites: dict[int, int] = {}
    needing: dict[int, int] = {}
    for view, state in states:
        sites[view.wave] = sites.get(view.wave, 0) + 1
        needing[view.wave] = needing.get(view.wave, 0) + state.needs_attention
    return tuple(
        w.model_copy(update={"sites": sites.get(n, 0), "attention": needing.get(n, 0)})
        for w in waves
        for n in (w.number,)
    )


def final_tick(tick: TickState, at: float) -> TickState:
    """The state at the exercise's stop: waves stopped, no gate, alerts resolved."""
    return tick.model_copy(
        update={
            "at": at,
            "waves": tuple(w.model_copy(update={"state": WaveState.STOPPED}) for w in tick.waves),
            # Nothing is judged after the stop: no server is shown refusing or at risk.
            "servers": tuple(
                s.model_copy(update={"severity": "stopped", "refusing_since": None, "eta_s": None})
                for s in tick.servers
            ),
            "gate": None,
            "gate_launched": None,
            "alerts": (),
            "stopped": True,
        }
    )


def _current(
    alerts: tuple[AlertView, ...], verdicts: dict[str, list[Verdict]], at: float
) -> tuple[AlertView, ...]:
    """Firing alerts with the numbers their rule gives now, when it still says so:
    an alert beside the gate never shows the numbers of the minute it fired."""
    refreshed = []
    for alert in alerts:
        now = _said_about(verdicts.get(alert.rule, []), alert.subject)
        if now is None or now.unknown or now.severity is Severity.OK or now.facts is None:
            refreshed.append(alert.model_copy(update={"facts_at": alert.since}))
            continue
        refreshed.append(
            alert.model_copy(
                update={
                    "facts": now.facts.as_json(),
                    "message": now.message,
                    "facts_at": at,
                }
            )
        )
    return tuple(refreshed)


def _wave(
    inputs: RuleInputs, number: int, lost: dict[str, float], before: WaveView | None
) -> WaveView:
    plan, sessions = inputs.plan, inputs.sessions_by_faculty
    start_s = plan.wave(number).start_min * 60
    expected = plan.expected_in_wave(number)
    connected = round(
        sum(sessions[f.id].value for f in plan.faculties_in_wave(number) if f.id in sessions)
    )
    launched_s = inputs.launched_s(number)
    reached = before is not None and before.state is WaveState.COMPLETE
    if launched_s is None:
        state = WaveState.PLANNED
    elif reached or (expected and connected >= COMPLETE_SHARE * expected):
        state = WaveState.COMPLETE  # never back to "connecting" when students drop out
    else:
        state = WaveState.CONNECTING
    faculties = plan.faculties_in_wave(number)
    return WaveView(
        number=number,
        start_s=start_s,
        launched_s=launched_s,
        expected=expected,
        connected=connected,
        state=state,
        peak=max(connected, 0 if before is None else before.peak),
        lost=round(sum(lost.get(f.id, 0.0) for f in faculties)),
    )


def _said_about(verdicts: Iterable[Verdict], subject: str) -> Verdict | None:
    return next((v for v in verdicts if v.subject == subject), None)


def _server(
    inputs: RuleInputs,
    server: Server,
    verdicts: dict[str, list[Verdict]],
    incidents: tuple[IncidentView, ...],
) -> ServerView:
    point = inputs.connections(server.id)
    room = _said_about(verdicts.get(headroom.RULE, []), server.id)
    ramp = _said_about(verdicts.get(time_to_limit.RULE, []), server.id)
    refusing = _said_about(verdicts.get(throttling.RULE, []), server.id)
    severity = "unknown" if room is None or room.unknown else room.severity.label
    refusals = None if refusing is None or refusing.unknown else refusing.facts
    if isinstance(refusals, ThrottlingFacts) and refusing is not None:
        # Coloured by the worst of its headroom and its refusals: a server throwing
        # students out at 59% of its limit is not green.
        severity = max(severity, refusing.severity.label, key=_rank)
    ramp_facts = None if ramp is None or ramp.unknown else ramp.facts
    eta = ramp_facts.eta_s if isinstance(ramp_facts, TimeToLimitFacts) else None
    incident = next((i for i in incidents if i.server == server.id and i.ended is None), None)
    live = next((limit for limit in inputs.live_limits if limit.server == server.id), None)
    t = server.thresholds
    return ServerView(
        id=server.id,
        role=server.role.value,
        limit=server.connection_limit,
        connections=None if point is None else point.value,
        measured_at=None if point is None else point.at,
        severity=severity,
        eta_s=eta,
        thresholds=(t.careful, t.warning, t.critical),
        refusing_since=None if incident is None else incident.since,
        refused=refusals.refused if isinstance(refusals, ThrottlingFacts) else None,
        reset=refusals.reset if isinstance(refusals, ThrottlingFacts) else None,
        window_s=refusals.window_s if isinstance(refusals, ThrottlingFacts) else None,
        limit_from=None if live is None else live.software,
        planned_limit=live.planned if live is not None and live.differs else None,
    )


def _rank(severity: str) -> int:
    """Unknown ranks below ok: any real verdict says more than none."""
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else -1


def _gate(verdicts: list[Verdict]) -> GateView | None:
    """The gate's verdict on the next wave (the first it gives; later ones are forecasts)."""
    return _gate_view(verdicts[0]) if verdicts else None


def _gate_launched(verdicts: list[Verdict]) -> GateView | None:
    """The gate's HOLD on what is already out, when there is one beside the next wave's."""
    for verdict in verdicts[1:]:
        f = verdict.facts
        if isinstance(f, GateFacts) and not f.students and f.verdict is GateVerdict.HOLD:
            return _gate_view(verdict)
    return None


def _gate_view(verdict: Verdict) -> GateView:
    f = verdict.facts
    if verdict.unknown or not isinstance(f, GateFacts):
        return GateView(
            wave=wave_gate.wave_of(verdict.subject),
            students=0,
            verdict="UNKNOWN",
            severity="unknown",
            reason=verdict.message,
        )
    return GateView(
        wave=f.wave,
        students=f.students,
        verdict=f.verdict.value,
        severity=verdict.severity.label,
        server=f.server,
        kind=f.kind,
        address=f.address,
        faculties=f.faculties,
        projected=f.projected,
        limit=f.limit,
        fit=f.fit,
        counted_fit=f.counted_fit,
        ratio_source="measured" if f.measured else "plan estimate",
        critical=f.critical,
    )


class SiteRow(NamedTuple):
    """A site's numbers this tick, as FacultyView's fields: thousands are made each
    poll and only the few a screen shows become views (pydantic models cost ~20x).
    The plan's fields come first: they are the same at every tick (`_plan_fields`)."""

    id: str
    name: str
    wave: int
    expected: int
    short_name: str
    region: str | None
    connected: float | None
    measured_at: float | None
    lagging: bool
    lost: int

    def view(self) -> FacultyView:
        # Built from the plan and the store's own numbers: nothing to validate.
        return FacultyView.model_construct(**self._asdict())


@dataclass(frozen=True)
class Roster:
    """Every site's row at one tick, written apart from the tick (FacultyRoster's form)."""

    rows: tuple[SiteRow, ...]

    def encode(self) -> bytes:
        return encode_roster(SiteRow._fields, self.rows)  # a NamedTuple is a JSON list

    def views(self) -> tuple[FacultyView, ...]:
        return tuple(row.view() for row in self.rows)


def _faculties(
    plan: Plan, sessions: dict[str, Point], lag: list[Verdict], lost: dict[str, float]
) -> tuple[SiteRow, ...]:
    lagging = {v.subject for v in lag if v.severity.label != "ok" and not v.unknown}
    rows = []
    for fields in _plan_fields(plan):
        faculty = fields[0]
        point = sessions.get(faculty)
        rows.append(
            SiteRow(
                *fields,
                None if point is None else point.value,
                None if point is None else point.at,
                faculty in lagging,
                round(lost.get(faculty, 0.0)),
            )
        )
    return tuple(rows)


PlanFields = tuple[str, str, int, int, str, str | None]
_plan_fields_of: tuple[Plan, tuple[PlanFields, ...]] | None = None  # the last plan's


def _plan_fields(plan: Plan) -> tuple[PlanFields, ...]:
    """Each site's fields that come from the plan, read once per plan: at 3,000
    sites, reading them from the pydantic models at every poll took ~5 ms."""
    global _plan_fields_of
    known = _plan_fields_of
    if known is not None and known[0] is plan:
        return known[1]
    fields = tuple(
        (f.id, f.name, f.wave, f.expected_students, f.short_name or "", f.region)
        for f in plan.faculties
    )
    _plan_fields_of = (plan, fields)
    return fields


def _blind(store: Store, exercise_id: int, inputs: RuleInputs) -> tuple[BlindView, ...]:
    """Sources whose latest poll failed, with when their failing streak began."""
    blind = []
    for source, points in inputs.window.by_entity("source_up", "source").items():
        if points and not is_up(points[-1].value):
            since = store.down_since(exercise_id, source, inputs.now)
            blind.append(BlindView(source=source, since=points[-1].at if since is None else since))
    return tuple(sorted(blind, key=lambda b: b.since))
