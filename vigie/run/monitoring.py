"""Alerting in a collecting process: the engine after each poll, notifiers on a schedule."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.base import BaseScheduler

from vigie.alerts.engine import AlertEngine
from vigie.alerts.notify.alertmanager import (
    RESEND_EVERY_S,
    AlertmanagerNotifier,
    alertmanager_urls,
)
from vigie.alerts.notify.base import AlertContext, Notifier
from vigie.alerts.notify.dispatch import deliver_due, resend_firing
from vigie.alerts.notify.log import LogNotifier
from vigie.alerts.notify.watchdog import Heartbeat
from vigie.alerts.notify.webhook import WebhookNotifier
from vigie.clock import Clock
from vigie.collectors.cycle import CycleResult
from vigie.plan import Plan
from vigie.store import Store
from vigie.tick.recorder import TickRecorder

log = logging.getLogger(__name__)
STALE_AFTER_POLLS = 2


@dataclass(frozen=True)
class NotifierSettings:
    webhook: str | None = None
    alertmanager: str | None = None
    dashboard_url: str = ""
    # Firing alerts and the watchdog are resent this often, each ending 3 resends ahead.
    alertmanager_resend_s: float = RESEND_EVERY_S


NO_NOTIFIERS = NotifierSettings()  # the log only


def build_notifiers(settings: NotifierSettings) -> list[Notifier]:
    notifiers: list[Notifier] = [LogNotifier()]
    if settings.webhook:
        notifiers.append(WebhookNotifier(settings.webhook))
    if settings.alertmanager:
        urls = alertmanager_urls(settings.alertmanager)
        notifiers.append(AlertmanagerNotifier(*urls, resend_s=settings.alertmanager_resend_s))
    return notifiers


class Monitoring:
    def __init__(
        self,
        plan: Plan,
        store: Store,
        exercise_id: int,
        t0: float,
        poll_interval_s: float,
        settings: NotifierSettings,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._judging_since = wall_clock()  # the watchdog's startsAt, in Alertmanager's time
        self.notifiers = build_notifiers(settings)
        self.context = AlertContext(exercise_id, plan.exercise.id, settings.dashboard_url)
        self.engine = AlertEngine(
            plan, store, exercise_id, t0, poll_interval_s, [n.name for n in self.notifiers]
        )
        self.ticks = TickRecorder(store, exercise_id, self.engine)
        # Alive while a cycle is judged within 2 polls, or within a resend when longer.
        resend_s = settings.alertmanager_resend_s
        self.heartbeat = Heartbeat(max(STALE_AFTER_POLLS * poll_interval_s, resend_s))

    def start(self, now: float) -> None:
        """Pick up where a previous process left off, then judge the present."""
        self.engine.prime(now)
        self.ticks.evaluate(now)

    def after_cycle(self, now: float, result: CycleResult) -> None:
        """Judge each poll cycle, and keep what the screens show of it."""
        self.ticks.after_cycle(now, result)
        self.heartbeat.beat()

    def schedule(self, scheduler: BaseScheduler, clock: Clock, every_real_s: float = 1.0) -> None:
        scheduler.add_job(
            self._deliver(clock),
            "interval",
            seconds=every_real_s,
            max_instances=1,
            coalesce=True,
            id="notify",
        )
        alertmanagers = [n for n in self.notifiers if isinstance(n, AlertmanagerNotifier)]
        for alertmanager in alertmanagers:
            # At once, then at each resend: the watchdog is up as soon as the engine is.
            scheduler.add_job(
                lambda am=alertmanager: self._resend(am),
                "interval",
                seconds=alertmanager.resend_s,
                next_run_time=datetime.now(UTC),
                max_instances=1,
                coalesce=True,
                id=f"resend:{alertmanager}",
            )

    def _resend(self, alertmanager: AlertmanagerNotifier) -> None:
        try:
            resend_firing(
                self._store, alertmanager, self.context, self._judging_since, self.heartbeat
            )
        except Exception:  # the store, most likely: nothing is sent, the watchdog expires
            log.exception("resending to %s failed; it will be tried again", alertmanager)

    def _deliver(self, clock: Clock) -> Callable[[], None]:
        def deliver() -> None:
            try:
                deliver_due(self._store, self.notifiers, self.context, clock.now())
            except Exception:
                log.exception("notification delivery failed; it will be tried again")

        return deliver


def chain(*hooks: Callable[[float, CycleResult], None]) -> Callable[[float, CycleResult], None]:
    def run(now: float, result: CycleResult) -> None:
        for hook in hooks:
            hook(now, result)

    return run
