"""The alert engine: evaluate every rule after each poll cycle, record transitions only.

Per (rule, subject): ok -> pending -> firing -> resolved, with a hold time per
rule before pending becomes firing. A verdict of "unknown" (stale data) changes
nothing: it neither fires nor resolves. A rule that raises is logged and its
alerts keep their state. The state lives in the store, so a restarted engine
resumes where it was: no duplicate and no lost notification.

Each state transition names the one it follows (`follows`), and the store records
a step from a given transition once (a unique key): a collector taking over, or two
briefly active, cannot record or notify a step twice. An engine whose step was
already recorded by another resyncs that alert from the store.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from vigie.alerts.inputs import RuleInputs
from vigie.alerts.memory import PlatformMemory
from vigie.alerts.rule import Rule
from vigie.alerts.rules import RULES, hold_seconds
from vigie.alerts.verdict import STOPPED_MESSAGE, Severity, Verdict
from vigie.alerts.window import RULE_INPUTS, SeriesWindow
from vigie.capacity.live_limits import LIMIT_SIGNAL, in_force, live_limits
from vigie.collectors.cycle import CycleResult
from vigie.plan.model import Plan
from vigie.series import Sample
from vigie.store import AlertTransition, NewTransition, Point, Store
from vigie.store.records import AlertState

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (rule, subject)


@dataclass(frozen=True)
class Evaluation:
    """One judgement: what the rules read and what each said, ok verdicts included
    (the screens show a GO and every server's time to limit, not only alerts)."""

    inputs: RuleInputs
    verdicts: dict[str, list[Verdict]]


@dataclass
class OpenAlert:
    state: AlertState  # pending or firing
    severity: Severity
    since: float  # when it became pending


class AlertEngine:
    def __init__(
        self,
        plan: Plan,
        store: Store,
        exercise_id: int,
        t0: float,
        poll_interval_s: float,
        notifiers: Sequence[str] = (),
        rules: Mapping[str, Rule] = RULES,
    ) -> None:
        self.plan = plan
        self._store = store
        self._exercise = exercise_id
        self._t0 = t0
        self._interval = poll_interval_s
        self._notifiers = list(notifiers)
        self._rules = dict(rules)
        self.window = SeriesWindow(names=RULE_INPUTS)
        self._open: dict[Key, OpenAlert] = {}
        self._last_id: dict[Key, int] = {}  # each alert's newest state transition
        self.judging_since: float | None = None  # this engine's first judgement
        self.memory = PlatformMemory(store, exercise_id, plan, t0)
        self._lock = threading.Lock()  # poll jobs of several sources call in from their threads
        self.last: Evaluation | None = None
        self.stopped_at: float | None = None
        self._restore()

    def _restore(self) -> None:
        self.memory.restore()
        for t in self._store.alerts.last_states(self._exercise):
            self._resume(t)

    def _resume(self, t: AlertTransition) -> None:
        """Take (rule, subject)'s state from its newest recorded transition."""
        key = (t.rule, t.subject)
        self._last_id[key] = t.id
        if t.state in (AlertState.PENDING, AlertState.FIRING):
            self._open[key] = OpenAlert(t.state, Severity[t.severity.upper()], t.at)
        else:
            self._open.pop(key, None)

    def prime(self, now: float) -> None:
        """After a restart: load the recent past the rules need from the store."""
        for name in sorted(RULE_INPUTS):
            for labels, points in self._store.window(
                self._exercise, name, now - self.window.keep_s, now
            ).items():
                self.window.observe(Sample(name, labels, p.at, p.value) for p in points)

    def after_cycle(self, now: float, result: CycleResult) -> None:
        """What a poll cycle brought, then a judgement at its instant."""
        self.observe(result.samples)
        self.evaluate(now)

    def observe(self, samples: Iterable[Sample]) -> None:
        with self._lock:
            self.window.observe(samples)

    def evaluate(self, now: float) -> list[NewTransition]:
        """Run every rule at `now`; record and return the transitions it caused."""
        with self._lock:
            if self.stopped_at is not None:
                return []  # the exercise is over: its states are final
            self.window.forget_before(now)
            if self.judging_since is None:
                self.judging_since = now
            memory = self.memory
            limits = live_limits(self.plan, self._latest_limits())
            inputs = RuleInputs(
                in_force(self.plan, limits),
                now,
                self._t0,
                self.window,
                self._interval,
                baselines=memory.baselines,
                ratios=memory.ratios,
                launches=memory.launches,  # the memory updates these in place before any rule runs
                live_limits=limits,
                judging_since=self.judging_since,
            )
            memory.note_launches(inputs)
            memory.note_platform(inputs)
            transitions: list[NewTransition] = []
            said: dict[str, list[Verdict]] = {}
            for name, rule in self._rules.items():
                previous = {
                    s: a.severity
                    for (r, s), a in self._open.items()
                    if r == name and a.state == AlertState.FIRING
                }
                try:
                    verdicts = rule(inputs, previous)
                except Exception:
                    log.exception("rule %s failed at %.3f; its alerts keep their state", name, now)
                    continue
                said[name] = verdicts
                transitions += self._apply(name, verdicts, now)
            recorded = self._record(transitions)
            self.last = Evaluation(inputs, said)
            return recorded

    def _record(self, transitions: list[NewTransition]) -> list[NewTransition]:
        """Record; keep each alert's newest id, or resync the alerts whose step another
        collector recorded first. Returns the transitions this engine recorded."""
        if not transitions:
            return []
        ids = self._store.alerts.record(self._exercise, transitions, self._notifiers)
        recorded = []
        for t, new_id in zip(transitions, ids, strict=True):
            key = (t.rule, t.subject)
            if new_id is not None:
                self._last_id[key] = new_id
                recorded.append(t)
                continue
            log.info("%s on %s: step already recorded by another collector", t.rule, t.subject)
            newest = self._store.alerts.last_state(self._exercise, t.rule, t.subject)
            if newest is not None:
                self._resume(newest)
        return recorded

    def _latest_limits(self) -> dict[str, Point]:
        return {
            server: points[-1]
            for server, points in self.window.by_entity(LIMIT_SIGNAL, "server").items()
        }

    def stop(self, at: float) -> list[NewTransition]:
        """The exercise is stopped: every open alert resolves at the stop, saying why,
        and nothing is judged after it (a screen must not keep a HOLD for a dead run)."""
        with self._lock:
            if self.stopped_at is not None:
                return []
            self.stopped_at = at
            transitions = [
                self._transition(
                    Verdict(rule, subject, Severity.OK, STOPPED_MESSAGE),
                    AlertState.RESOLVED,
                    at,
                    notify=alert.state == AlertState.FIRING,
                    severity=alert.severity,
                )
                for (rule, subject), alert in sorted(self._open.items())
            ]
            self._open.clear()
            return self._record(transitions)

    def _apply(self, rule: str, verdicts: list[Verdict], now: float) -> list[NewTransition]:
        transitions = []
        seen = set()
        for verdict in verdicts:
            seen.add(verdict.subject)
            if not verdict.unknown:
                transitions += self._step(rule, verdict, now)
        for (r, subject), _ in list(self._open.items()):
            if r == rule and subject not in seen:  # no longer evaluated: it is over
                transitions += self._step(
                    rule, Verdict(rule, subject, Severity.OK, "no longer applies"), now
                )
        return transitions

    def _step(self, rule: str, verdict: Verdict, now: float) -> list[NewTransition]:
        key = (rule, verdict.subject)
        current = self._open.get(key)
        if verdict.severity is Severity.OK:
            if current is None:
                return []
            del self._open[key]
            return [
                self._transition(
                    verdict,
                    AlertState.RESOLVED,
                    now,
                    notify=current.state == AlertState.FIRING,
                    severity=current.severity,
                )
            ]
        if current is None:
            current = self._open[key] = OpenAlert(AlertState.PENDING, verdict.severity, now)
            if hold_seconds(self.plan, rule) > 0:
                return [self._transition(verdict, AlertState.PENDING, now, notify=False)]
        if current.state == AlertState.PENDING:
            current.severity = verdict.severity
            if now - current.since >= hold_seconds(self.plan, rule):
                current.state = AlertState.FIRING
                return [self._transition(verdict, AlertState.FIRING, now, notify=True)]
            return []
        if verdict.severity != current.severity:  # escalation or de-escalation while firing
            current.severity = verdict.severity
            return [self._transition(verdict, AlertState.FIRING, now, notify=True)]
        return []

    def _transition(
        self,
        verdict: Verdict,
        state: AlertState,
        now: float,
        notify: bool,
        severity: Severity | None = None,
    ) -> NewTransition:
        return NewTransition(
            follows=self._last_id.get((verdict.rule, verdict.subject), 0),
            at=now,
            rule=verdict.rule,
            subject=verdict.subject,
            state=state,
            severity=(severity or verdict.severity).label,
            message=verdict.message,
            server=verdict.server,
            facts={} if verdict.facts is None else verdict.facts.as_json(),
            notify=notify,
        )

    def firing(self) -> dict[Key, Severity]:
        with self._lock:
            return {k: a.severity for k, a in self._open.items() if a.state == AlertState.FIRING}
