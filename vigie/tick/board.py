"""What the operators and the engine have written, kept current in memory.

The recorder reads only what was written since its last look (two index range
reads per tick), instead of re-reading every transition and note each poll.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vigie.alerts.rules import facts_of
from vigie.alerts.rules.throttling import RULE as THROTTLING
from vigie.alerts.rules.throttling import ThrottlingFacts
from vigie.alerts.verdict import STOPPED_MESSAGE
from vigie.capacity import partial
from vigie.store import AlertTransition, Annotation, Store
from vigie.store.records import AlertState, AnnotationKind
from vigie.tick.state import AlertView, IncidentView, NoteView

NOTES_SHOWN = 5
PAST_INCIDENTS_SHOWN = 3
SEVERITY_RANK = {"careful": 1, "warning": 2, "critical": 3}


@dataclass
class Board:
    store: Store
    exercise_id: int
    _firing: dict[tuple[str, str], AlertView] = field(default_factory=dict)
    _notes: list[NoteView] = field(default_factory=list)
    _decisions: dict[int | None, NoteView] = field(default_factory=dict)
    _incidents: dict[str, IncidentView] = field(default_factory=dict)  # open, per server
    _past: list[IncidentView] = field(default_factory=list)
    _last_transition: int = 0
    _last_annotation: int = 0

    def catch_up(self) -> None:
        newest_transition, newest_annotation = self.store.newest_writes(self.exercise_id)
        if (newest_transition, newest_annotation) == (self._last_transition, self._last_annotation):
            return  # nothing new: the common case, one cheap read
        for transition in self.store.alerts.transitions_after(
            self.exercise_id, self._last_transition
        ):
            self._apply(transition)
            self._last_transition = transition.id
        for annotation in self.store.annotations(self.exercise_id, self._last_annotation):
            self._note(annotation)
            self._last_annotation = annotation.id

    def firing(self) -> tuple[AlertView, ...]:
        """Most severe first, then newest first."""
        return tuple(
            sorted(
                self._firing.values(),
                key=lambda a: (-SEVERITY_RANK.get(a.severity, 0), -a.since),
            )
        )

    def incidents(self) -> tuple[IncidentView, ...]:
        """Open incidents, oldest first, then the last ones over, newest first."""
        open_ = sorted(self._incidents.values(), key=lambda i: i.since)
        return (*open_, *reversed(self._past))

    def notes(self) -> tuple[NoteView, ...]:
        """The newest few notes, newest first."""
        return tuple(reversed(self._notes[-NOTES_SHOWN:]))

    def decisions(self) -> tuple[NoteView, ...]:
        """The latest decision per wave, by wave."""
        return tuple(sorted(self._decisions.values(), key=lambda d: d.wave or 0))

    def _apply(self, t: AlertTransition) -> None:
        if t.rule == THROTTLING:
            self._incident(t)
        key = (t.rule, t.subject)
        if t.state == AlertState.FIRING:  # a new episode, or an escalation to be seen again
            self._firing[key] = AlertView(
                rule=t.rule,
                subject=t.subject,
                severity=t.severity,
                since=t.at,
                message=t.message,
                facts=t.facts,
            )
        elif t.state == AlertState.RESOLVED:
            self._firing.pop(key, None)
        elif t.state == AlertState.ACKNOWLEDGED and key in self._firing:
            self._firing[key] = self._firing[key].model_copy(
                update={"acknowledged_by": t.actor, "acknowledged_at": t.at}
            )

    def _incident(self, t: AlertTransition) -> None:
        """A throttling episode is an incident: it opens at its first firing (the
        breach or the first refusals), and ends when the rule resolves it."""
        current = self._incidents.get(t.subject)
        if t.state == AlertState.FIRING:
            facts = facts_of(t.rule, t.facts)
            cause = facts.cause if isinstance(facts, ThrottlingFacts) else "saturated"
            over = isinstance(facts, ThrottlingFacts) and facts.over_limit
            behind = isinstance(facts, ThrottlingFacts) and partial(cause)
            if current is None:
                self._incidents[t.subject] = IncidentView(
                    server=t.subject,
                    since=t.at,
                    cause=cause,
                    over_limit=over,
                    address=facts.address
                    if behind and isinstance(facts, ThrottlingFacts)
                    else None,
                    faculties=facts.faculties
                    if behind and isinstance(facts, ThrottlingFacts)
                    else (),
                )
            else:  # the episode goes on; a breach seen once stays a breach
                self._incidents[t.subject] = current.model_copy(
                    update={"cause": cause, "over_limit": current.over_limit or over}
                )
        elif t.state == AlertState.RESOLVED and current is not None:
            del self._incidents[t.subject]
            ended = current.model_copy(
                update={"ended": t.at, "stopped": t.message == STOPPED_MESSAGE}
            )
            self._past.append(ended)
            del self._past[:-PAST_INCIDENTS_SHOWN]

    def _note(self, annotation: Annotation) -> None:
        if annotation.kind == "review":
            return  # written after the fact on the review page: the room never saw it
        view = NoteView(
            at=annotation.at,
            kind=annotation.kind,
            author=annotation.author,
            text=annotation.text,
            wave=annotation.wave,
        )
        if annotation.kind == AnnotationKind.DECISION:
            self._decisions[annotation.wave] = view
        else:
            self._notes.append(view)
            del self._notes[:-NOTES_SHOWN]
