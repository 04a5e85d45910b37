"""The wave gate: would the next wave fit? GO or HOLD, naming the limit that binds.

For the next wave to launch, every limit of every kind is projected
(`vigie.capacity`): students of launched waves (connected now, or still to come)
plus the wave, times each faculty's connections per student, plus the
background load. HOLD when any limit would be reached; the verdict names the
limit under which the fewest of the wave's students fit, and how many.

Later waves are forecast the same way, everything before them counted in: a
wave that will not fit is a warning long before its turn (the pre-flight, live).
A wave is held only by the limits its own students reach: an address already
over its limit because of a launched faculty is the launched waves' problem,
and the gate says so on the latest launched wave ("the rest of wave 1 ...:
HOLD new connections from that address"), as it does once the last wave is out.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from vigie.alerts.facts import RuleFacts
from vigie.alerts.inputs import RuleInputs
from vigie.alerts.rule import Instant, RuleSpec, in_english
from vigie.alerts.verdict import Severity, Verdict
from vigie.capacity import (
    Demand,
    Limit,
    LimitProjection,
    binding,
    capacity_model,
    kind_named,
    project,
)
from vigie.i18n import Texts
from vigie.plan.model import Plan

RULE = "wave_gate"


class GateVerdict(StrEnum):
    GO = "GO"
    HOLD = "HOLD"
    FORECAST = "FORECAST"  # a later wave that will not fit, known before its turn


class GateFacts(RuleFacts):
    """The gate's verdict on one wave, and the limit that binds first."""

    wave: int
    students: int  # the wave's students still to come (0: the rest of a launched wave)
    verdict: GateVerdict
    server: str
    kind: str  # the binding limit's kind: a KindOfLimit's name (vigie.capacity.kinds)
    address: str | None = None  # per-source: the address (None: a faculty's own)
    faculties: tuple[str, ...] = ()  # a partial limit's: the faculties it counts
    projected: float
    limit: int
    share: float
    fit: int  # students of the wave that fit
    counted: float  # students this limit counts once the wave is in
    counted_fit: int  # of the wave's students behind this limit, how many fit
    ratio: float  # connections per typical student on the server
    measured: bool
    critical: float  # the server's critical threshold


def subject_of(wave: int) -> str:
    return f"wave-{wave}"


def wave_of(subject: str) -> int:
    """The wave a gate subject is about (the inverse of `subject_of`)."""
    return int(subject.removeprefix("wave-"))


def evaluate(inputs: RuleInputs, previous: Mapping[str, Severity]) -> list[Verdict]:
    plan = inputs.plan
    started = inputs.started_waves
    upcoming = [w.number for w in plan.waves_in_order if w.number not in started]
    subjects = upcoming + started[-1:]  # the next wave first: the screens' gate
    if not subjects:
        return []
    stale = _stale(inputs)
    if stale is not None:
        return [Verdict.unknown_for(RULE, subject_of(w), stale) for w in subjects]
    launched = inputs.launched
    before = dict(launched)
    verdicts = []
    for index, wave in enumerate(upcoming):
        demand = {f.id: float(f.expected_students) for f in plan.faculties_in_wave(wave)}
        verdicts.append(_judge(inputs, wave, Demand(dict(before), demand), forecast=index > 0))
        before |= demand
    if started:  # what is out already: does the rest of it fit, wherever it lands?
        verdicts.append(_judge(inputs, started[-1], Demand(launched, {}), forecast=False))
    return [v for v in verdicts if v is not None]


def _rest_of(plan: Plan, latest: int, limit: Limit) -> int:
    """The wave a launched-load verdict is about: the latest launched wave whose
    students the limit counts (stable while that limit's excursion lasts)."""
    if limit.kind.whole_server:
        return latest
    wave_of = _waves_by_faculty(plan)
    counted = [wave_of[f] for f in limit.faculties if wave_of[f] <= latest]
    return max(counted) if counted else latest


_WAVES: dict[int, tuple[Plan, dict[str, int]]] = {}


def _waves_by_faculty(plan: Plan) -> dict[str, int]:
    """Faculty id -> wave, once per plan object (a scan per faculty is O(sites²) a poll)."""
    cached = _WAVES.get(id(plan))
    if cached is not None and cached[0] is plan:
        return cached[1]
    if len(_WAVES) > 32:  # a long-lived process loads few plans; never grow unbounded
        _WAVES.clear()
    waves = {f.id: f.wave for f in plan.faculties}
    _WAVES[id(plan)] = (plan, waves)
    return waves


def _stale(inputs: RuleInputs) -> str | None:
    if inputs.elapsed_s <= 0:
        return None
    if inputs.total_sessions is None:
        quiet = len(inputs.quiet_sites)
        if quiet and quiet < len(inputs.sessions_by_faculty):
            return f"active sessions are stale at {quiet} sites"
        return "active sessions are stale"
    if inputs.started_waves:
        for server in inputs.plan.servers:
            if not inputs.fresh(inputs.connections(server.id)):
                return f"connections of {server.id} are stale"
    return None


