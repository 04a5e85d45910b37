"""What a rehearsal found: when the gate spoke, what it projected against what the
platform really reached, and the plan's connections per student against the measured.

Everything is read back from the store (as the review would) and from the engine's
memory of measured ratios, never from the students' side: Vigie's view is under test.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigie.alerts.engine import AlertEngine
from vigie.capacity.live_limits import LIMIT_SIGNAL, live_limits, recorded_in_force
from vigie.i18n.formats import exercise_clock
from vigie.plan import Plan
from vigie.rehearse.students import Summary
from vigie.rehearse.waves import Foresight, WaveDecision, WavePlayer
from vigie.review.summary import Breach, ExerciseSummary, summarize
from vigie.store import Store


@dataclass(frozen=True)
class ServerOutcome:
    server: str
    limit: int  # in force: the software's where it said it
    limit_from: str  # "HAProxy", or "plan"
    peak: float | None  # connections it really reached
    refused: float  # increase of its refused/denied counters over the run
    planned_per_student: float | None
    measured_per_student: float | None  # what the gate learnt once students were connected


@dataclass(frozen=True)
class RehearsalReport:
    exercise_id: int
    plan: Plan  # as rehearsed, its limits in force
    decisions: list[WaveDecision]
    foresight: dict[int, Foresight]  # wave -> the gate's first HOLD or FORECAST of it
    holds: dict[int, Foresight]  # wave -> the gate's first HOLD of it
    servers: list[ServerOutcome]
    summary: ExerciseSummary
    students: Summary
    ended_s: float

    @property
    def held(self) -> WaveDecision | None:
        return next((d for d in self.decisions if not d.launched), None)

    @property
    def first_breach(self) -> Breach | None:
        return min(self.summary.breaches, key=lambda b: b.at_s, default=None)

    def server(self, server_id: str) -> ServerOutcome:
        return next(s for s in self.servers if s.server == server_id)

    @property
    def lead_time_s(self) -> float | None:
        """From the gate's first HOLD (said once students were measured, not the plan's
        forecast) to the breach; held: to the held wave's planned time."""
        if not self.holds:
            return None
        first = min(self.holds.values(), key=lambda f: f.said_s)
        breach = self.first_breach
        if breach is not None:
            return breach.at_s - first.said_s
        held = self.held
        return held.planned_s - first.said_s if held is not None else None


def rehearsal_report(
    store: Store,
    exercise: int,
    plan: Plan,
    player: WavePlayer,
    engine: AlertEngine,
    students: Summary,
    ended: float,
) -> RehearsalReport:
    in_force = recorded_in_force(store, exercise, plan, ended)
    summary = summarize(store, exercise, in_force)
    record = store.exercise(exercise)
    assert record is not None
    return RehearsalReport(
        exercise,
        in_force,
        list(player.decisions),
        dict(player.foresight),
        dict(player.holds),
        _servers(store, exercise, plan, engine, record.t0, ended),
        summary,
        students,
        ended - record.t0,
    )


def _servers(
    store: Store, exercise: int, plan: Plan, engine: AlertEngine, t0: float, ended: float
) -> list[ServerOutcome]:
    peaks = store.reductions.peaks(exercise, "server_connections")
    refused = store.window(exercise, "server_rejected_total", t0, ended)
    said = store.latest_of(exercise, (LIMIT_SIGNAL,), ended).get(LIMIT_SIGNAL, {})
    limits = {
        limit.server: limit
        for limit in live_limits(
            plan, {dict(labels).get("server", ""): p for labels, p in said.items()}
        )
    }
    outcomes = []
    for server in plan.servers:
        labels = (("server", server.id),)
        counter = refused.get(labels, [])
        live = limits.get(server.id)
        outcomes.append(
            ServerOutcome(
                server.id,
                live.live if live is not None else server.connection_limit,
                live.software if live is not None else "plan",
                peaks.get(labels),
                counter[-1].value - counter[0].value if counter else 0.0,
                server.connections_per_student or plan.exercise.connections_per_student,
                engine.memory.ratios.get(server.id),
            )
        )
    return outcomes


def describe_rehearsal(report: RehearsalReport) -> str:
    lines = [f"Rehearsal stored as exercise {report.exercise_id} (mode rehearsal)."]
    for d in report.decisions:
        state = "launched" if d.launched else "HELD"
        through = " past the gate's HOLD" if d.against_the_gate else ""
        why = "" if d.launched and not d.against_the_gate else f": {d.words}"
        lines.append(
            f"  wave {d.wave} (planned T+{exercise_clock(d.planned_s)}): {state}{through}{why}"
        )
    for wave, f in sorted(report.foresight.items()):
        where = f.facts.server + (f" ({', '.join(f.facts.faculties)})" if f.facts.faculties else "")
        hold = report.holds.get(wave)
        held = f", HOLD from T+{exercise_clock(hold.said_s)}" if hold else ""
        lines.append(
            f"  the gate said wave {wave} would not fit at T+{exercise_clock(f.said_s)} "
            f"({f.facts.verdict.value}{held}): {f.facts.projected:,.0f} connections projected "
            f"on {where} against {f.facts.limit:,} ({f.facts.kind})"
        )
    lines.append("  servers (limit in force, peak reached, refused, connections per student):")
    for s in report.servers:
        peak = "-" if s.peak is None else f"{s.peak:,.0f}"
        planned = "-" if s.planned_per_student is None else f"{s.planned_per_student:g}"
        measured = "-" if s.measured_per_student is None else f"{s.measured_per_student:.2f}"
        lines.append(
            f"    {s.server}: limit {s.limit:,} ({s.limit_from}), peak {peak}, "
            f"refused {s.refused:,.0f}, per student planned {planned} / measured {measured}"
        )
    breach = report.first_breach
    if breach is not None:
        lines.append(
            f"  first breach: {breach.server} at T+{exercise_clock(breach.at_s)} ({breach.kind})"
        )
    else:
        lines.append("  no limit was breached")
    lead = report.lead_time_s
    if lead is not None:
        lines.append(f"  lead time of the gate's first HOLD: {lead:,.0f} s")
    st = report.students
    lines.append(
        f"  virtual students: {st.requests:,} requests, {st.failures:,} failed "
        f"({st.connection_errors:,} refused or reset connections, {st.server_errors:,} 5xx)"
    )
    return "\n".join(lines)
