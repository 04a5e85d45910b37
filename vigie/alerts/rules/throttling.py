"""Throttling: a server refusing or resetting connections while its load is high.

The symptom of 21 January 2022. With a throttle flag the message says the
security layer engaged; refusals at the limit are saturation. A server with a
limit short of its whole (an address's, for a per-source limit) whose refusals come
while that limit is near its level (its students' connections, estimated from
their sessions) is refusing those students, and the alert names the limit and
the faculties behind it. Refusals well
below every limit are something else than capacity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from vigie.alerts.facts import RuleFacts
from vigie.alerts.inputs import RuleInputs
from vigie.alerts.rule import Instant, RuleSpec, in_english
from vigie.alerts.verdict import Severity, Verdict
from vigie.capacity import Demand, LimitProjection, capacity_model, kind_named, partial, project
from vigie.collectors.host import counter_increase
from vigie.i18n import Texts
from vigie.plan.model import Plan, Server
from vigie.store import Point

RULE = "throttling"


class ThrottlingFacts(RuleFacts):
    refused: float
    reset: float
    peak_ratio: float
    window_s: float
    # security, saturated, high, below, none, or the kind of the partial limit near
    # its level (per_source: one address's), which address and faculties then name
    cause: str
    address: str | None = None  # per_source: the address refused
    faculties: tuple[str, ...] = ()
    source_connections: float | None = None  # estimated connections from that address
    source_limit: int | None = None
    connections: float | None = None  # the server's, at this evaluation
    limit: int | None = None
    over_limit: bool = False  # at or over its connection limit now: the breach


SERVER_WIDE = frozenset({"security", "saturated", "high"})  # causes that refuse everyone


def increase(points: Sequence[Point]) -> float:
    return sum(counter_increase(int(a.value), int(b.value)) for a, b in pairwise(points))


def evaluate(inputs: RuleInputs, previous: Mapping[str, Severity]) -> list[Verdict]:
    verdicts = [_judge(inputs, server) for server in inputs.plan.servers]
    return [v for v in verdicts if v is not None]


@dataclass(frozen=True)
class _Seen:
    """A server's refusal counters and connections over the rule's window."""

    rejected: list[Point]
    reset: list[Point]
    connections: list[Point]
    # A hard limit reached refuses the next connection by definition: that is the
    # breach itself, before any refusal counter has had a poll to move.
    over: bool

    @classmethod
    def read(cls, inputs: RuleInputs, server: Server, start: float) -> _Seen:
        window = inputs.window
        connections = window.since("server_connections", "server", server.id, start)
        latest = connections[-1] if connections else None
        return cls(
            rejected=window.since("server_rejected_total", "server", server.id, start),
            reset=window.since("server_reset_total", "server", server.id, start),
            connections=connections,
            over=latest is not None
            and inputs.fresh(latest)
            and latest.value >= server.connection_limit,
        )


def _judge(inputs: RuleInputs, server: Server) -> Verdict | None:
    settings = inputs.plan.alerts.throttling
    seen = _Seen.read(inputs, server, inputs.now - settings.window_s)
    if not seen.rejected and not seen.reset and not seen.over:
        return _silent(inputs, server)
    latest = seen.connections[-1] if seen.connections else None
    if latest is None or not inputs.fresh(latest):
        return Verdict.unknown_for(RULE, server.id, f"no fresh data for {server.id}")
    refused, dropped = increase(seen.rejected), increase(seen.reset)
    peak = max(p.value for p in seen.connections) / server.connection_limit
    window_s = settings.window_s
    if refused + dropped < settings.min_refused and not seen.over:
        facts = ThrottlingFacts(
            refused=refused, reset=dropped, peak_ratio=peak, window_s=window_s, cause="none"
        )
        message = in_english(words, server.id, facts, inputs.plan)
        return Verdict(RULE, server.id, Severity.OK, message, server=server.id, facts=facts)
    flag = inputs.window.latest("server_throttled", "server", server.id)
    throttled = flag is not None and inputs.fresh(flag) and flag.value >= 0.5
    cause = _cause(inputs, server, throttled, peak)
    facts = ThrottlingFacts(
        refused=refused,
        reset=dropped,
        peak_ratio=peak,
        window_s=window_s,
        cause=cause.kind,
        address=cause.partial.limit.address if cause.partial else None,
        faculties=cause.partial.limit.faculties if cause.partial else (),
        source_connections=cause.partial.peak if cause.partial else None,
        source_limit=cause.partial.limit.level if cause.partial else None,
        connections=latest.value,
        limit=server.connection_limit,
        over_limit=seen.over,
    )
    # At its hard limit before the refusal counters moved is the breach itself.
    at_limit = refused + dropped < settings.min_refused
    severity = Severity.WARNING if cause.kind == "below" and not at_limit else Severity.CRITICAL
    message = in_english(words, server.id, facts, inputs.plan)
    return Verdict(RULE, server.id, severity, message, server=server.id, facts=facts)


def _silent(inputs: RuleInputs, server: Server) -> Verdict | None:
    """No refusal and no breach in the window: nothing to say, unless the server did
    report refusals and has gone silent (then we cannot tell)."""
    reports = any(
        inputs.window.known(name, "server", server.id)
        for name in ("server_rejected_total", "server_reset_total")
    )
    if not reports:
        return None
    return Verdict.unknown_for(RULE, server.id, f"no fresh refusals of {server.id}")


@dataclass(frozen=True)
class _Cause:
    # security, saturated, high, below, or the name of the kind of the limit short
    # of the whole server that is near its level (per_source)
    kind: str
    partial: LimitProjection | None = None


def _cause(inputs: RuleInputs, server: Server, throttled: bool, peak: float) -> _Cause:
    high = inputs.plan.alerts.throttling.high_fraction
    if throttled:
        return _Cause("security")
    if peak >= 1:
        return _Cause("saturated")
    fullest = fullest_partial(inputs, server)
    if fullest is not None and fullest.share >= high and fullest.share >= peak:
        return _Cause(fullest.limit.kind.name, fullest)
    return _Cause("high" if peak >= high else "below")


def fullest_partial(inputs: RuleInputs, server: Server) -> LimitProjection | None:
    """Of the server's limits short of its whole (its addresses, for a per-source
    limit), the one whose students hold the most of its level, now."""
    model = capacity_model(inputs.plan)
    partials = [limit for limit in model.of_server(server.id) if not limit.kind.whole_server]
    if not partials:
        return None
    connected = {f: p.value for f, p in inputs.sessions_by_faculty.items()}
    projections = project(model, Demand(connected, {}), inputs.rates, 0.0, partials)
    return max(projections, key=lambda p: p.share, default=None)


def explained_faculties(inputs: RuleInputs, verdicts: Sequence[Verdict]) -> set[str]:
    """Faculties whose missing students these refusals explain: everyone for a
    server-wide cause, the faculties a partial limit counts for one of those."""
    explained: set[str] = set()
    for verdict in verdicts:
        facts = verdict.facts
        if verdict.severity is Severity.OK or not isinstance(facts, ThrottlingFacts):
            continue
        if facts.cause in SERVER_WIDE:
            explained |= {f.id for f in inputs.plan.faculties}
        elif partial(facts.cause):
            explained |= set(facts.faculties)
    return explained


def words(t: Texts, subject: str, f: ThrottlingFacts, plan: Plan, when: Instant) -> str:
    if f.cause == "none":
        return t("{server} accepts connections", server=subject)
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
            limit_name=kind_named(f.cause).named(t, plan, subject, f.address, f.faculties),
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


SPEC = RuleSpec(
    name=RULE,
    evaluate=evaluate,
    facts=ThrottlingFacts,
    words=words,
)
