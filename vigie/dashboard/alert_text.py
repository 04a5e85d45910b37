"""An alert's message in the screen's language, from the numbers the rule kept.

Rules write their message in English for notifiers and logs; screens rebuild it
from the rule's facts through the catalogue. Without the facts it needs (a
transition written by an older Vigie) the rule's own words are shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from vigie.i18n import Texts
from vigie.plan import Plan
from vigie.tick import AlertView

Facts = dict[str, float | str]


def alert_message(t: Texts, alert: AlertView, plan: Plan, tz: tzinfo | None) -> str:
    writer = WRITERS.get(alert.rule)
    if writer is None:
        return alert.message
    try:
        return writer(t, alert.subject, alert.facts, plan, tz)
    except (KeyError, ValueError, TypeError):
        return alert.message


def _n(facts: Facts, key: str) -> float:
    return float(facts[key])


def _headroom(t: Texts, subject: str, f: Facts, plan: Plan, tz: tzinfo | None) -> str:
    values = {
        "server": subject,
        "connections": t.count(_n(f, "connections")),
        "limit": t.count(_n(f, "limit")),
        "share": t.percent(_n(f, "ratio")),
    }
    if "threshold" not in f:
        return t("{server} at {connections} of {limit} connections ({share})", **values)
    levels = {"careful": t("careful"), "warning": t("warning"), "critical": t("critical")}
    return t(
        "{server} at {connections} of {limit} connections ({share}): "
        "above its {threshold} {level} level",
        threshold=t.percent(_n(f, "threshold")),
        level=levels.get(str(f.get("level")), str(f.get("level"))),
        **values,
    )


def _time_to_limit(t: Texts, subject: str, f: Facts, plan: Plan, tz: tzinfo | None) -> str:
    if "eta_s" not in f:
        return t(
            "{server} is at its limit ({connections} of {limit})",
            server=subject,
            connections=t.count(_n(f, "connections")),
            limit=t.count(_n(f, "limit")),
        )
    return t(
        "{server} reaches its limit in ~{minutes} min at the current ramp "
        "(+{slope} connections/s, {connections} of {limit})",
        server=subject,
        minutes=max(1, round(_n(f, "eta_s") / 60)),
        slope=t.decimal(_n(f, "slope_per_s")),
        connections=t.count(_n(f, "connections")),
        limit=t.count(_n(f, "limit")),
    )


def _wave_gate(t: Texts, subject: str, f: Facts, plan: Plan, tz: tzinfo | None) -> str:
    values = {
        "wave": int(_n(f, "wave")),
        "students": t.count(_n(f, "students")),
        "server": f["server"],
        "projected": t.count(_n(f, "projected")),
        "limit": t.count(_n(f, "limit")),
        "share": t.percent(_n(f, "projected") / _n(f, "limit")),
        "fit": t.count(_n(f, "fit")),
    }
    if f["verdict"] == "HOLD":
        if _n(f, "students"):
            return t(
                "Wave {wave} ({students} students) would take {server} to {projected} of "
                "{limit} connections ({share}): HOLD. At most {fit} students fit; split the wave.",
                **values,
            )
        return t(
            "The rest of wave {wave} would take {server} to {projected} of {limit} "
            "connections ({share}): HOLD new connections.",
            **values,
        )
    return t(
        "Wave {wave} ({students} students) would take {server} to {projected} of {limit} "
        "connections ({share}): GO, but above the critical level.",
        **values,
    )


def _throttling(t: Texts, subject: str, f: Facts, plan: Plan, tz: tzinfo | None) -> str:
    causes = {
        "security": t("its security layer is throttling"),
        "saturated": t("saturated at its limit"),
        "high": t("at {share} of its limit", share=t.percent(_n(f, "peak_ratio"))),
        "below": t(
            "well below its limit ({share}): not a capacity problem",
            share=t.percent(_n(f, "peak_ratio")),
        ),
    }
    return t(
        "{server} is refusing connections: {refused} refused and {reset} reset; {cause}",
        server=subject,
        refused=t.count(_n(f, "refused")),
        reset=t.count(_n(f, "reset")),
        cause=causes[str(f["cause"])],
    )


def _faculty_lag(t: Texts, subject: str, f: Facts, plan: Plan, tz: tzinfo | None) -> str:
    names = {faculty.id: faculty.name for faculty in plan.faculties}
    return t(
        "{faculty}: {connected} of {expected} students connected ({share})",
        faculty=names.get(subject, subject),
        connected=t.count(_n(f, "connected")),
        expected=t.count(_n(f, "expected")),
        share=t.percent(_n(f, "connected") / max(1.0, _n(f, "expected"))),
    )


def _blind(t: Texts, subject: str, f: Facts, plan: Plan, tz: tzinfo | None) -> str:
    kind = f["kind"]
    if kind == "source":
        return t(
            "MONITORING BLIND: {source} since {time}",
            source=subject,
            time=t.time(_n(f, "since"), tz),
        )
    if kind == "never":
        return t("{signal} has never had a value: check its metric", signal=subject)
    return t(
        "{signal} is stale: last value at {time}", signal=subject, time=t.time(_n(f, "newest"), tz)
    )


Writer = Callable[[Texts, str, Facts, Plan, "tzinfo | None"], str]
WRITERS: dict[str, Writer] = {
    "headroom": _headroom,
    "time_to_limit": _time_to_limit,
    "wave_gate": _wave_gate,
    "throttling": _throttling,
    "faculty_lag": _faculty_lag,
    "blind": _blind,
}
