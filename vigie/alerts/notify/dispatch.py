"""Deliver queued notifications, in order, retrying with backoff; record every outcome.

A retryable failure stops that notifier's queue for this round (so transitions
arrive in the order they happened) and is tried again after a backoff that
doubles up to a cap. A permanent failure is marked failed with its reason.
Nothing is dropped silently, and a restart carries on from the store.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from vigie.alerts.notify.alertmanager import AlertmanagerNotifier, documents_for
from vigie.alerts.notify.base import AlertContext, Notifier, NotifyError
from vigie.alerts.notify.watchdog import Heartbeat, watchdog_document
from vigie.store import Store
from vigie.store.records import AlertState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    first_s: float = 2.0
    cap_s: float = 300.0

    def after(self, attempts: int) -> float:
        return float(min(self.cap_s, self.first_s * 2 ** max(0, attempts - 1)))


def deliver_due(
    store: Store,
    notifiers: Sequence[Notifier],
    context: AlertContext,
    now: float,
    backoff: Backoff = Backoff(),
) -> int:
    """Deliver what is due at `now`; returns how many were delivered."""
    delivered = 0
    for notifier in notifiers:
        for delivery in store.alerts.due(notifier.name, now):
            attempts = delivery.attempts + 1
            try:
                notifier.notify(delivery.transition, context)
            except NotifyError as exc:
                if exc.permanent:
                    log.error(
                        "%s refused transition %d for good: %s",
                        notifier.name,
                        delivery.transition.id,
                        exc,
                    )
                    store.alerts.failed(delivery.id, attempts, str(exc))
                    continue
                retry_at = now + backoff.after(attempts)
                log.warning("%s: %s; retrying in %.0f s", notifier.name, exc, retry_at - now)
                store.alerts.retry_later(delivery.id, attempts, str(exc), retry_at)
                break  # keep this notifier's transitions in order
            store.alerts.delivered(delivery.id, now)
            delivered += 1
    return delivered


def resend_firing(
    store: Store,
    alertmanager: AlertmanagerNotifier,
    context: AlertContext,
    since: float,
    heartbeat: Heartbeat | None = None,
) -> None:
    """Alertmanager ends an alert at its endsAt unless it is resent: send everything still
    firing again, with the watchdog (judging since `since`), a fresh endsAt on each.
    The watchdog is withheld while `heartbeat` says the engine stopped judging."""
    firing = [
        t for t in store.alerts.last_states(context.exercise_id) if t.state == AlertState.FIRING
    ]
    ends_at = alertmanager.ends_at()
    documents = [d for t in firing for d in documents_for(t, context, ends_at)]
    silent = None if heartbeat is None else heartbeat.silent_for()
    if silent is None:
        documents.append(watchdog_document(context, since, ends_at))
    else:
        log.error("no poll cycle judged for %.0f s: the watchdog is withheld", silent)
    if not documents:
        return
    try:
        alertmanager.post(documents)
    except NotifyError as exc:
        log.warning(
            "resending %d firing alerts and the watchdog to %s failed: %s",
            len(firing),
            alertmanager,
            exc,
        )
