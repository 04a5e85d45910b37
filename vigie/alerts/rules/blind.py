"""Blind monitoring: a source that is down, or a signal gone stale, is an alert of its own."""

from __future__ import annotations

from collections.abc import Mapping

from vigie.alerts.facts import RuleFacts
from vigie.alerts.inputs import RuleInputs
from vigie.alerts.rule import Instant, RuleSpec, in_utc
from vigie.alerts.verdict import Severity, Verdict
from vigie.exporters.expand import watched_signals
from vigie.i18n import Texts
from vigie.plan.model import Entity, Plan, Signal, SourceKind
from vigie.source_health import down_since

RULE = "blind"


class BlindFacts(RuleFacts):
    kind: str  # source, never, stale
    since: float | None = None
    source: str | None = None
    newest: float | None = None


# After the collector (re)starts or takes over, a source gets this many of its polls
# to bring a fresh value before its signals are judged stale from the gap alone:
# the gap was the collector's, and a restart loop must not flood the notifiers.
RESTART_GRACE_POLLS = 2


def evaluate(inputs: RuleInputs, previous: Mapping[str, Severity]) -> list[Verdict]:
    verdicts = []
    polled = [s for s in inputs.plan.sources if s.kind is not SourceKind.AGENT]
    for source in polled:
        up = inputs.window.by_entity("source_up", "source").get(source.id, [])
        if not up:
            continue  # not polled yet
        first_down = down_since(up)
        if first_down is not None:
            verdicts.append(
                Verdict(
                    RULE,
                    source.id,
                    Severity.CRITICAL,
                    f"MONITORING BLIND: {source.id} unreachable since {in_utc(first_down)}",
                    facts=BlindFacts(kind="source", since=first_down),
                )
            )
            continue
        verdicts.append(Verdict(RULE, source.id, Severity.OK, f"{source.id} is answering"))
        answered_long_enough = len(up) > inputs.plan.alerts.blind.stale_intervals
        verdicts.extend(_stale_signals(inputs, source.id, source.interval_s, answered_long_enough))
    return verdicts


def _students_had_time(inputs: RuleInputs, signal: Signal) -> bool:
    """Whether a signal's absence can mean a wrong metric yet: at once for servers and
    the exercise; for faculties, once the first wave has been out `first_students_s`."""
    if signal.entity is not Entity.FACULTY:
        return True
    launched = [inputs.launched_s(w) for w in inputs.started_waves]
    first = min((at for at in launched if at is not None), default=None)
    grace = inputs.plan.alerts.blind.first_students_s
    return first is not None and inputs.elapsed_s - first >= grace


def _just_started(inputs: RuleInputs, interval_s: float) -> bool:
    since = inputs.judging_since
    return since is not None and inputs.now - since < RESTART_GRACE_POLLS * interval_s


def _stale_signals(
    inputs: RuleInputs, source: str, interval_s: float, answered_long_enough: bool
) -> list[Verdict]:
    """A signal is stale past `stale_intervals` polls; one that never came, once its source
    has answered that many polls (a misspelt metric must not look like "all fine")."""
    limit = inputs.plan.alerts.blind.stale_intervals * interval_s
    verdicts = []
    seen: set[str] = set()
    for signal in watched_signals(inputs.plan):
        if signal.source != source or signal.name in seen:
            continue
        seen.add(signal.name)
        newest = inputs.window.newest(signal.name)
        if newest is None and answered_long_enough and _students_had_time(inputs, signal):
            verdicts.append(
                Verdict(
                    RULE,
                    signal.name,
                    Severity.WARNING,
                    f"{signal.name} has never had a value from {source}: check its metric",
                    facts=BlindFacts(kind="never", source=source),
                )
            )
        elif newest is None:  # too soon to tell (or just restarted): keep whatever was said
            verdicts.append(Verdict.unknown_for(RULE, signal.name, "no value yet"))
        elif inputs.now - newest <= limit:
            verdicts.append(Verdict(RULE, signal.name, Severity.OK, f"{signal.name} is fresh"))
        elif _just_started(inputs, interval_s):  # an open alert stays open, none is raised
            verdicts.append(Verdict.unknown_for(RULE, signal.name, "collector just started"))
        else:
            verdicts.append(
                Verdict(
                    RULE,
                    signal.name,
                    Severity.WARNING,
                    f"{signal.name} is stale: last value at {in_utc(newest)}",
                    facts=BlindFacts(kind="stale", newest=newest),
                )
            )
    return verdicts


def words(t: Texts, subject: str, f: BlindFacts, plan: Plan, when: Instant) -> str:
    if f.kind == "source" and f.since is not None:
        return t("MONITORING BLIND: {source} since {time}", source=subject, time=when(f.since))
    if f.kind == "never":
        return t("{signal} has never had a value: check its metric", signal=subject)
    if f.newest is None:
        return t("{signal} is stale", signal=subject)
    return t("{signal} is stale: last value at {time}", signal=subject, time=when(f.newest))


SPEC = RuleSpec(
    name=RULE,
    evaluate=evaluate,
    facts=BlindFacts,
    words=words,
)
