"""Build the per-tick state from one alert-engine evaluation and the store's records.

Called once per poll cycle by the collecting process; screens never call it.
"""

from __future__ import annotations

from collections.abc import Iterable

from vigie.alerts.engine import Evaluation
from vigie.alerts.facts import GateFacts, GateVerdict, TimeToLimitFacts
from vigie.alerts.inputs import RuleInputs
from vigie.alerts.rules import wave_gate
from vigie.alerts.verdict import Verdict
from vigie.plan.model import Plan, Server
from vigie.store import Point, Store
from vigie.tick.board import Board
from vigie.tick.state import (
    BlindView,
    FacultyView,
    GateView,
    HostView,
    ServerView,
    TickState,
    WaveState,
    WaveView,
)

COMPLETE_SHARE = 0.95  # a wave is complete once 95% of its students are connected


def build_tick(
    store: Store, board: Board, evaluation: Evaluation, hosts: tuple[HostView, ...] = ()
) -> TickState:
    inputs = evaluation.inputs
    plan, at = inputs.plan, inputs.now
    sessions = inputs.sessions_by_faculty
    exercise_id = board.exercise_id
    return TickState(
        exercise_id=exercise_id,
        at=at,
        t0=inputs.t0,
        poll_interval_s=inputs.poll_interval_s,
        active=sum(p.value for p in sessions.values()) if sessions else None,
        active_measured_at=min((p.at for p in sessions.values()), default=None),
        expected=plan.total_expected,
        waves=tuple(_wave(inputs, w.number) for w in plan.waves_in_order),
        servers=tuple(_server(inputs, s, evaluation.verdicts) for s in plan.servers),
        gate=_gate(evaluation.verdicts.get("wave_gate", [])),
        gate_launched=_gate_launched(evaluation.verdicts.get("wave_gate", [])),
        alerts=board.firing(),
        faculties=_faculties(plan, sessions, evaluation.verdicts.get("faculty_lag", [])),
        blind=_blind(store, exercise_id, inputs),
        notes=board.notes(),
        decisions=board.decisions(),
        hosts=hosts,
    )


def _wave(inputs: RuleInputs, number: int) -> WaveView:
    plan, sessions = inputs.plan, inputs.sessions_by_faculty
    start_s = plan.wave(number).start_min * 60
    expected = plan.expected_in_wave(number)
    connected = round(
        sum(sessions[f.id].value for f in plan.faculties_in_wave(number) if f.id in sessions)
    )
    launched_s = inputs.launched_s(number)
    if launched_s is None:
        state = WaveState.PLANNED
    elif expected and connected >= COMPLETE_SHARE * expected:
        state = WaveState.COMPLETE
    else:
        state = WaveState.CONNECTING
    return WaveView(
        number=number,
        start_s=start_s,
        launched_s=launched_s,
        expected=expected,
        connected=connected,
        state=state,
    )


def _said_about(verdicts: Iterable[Verdict], subject: str) -> Verdict | None:
    return next((v for v in verdicts if v.subject == subject), None)


def _server(inputs: RuleInputs, server: Server, verdicts: dict[str, list[Verdict]]) -> ServerView:
    point = inputs.connections(server.id)
    headroom = _said_about(verdicts.get("headroom", []), server.id)
    ramp = _said_about(verdicts.get("time_to_limit", []), server.id)
    severity = "unknown" if headroom is None or headroom.unknown else headroom.severity.label
    ramp_facts = None if ramp is None or ramp.unknown else ramp.facts
    eta = ramp_facts.eta_s if isinstance(ramp_facts, TimeToLimitFacts) else None
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
    )


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
    )


def _faculties(
    plan: Plan, sessions: dict[str, Point], lag: list[Verdict]
) -> tuple[FacultyView, ...]:
    lagging = {v.subject for v in lag if v.severity.label != "ok" and not v.unknown}
    views = []
    for faculty in plan.faculties:
        point = sessions.get(faculty.id)
        views.append(
            FacultyView(
                id=faculty.id,
                name=faculty.name,
                wave=faculty.wave,
                expected=faculty.expected_students,
                connected=None if point is None else point.value,
                measured_at=None if point is None else point.at,
                lagging=faculty.id in lagging,
            )
        )
    return tuple(views)


def _blind(store: Store, exercise_id: int, inputs: RuleInputs) -> tuple[BlindView, ...]:
    """Sources whose latest poll failed, with when their failing streak began."""
    blind = []
    for source, points in inputs.window.by_entity("source_up", "source").items():
        if points and points[-1].value < 0.5:
            since = store.down_since(exercise_id, source, inputs.now)
            blind.append(BlindView(source=source, since=points[-1].at if since is None else since))
    return tuple(sorted(blind, key=lambda b: b.since))
