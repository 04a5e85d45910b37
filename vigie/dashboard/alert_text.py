"""An alert's message in the screen's language, from the typed facts the rule kept.

Rules write their message in English for notifiers and logs; screens rebuild it
from the rule's facts (vigie.alerts.facts) through the catalogue. Without facts
that validate (a transition written by an older Vigie) the rule's own words are shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vigie.alerts.facts import (
    BlindFacts,
    FacultyLagFacts,
    GateFacts,
    GateVerdict,
    HeadroomFacts,
    RampState,
    RuleFacts,
    ThrottlingFacts,
    TimeToLimitFacts,
)
from vigie.alerts.rules import facts_of
from vigie.capacity import kind_named, partial
from vigie.i18n import Texts
from vigie.plan import Plan
from vigie.tick import AlertView

Instant = Callable[[float], str]  # writes an epoch instant: "T+24:54" on every screen


def alert_message(t: Texts, alert: AlertView, plan: Plan, when: Instant) -> str:
    """`when` writes the instants a message names (a source blind since when)."""
    facts = facts_of(alert.rule, alert.facts)
    writer = WRITERS.get(type(facts)) if facts is not None else None
    if writer is None:
        return alert.message
    return writer(t, alert.subject, facts, plan, when)


def verdict_words(t: Texts, verdict: str) -> str:
    """A gate verdict or a room's decision (go, hold, split), read from across the
    room: a French operator reads "LANCER" / "NE PAS LANCER"."""
    words = {"GO": t("GO"), "HOLD": t("HOLD"), "UNKNOWN": t("UNKNOWN"), "SPLIT": t("SPLIT")}
    return words.get(verdict.upper(), verdict)


def limit_text(
    t: Texts,
    plan: Plan,
    server: str,
    kind: str | None,
    address: str | None,
    faculties: tuple[str, ...],
) -> str:
    """A limit named in the screen's language, by its kind (the words of vigie.capacity.wording)."""
    return kind_named(kind).named(t, plan, server, address, faculties)


def _headroom(t: Texts, subject: str, f: HeadroomFacts, plan: Plan, when: Instant) -> str:
    values = {
        "server": subject,
        "connections": t.count(f.connections),
        "limit": t.count(f.limit),
        "share": t.percent(f.ratio),
    }
    if f.threshold is None:
        return t("{server} at {connections} of {limit} connections ({share})", **values)
    levels = {"careful": t("careful"), "warning": t("warning"), "critical": t("critical")}
    return t(
        "{server} at {connections} of {limit} connections ({share}): "
        "above its {threshold} {level} level",
        threshold=t.percent(f.threshold),
        level=levels.get(f.level, f.level),
        **values,
    )


def _time_to_limit(t: Texts, subject: str, f: TimeToLimitFacts, plan: Plan, when: Instant) -> str:
    values = {"server": subject, "connections": t.count(f.connections), "limit": t.count(f.limit)}
    if f.state is RampState.AT_LIMIT:
        return t("{server} is at its limit ({connections} of {limit})", **values)
    if f.eta_s is None or f.slope_per_s is None:
        return t("{server} is not heading for its limit", server=subject)
    return t(
        "{server} reaches its limit in ~{minutes} min at the current ramp "
        "(+{slope} connections/s, {connections} of {limit})",
        minutes=max(1, round(f.eta_s / 60)),
        slope=t.decimal(f.slope_per_s),
        **values,
    )


def _wave_gate(t: Texts, subject: str, f: GateFacts, plan: Plan, when: Instant) -> str:
    values = {
        "wave": f.wave,
        "students": t.count(f.students),
        "limit_name": limit_text(t, plan, f.server, f.kind, f.address, f.faculties),
        "projected": t.count(f.projected),
        "limit": t.count(f.limit),
        "share": t.percent(f.share),
        "critical": t.percent(f.critical),
    }
    if f.verdict is GateVerdict.GO:
        if f.share >= f.critical:
            return t(
                "Wave {wave} ({students} students) would take {limit_name} to {projected} of "
                "{limit} connections ({share}): GO, but above the {critical} critical level.",
                **values,
            )
        return t(
            "Wave {wave} ({students} students) would take {limit_name} to {projected} of "
            "{limit} connections ({share}): GO.",
            **values,
        )
    advice = _gate_advice(t, f)
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


def _gate_advice(t: Texts, f: GateFacts) -> str:
    return kind_named(f.kind).advice(
        t, fit=f.fit, counted_fit=f.counted_fit, launched_load=not f.students
    )


def _throttling(t: Texts, subject: str, f: ThrottlingFacts, plan: Plan, when: Instant) -> str:
    if f.over_limit and f.refused + f.reset < plan.alerts.throttling.min_refused:
        reached = t(
            "{server} has reached its limit: {connections} of {limit} connections; "
            "new connections are refused",
            server=subject,
            connections=t.count(f.connections or 0),
            limit=t.count(f.limit or 0),
        )
        if f.cause == "security":
            return reached + "; " + t("its security layer is throttling")
        return reached
    if partial(f.cause):
        cause = t(
            "{limit_name} is near its level: about {connections} of {limit} connections",
            limit_name=limit_text(t, plan, subject, f.cause, f.address, f.faculties),
            connections=t.count(f.source_connections or 0),
            limit=t.count(f.source_limit or 0),
        )
    else:
        cause = {
            "security": t("its security layer is throttling"),
            "saturated": t("saturated at its limit"),
            "high": t("at {share} of its limit", share=t.percent(f.peak_ratio)),
            "below": t(
                "well below its limit ({share}): not a capacity problem",
                share=t.percent(f.peak_ratio),
            ),
        }.get(f.cause, f.cause)
    return t(
        "{server} is refusing connections: {refused} refused and {reset} reset "
        "in the last {window} s; {cause}",
        server=subject,
        refused=t.count(f.refused),
        reset=t.count(f.reset),
        window=t.count(f.window_s),
        cause=cause,
    )


def _faculty_lag(t: Texts, subject: str, f: FacultyLagFacts, plan: Plan, when: Instant) -> str:
    names = {faculty.id: faculty.name for faculty in plan.faculties}
    return t(
        "{faculty}: {connected} of {expected} students connected ({share}) "
        "{minutes} min after wave {wave} was launched",
        faculty=names.get(subject, subject),
        connected=t.count(f.connected),
        expected=t.count(f.expected),
        share=t.percent(f.connected / max(1, f.expected)),
        minutes=t.count(round(f.minutes)),
        wave=f.wave,
    )


def _blind(t: Texts, subject: str, f: BlindFacts, plan: Plan, when: Instant) -> str:
    if f.kind == "source" and f.since is not None:
        return t("MONITORING BLIND: {source} since {time}", source=subject, time=when(f.since))
    if f.kind == "never":
        return t("{signal} has never had a value: check its metric", signal=subject)
    if f.newest is None:
        return t("{signal} is stale", signal=subject)
    return t("{signal} is stale: last value at {time}", signal=subject, time=when(f.newest))


Writer = Callable[[Texts, str, Any, Plan, Instant], str]
WRITERS: dict[type[RuleFacts], Writer] = {
    HeadroomFacts: _headroom,
    TimeToLimitFacts: _time_to_limit,
    GateFacts: _wave_gate,
    ThrottlingFacts: _throttling,
    FacultyLagFacts: _faculty_lag,
    BlindFacts: _blind,
}
