"""Throttling: a server refusing or resetting connections while its load is high.

The symptom of 21 January 2022. With a throttle flag the message says the
security layer engaged; refusals at the limit are saturation; refusals well
below the limit are something else than capacity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

from vigie.alerts.inputs import RuleInputs
from vigie.alerts.verdict import Severity, Verdict
from vigie.collectors.host import counter_increase
from vigie.i18n.formats import count
from vigie.store import Point

RULE = "throttling"


def increase(points: Sequence[Point]) -> float:
    return sum(counter_increase(int(a.value), int(b.value)) for a, b in pairwise(points))


def evaluate(inputs: RuleInputs, previous: Mapping[str, Severity]) -> list[Verdict]:
    settings = inputs.plan.alerts.throttling
    start = inputs.now - settings.window_s
    verdicts = []
    for server in inputs.plan.servers:
        rejected = inputs.window.since("server_rejected_total", "server", server.id, start)
        reset = inputs.window.since("server_reset_total", "server", server.id, start)
        if not rejected and not reset:
            reports = any(
                inputs.window.known(name, "server", server.id)
                for name in ("server_rejected_total", "server_reset_total")
            )
            if reports:  # it did report refusals, and has gone silent: we cannot tell
                verdicts.append(
                    Verdict.unknown_for(RULE, server.id, f"no fresh refusals of {server.id}")
                )
            continue
        connections = inputs.window.since("server_connections", "server", server.id, start)
        if not connections or not inputs.fresh(connections[-1]):
            verdicts.append(Verdict.unknown_for(RULE, server.id, f"no fresh data for {server.id}"))
            continue
        refused, dropped = increase(rejected), increase(reset)
        peak = max(p.value for p in connections) / server.connection_limit
        flag = inputs.window.latest("server_throttled", "server", server.id)
        throttled = flag is not None and inputs.fresh(flag) and flag.value >= 0.5
        facts: dict[str, float | str] = {"refused": refused, "reset": dropped, "peak_ratio": peak}
        if refused + dropped < settings.min_refused:
            verdicts.append(
                Verdict(
                    RULE,
                    server.id,
                    Severity.OK,
                    f"{server.id} accepts connections",
                    server=server.id,
                    facts=facts,
                )
            )
            continue
        numbers = (
            f"{count(refused, 'en')} refused and {count(dropped, 'en')} reset in the last "
            f"{settings.window_s:g} s"
        )
        kind, cause = _cause(throttled, peak, settings.high_fraction)
        facts["cause"] = kind
        severity = (
            Severity.CRITICAL if throttled or peak >= settings.high_fraction else Severity.WARNING
        )
        verdicts.append(
            Verdict(
                RULE,
                server.id,
                severity,
                f"{server.id} is refusing connections: {numbers}; {cause}",
                server=server.id,
                facts=facts,
            )
        )
    return verdicts


def _cause(throttled: bool, peak: float, high: float) -> tuple[str, str]:
    """(kind, English words) of why connections are refused; screens translate the kind."""
    if throttled:
        return "security", "its security layer is throttling"
    if peak >= 1:
        return "saturated", "saturated at its limit"
    if peak >= high:
        return "high", f"at {peak:.0%} of its limit"
    return "below", f"well below its limit ({peak:.0%}): not a capacity problem"