def _judge(inputs: RuleInputs, wave: int, demand: Demand, forecast: bool) -> Verdict | None:
    margin = inputs.plan.alerts.wave_gate.margin
    projections = project(capacity_model(inputs.plan), demand, inputs.rates, margin)
    if demand.wave_total > 0:  # a wave is held only by the limits its own students reach
        projections = [p for p in projections if p.wave_counted > 0]
    first = binding(projections)
    if first is None:
        return None
    students = round(demand.wave_total)
    breaking = [p for p in projections if not p.holds]
    # Only a wave still to launch gets "GO, but tight": the launched load's height is headroom's.
    tight = [p for p in projections if p.share >= p.limit.thresholds.critical and students]
    if breaking:
        verdict = GateVerdict.FORECAST if forecast else GateVerdict.HOLD
        shown, severity = first, Severity.WARNING if forecast else Severity.CRITICAL
    elif tight and not forecast:
        verdict, severity = GateVerdict.GO, Severity.WARNING
        shown = max(tight, key=lambda p: p.share)
    else:
        verdict, severity, shown = GateVerdict.GO, Severity.OK, first
    if not students:
        wave = _rest_of(inputs.plan, wave, shown.limit)
    facts = _facts(wave, students, verdict, shown)
    return Verdict(
        RULE,
        subject_of(wave),
        severity,
        in_english(words, subject_of(wave), facts, inputs.plan),
        server=shown.limit.server,
        facts=facts,
    )


def _facts(wave: int, students: int, verdict: GateVerdict, p: LimitProjection) -> GateFacts:
    return GateFacts(
        wave=wave,
        students=students,
        verdict=verdict,
        server=p.limit.server,
        kind=p.limit.kind.name,
        address=p.limit.address,
        # a whole-server limit counts everyone: naming thousands of faculties says nothing
        faculties=() if p.limit.kind.whole_server else p.limit.faculties,
        projected=p.peak,
        limit=p.limit.level,
        share=p.share,
        fit=p.fit,
        counted=p.counted,
        counted_fit=p.counted_fit,
        ratio=p.ratio,
        measured=p.measured,
        critical=p.limit.thresholds.critical,
    )


def words(t: Texts, subject: str, f: GateFacts, plan: Plan, when: Instant) -> str:
    values = {
        "wave": f.wave,
        "students": t.count(f.students),
        "limit_name": kind_named(f.kind).named(t, plan, f.server, f.address, f.faculties),
        "projected": t.count(f.projected),
        "limit": t.count(f.limit),
        "share": t.percent(f.share),
        "critical": t.percent(f.critical),
    }
    if f.verdict is GateVerdict.GO:
        return _go_words(t, f, values)
    advice = _advice_words(t, f)
    if f.verdict is GateVerdict.FORECAST:
        return t(
            "Wave {wave} ({students} students) will not fit when its turn comes: it would take "
            "{limit_name} to {projected} of {limit} connections ({share}). {advice}",
            advice=advice,
            **values,
        )
    if f.students:
        return t(
            "Wave {wave} ({students} students) would take {limit_name} to {projected} of "
            "{limit} connections ({share}): HOLD. {advice}",
            advice=advice,
            **values,
        )
    return t(
        "The rest of wave {wave} would take {limit_name} to {projected} of {limit} "
        "connections ({share}): {advice}",
        advice=advice,
        **values,
    )


def _go_words(t: Texts, f: GateFacts, values: dict[str, object]) -> str:
    tight = f.share >= f.critical
    if f.students and tight:
        return t(
            "Wave {wave} ({students} students) would take {limit_name} to {projected} of "
            "{limit} connections ({share}): GO, but above the {critical} critical level.",
            **values,
        )
    if f.students:
        return t(
            "Wave {wave} ({students} students) would take {limit_name} to {projected} of "
            "{limit} connections ({share}): GO.",
            **values,
        )
    if tight:
        return t(
            "The rest of wave {wave} would take {limit_name} to {projected} of {limit} "
            "connections ({share}): GO, but above the {critical} critical level.",
            **values,
        )
    return t(
        "The rest of wave {wave} would take {limit_name} to {projected} of {limit} "
        "connections ({share}): GO.",
        **values,
    )


def _advice_words(t: Texts, f: GateFacts) -> str:
    return kind_named(f.kind).advice(
        t, fit=f.fit, counted_fit=f.counted_fit, launched_load=not f.students
    )


SPEC = RuleSpec(
    name=RULE,
    evaluate=evaluate,
    facts=GateFacts,
    words=words,
)
