"""The log notifier: every firing and resolution in the process log."""

from __future__ import annotations

import logging

from vigie.alerts.notify.base import AlertContext
from vigie.store import AlertTransition
from vigie.store.records import AlertState

log = logging.getLogger("vigie.alerts")


class LogNotifier:
    name = "log"

    def notify(self, transition: AlertTransition, context: AlertContext) -> None:
        level = logging.WARNING if transition.state == AlertState.FIRING else logging.INFO
        log.log(
            level,
            "[%s] %s %s/%s: %s",
            context.plan_id,
            transition.state.upper(),
            transition.rule,
            transition.subject,
            transition.message,
        )
