"""The dead man's switch: `VigieWatchdog`, an alert that always fires while Vigie judges.

The pattern of the Prometheus operators' `Watchdog`: the process that runs the
alert engine sends it to every Alertmanager at each resend, with the endsAt of
any firing alert (a few resends ahead). Alertmanager routes it to a
dead-man's-switch receiver that pages when it stops arriving: a Vigie killed,
hung or cut off from Alertmanager is then noticed, instead of looking quiet.

Labels: `alertname="VigieWatchdog"`, `severity="none"` (never a page by
itself), `source="vigie"`, `exercise` (the plan's id).

It is sent only while the engine judges: a process whose poll cycles have stopped
(hung on a lock, its scheduler dead) withholds it (`Heartbeat`), so the switch
notices a Vigie that still answers but no longer watches.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from vigie.alerts.notify.base import AlertContext, iso

WATCHDOG = "VigieWatchdog"


def watchdog_document(context: AlertContext, since: float, ends_at: float) -> dict[str, Any]:
    """`since`: when this process began judging (the alert's startsAt)."""
    document: dict[str, Any] = {
        "labels": {
            "alertname": WATCHDOG,
            "severity": "none",
            "source": "vigie",
            "exercise": context.plan_id,
        },
        "annotations": {
            "summary": "Vigie's alerting is alive: this alert always fires.",
            "description": (
                "Sent at each resend by the process running Vigie's alert engine. "
                "When it stops arriving, Vigie is down and its silence means nothing."
            ),
        },
        "startsAt": iso(since),
        "endsAt": iso(ends_at),
    }
    if context.dashboard_url:
        document["generatorURL"] = context.dashboard_url
    return document


class Heartbeat:
    """When the engine last judged a poll cycle, on a monotonic clock."""

    def __init__(self, within_s: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        """`within_s`: how long without a judgement still counts as alive."""
        self._within_s = within_s
        self._monotonic = monotonic
        self._last = monotonic()

    def beat(self) -> None:
        self._last = self._monotonic()

    def silent_for(self) -> float | None:
        """Seconds since the last judgement when longer than allowed; None while alive."""
        silent = self._monotonic() - self._last
        return silent if silent > self._within_s else None
