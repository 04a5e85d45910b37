"""Alert transitions and their notification outbox: written together, read by the engine."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from vigie.store.records import (
    AlertState,
    AlertTransition,
    Delivery,
    DeliveryStatus,
    NewTransition,
    from_ms,
    to_ms,
)
from vigie.store.schema import alert_transitions, notifications

Key = tuple[str, str]  # (rule, subject)


class AlertStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._insert_once = (
            insert(alert_transitions)
            .on_conflict_do_nothing(index_elements=["exercise_id", "rule", "subject", "follows"])
            .returning(alert_transitions.c.id)
        )

    def record(
        self, exercise_id: int, transitions: Sequence[NewTransition], notifiers: Sequence[str] = ()
    ) -> list[int | None]:
        """Record transitions and queue their notifications, in one transaction.

        Returns each transition's id, or None for a step already recorded (another
        transition follows the same one): it is not recorded again and its
        notifications are not queued. Within the batch a later transition of the same
        (rule, subject) follows the earlier one; after a step already recorded, it
        is dropped too (the caller resyncs from the store).
        """
        ids: list[int | None] = []
        chained: dict[Key, int | None] = {}
        with self.engine.begin() as connection:
            for t in transitions:
                key = (t.rule, t.subject)
                if t.follows is not None and key in chained:
                    previous = chained[key]
                    if previous is None:  # follows a step another collector recorded
                        ids.append(None)
                        continue
                    t = replace(t, follows=previous)
                new_id = self._insert(connection, exercise_id, t)
                ids.append(new_id)
                if t.follows is not None:
                    chained[key] = new_id
                if new_id is not None and t.notify:
                    self._queue(connection, new_id, t, notifiers)
        return ids

    def _queue(
        self, connection: Connection, transition_id: int, t: NewTransition, notifiers: Sequence[str]
    ) -> None:
        for notifier in notifiers:
            connection.execute(
                notifications.insert().values(
                    transition_id=transition_id,
                    notifier=notifier,
                    status=DeliveryStatus.PENDING,
                    attempts=0,
                    next_attempt_ms=to_ms(t.at),
                )
            )

    def _insert(self, connection: Connection, exercise_id: int, t: NewTransition) -> int | None:
        values = {
            "exercise_id": exercise_id,
            "ts_ms": to_ms(t.at),
            "rule": t.rule,
            "subject": t.subject,
            "state": t.state,
            "severity": t.severity,
            "message": t.message,
            "server": t.server,
            "facts": json.dumps(t.facts or {}),
            "actor": t.actor,
            "follows": t.follows,
        }
        new_id = connection.execute(self._insert_once.values(values)).scalar_one_or_none()
        return None if new_id is None else int(new_id)

    def last_state(self, exercise_id: int, rule: str, subject: str) -> AlertTransition | None:
        """The newest state transition of (rule, subject): what an engine that found its
        step already recorded by another collector resyncs from."""
        query = (
            select(alert_transitions)
            .where(
                alert_transitions.c.exercise_id == exercise_id,
                alert_transitions.c.rule == rule,
                alert_transitions.c.subject == subject,
                alert_transitions.c.state != AlertState.ACKNOWLEDGED,
            )
            .order_by(alert_transitions.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else _transition(row)

    def acknowledge(
        self, exercise_id: int, rule: str, subject: str, actor: str, at: float
    ) -> AlertTransition | None:
        """Record that `actor` has seen the alert firing on (rule, subject); None if none is."""
        firing = [
            t
            for t in self.last_states(exercise_id)
            if (t.rule, t.subject) == (rule, subject) and t.state == AlertState.FIRING
        ]
        if not firing:
            return None
        (current,) = firing
        ack = NewTransition(
            at=at,
            rule=rule,
            subject=subject,
            state=AlertState.ACKNOWLEDGED,
            severity=current.severity,
            message=current.message,
            server=current.server,
            facts=current.facts,
            actor=actor,
        )
        (ack_id,) = self.record(exercise_id, [ack])
        assert ack_id is not None  # follows None: an acknowledgement never collides
        return replace(current, id=ack_id, at=at, state=AlertState.ACKNOWLEDGED, actor=actor)

    def transitions(self, exercise_id: int) -> list[AlertTransition]:
        query = (
            select(alert_transitions)
            .where(alert_transitions.c.exercise_id == exercise_id)
            .order_by(alert_transitions.c.ts_ms, alert_transitions.c.id)
        )
        with self.engine.connect() as connection:
            return [_transition(row) for row in connection.execute(query)]

    def last_states(self, exercise_id: int, at: float | None = None) -> list[AlertTransition]:
        """The newest state transition of every (rule, subject), as of `at` (default: now).

        What a restart resumes from, and what a screen shows for any instant.
        """
        newest = (
            select(func.max(alert_transitions.c.id))
            .where(
                alert_transitions.c.exercise_id == exercise_id,
                alert_transitions.c.state != AlertState.ACKNOWLEDGED,
            )
            .group_by(alert_transitions.c.rule, alert_transitions.c.subject)
        )
        if at is not None:
            newest = newest.where(alert_transitions.c.ts_ms <= to_ms(at))
        query = select(alert_transitions).where(alert_transitions.c.id.in_(newest))
        with self.engine.connect() as connection:
            return [_transition(row) for row in connection.execute(query)]

    def transitions_after(self, exercise_id: int, after_id: int) -> list[AlertTransition]:
        """Transitions recorded since the one numbered `after_id`, in the order written."""
        query = (
            select(alert_transitions)
            .where(
                alert_transitions.c.exercise_id == exercise_id, alert_transitions.c.id > after_id
            )
            .order_by(alert_transitions.c.id)
        )
        with self.engine.connect() as connection:
            return [_transition(row) for row in connection.execute(query)]

    def due(self, notifier: str, now: float, limit: int = 100) -> list[Delivery]:
        """Pending deliveries in order, up to the first one still waiting for its retry time:
        a later transition never overtakes an earlier one."""
        query = (
            select(
                # Labelled: a bare `id` would shadow the transition's own in the row.
                notifications.c.id.label("delivery_id"),
                notifications.c.attempts,
                notifications.c.next_attempt_ms,
                alert_transitions,
            )
            .join(alert_transitions, alert_transitions.c.id == notifications.c.transition_id)
            .where(
                notifications.c.notifier == notifier,
                notifications.c.status == DeliveryStatus.PENDING,
            )
            .order_by(notifications.c.id)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        due = []
        for row in rows:
            if row[2] > to_ms(now):
                break
            due.append(Delivery(row[0], notifier, row[1], _transition(row)))
        return due

    def delivered(self, delivery_id: int, at: float) -> None:
        self._update(delivery_id, status=DeliveryStatus.SENT, sent_ms=to_ms(at), last_error=None)

    def retry_later(self, delivery_id: int, attempts: int, error: str, next_at: float) -> None:
        self._update(
            delivery_id, attempts=attempts, last_error=error, next_attempt_ms=to_ms(next_at)
        )

    def failed(self, delivery_id: int, attempts: int, error: str) -> None:
        self._update(delivery_id, status=DeliveryStatus.FAILED, attempts=attempts, last_error=error)

    def deliveries(self, notifier: str) -> list[tuple[str, int, str | None]]:
        """(status, attempts, last error) of every delivery to `notifier`, oldest first."""
        query = (
            select(notifications.c.status, notifications.c.attempts, notifications.c.last_error)
            .where(notifications.c.notifier == notifier)
            .order_by(notifications.c.id)
        )
        with self.engine.connect() as connection:
            return [(r[0], r[1], r[2]) for r in connection.execute(query)]

    def outbox(self, exercise_id: int) -> dict[tuple[str, str], int]:
        """How many of the exercise's deliveries each notifier has in each status
        (pending, sent, failed): one grouped count, for Vigie's own /metrics."""
        query = (
            select(notifications.c.notifier, notifications.c.status, func.count())
            .select_from(
                notifications.join(
                    alert_transitions, alert_transitions.c.id == notifications.c.transition_id
                )
            )
            .where(alert_transitions.c.exercise_id == exercise_id)
            .group_by(notifications.c.notifier, notifications.c.status)
        )
        with self.engine.connect() as connection:
            return {(r[0], r[1]): int(r[2]) for r in connection.execute(query)}

    def _update(self, delivery_id: int, **values: Any) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(notifications).where(and_(notifications.c.id == delivery_id)).values(values)
            )


def _transition(row: Any) -> AlertTransition:
    m = row._mapping
    return AlertTransition(
        id=m["id"],
        at=from_ms(m["ts_ms"]),
        rule=m["rule"],
        subject=m["subject"],
        state=AlertState(m["state"]),
        severity=m["severity"],
        message=m["message"],
        server=m["server"],
        facts=json.loads(m["facts"] or "{}"),
        actor=m["actor"],
    )
