"""Alertmanager: `POST /api/v2/alerts`, in its conventions, so operators page as usual.

Labels identify the alert (alertname, rule, subject, severity, exercise); the
message is the `summary` annotation. A firing alert carries an `endsAt` a few
resends ahead (`ENDS_AFTER_RESENDS`) and is sent again at each resend while it
fires: if Vigie dies, its alerts expire at that `endsAt` (Vigie is dead), while
a live Vigie never lets one look resolved. A resolution is sent with its own
end time. Beside them, the dead man's switch (`watchdog.py`) always fires.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import requests

from vigie.alerts.notify.base import AlertContext, NotifyError, iso
from vigie.alerts.notify.http import post_json
from vigie.store import AlertTransition
from vigie.store.records import AlertState

log = logging.getLogger(__name__)
SEVERITIES = ("careful", "warning", "critical")
RESEND_EVERY_S = 60.0
# A firing alert ends this many resends after it was last sent: two resends may be
# lost before it expires. At the 60 s resend that is 3 min, under Alertmanager's
# default resolve_timeout of 5 min (which an explicit endsAt overrides).
ENDS_AFTER_RESENDS = 3
LONGEST_RESEND_S = 100.0  # 3 x 100 s: still within the default resolve_timeout


def check_resend_interval(resend_s: float) -> float:
    """raises ValueError when the interval would let alerts outlive resolve_timeout."""
    if not 0 < resend_s <= LONGEST_RESEND_S:
        raise ValueError(
            f"the Alertmanager resend interval must be in (0, {LONGEST_RESEND_S:g}] s, "
            f"got {resend_s:g}"
        )
    return resend_s


def alert_document(
    t: AlertTransition, context: AlertContext, severity: str, ends_at: float
) -> dict[str, Any]:
    labels = {
        "alertname": f"Vigie{''.join(part.title() for part in t.rule.split('_'))}",
        "rule": t.rule,
        "subject": t.subject,
        "severity": severity,
        "exercise": context.plan_id,
        "source": "vigie",
    }
    if t.server:
        labels["server"] = t.server
    document: dict[str, Any] = {
        "labels": labels,
        "annotations": {
            "summary": t.message,
            "description": f"{t.rule} on {t.subject}: {t.message}",
        },
        "startsAt": iso(t.at),
        "endsAt": iso(ends_at),
    }
    if context.dashboard_url:
        document["generatorURL"] = context.dashboard_url
    return document


def documents_for(
    t: AlertTransition, context: AlertContext, firing_ends_at: float
) -> list[dict[str, Any]]:
    """The alert in its new state; on a change of severity, the other levels end now.
    A firing one ends at `firing_ends_at` unless it is sent again before."""
    if t.state == AlertState.RESOLVED:
        return [alert_document(t, context, level, t.at) for level in SEVERITIES]
    others = [
        alert_document(t, context, level, t.at) for level in SEVERITIES if level != t.severity
    ]
    return [alert_document(t, context, t.severity, firing_ends_at), *others]


def alertmanager_urls(text: str) -> tuple[str, ...]:
    """`--alertmanager`'s value: one base URL, or several separated by commas (the
    members of an Alertmanager cluster). raises ValueError naming a bad one."""
    urls = tuple(u.strip().rstrip("/") for u in text.split(",") if u.strip())
    if not urls:
        raise ValueError("no Alertmanager URL given")
    for url in urls:
        if not url.startswith(("http://", "https://")) or len(url.split("/")[2]) == 0:
            raise ValueError(f"{url!r} is not an http:// or https:// base URL")
    return urls


class AlertmanagerNotifier:
    """Sends to every Alertmanager given, as Prometheus does: a delivery succeeds when
    one of them took it (they share alerts), and the others' failures are logged."""

    name = "alertmanager"

    def __init__(
        self,
        *urls: str,
        session: requests.Session | None = None,
        timeout_s: float = 5.0,
        resend_s: float = RESEND_EVERY_S,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """`urls`: base URLs. `wall_clock`: Alertmanager's time, which endsAt is read
        against (a sped-up demo's alerts still expire in real minutes). raises ValueError
        for a resend interval out of range, or no URL."""
        if not urls:
            raise ValueError("an Alertmanager notifier needs at least one URL")
        self.urls = tuple(url.rstrip("/") for url in urls)
        self.resend_s = check_resend_interval(resend_s)
        self._session = session or requests.Session()
        self._timeout = timeout_s
        self._wall_clock = wall_clock

    def __str__(self) -> str:
        return ", ".join(self.urls)

    def ends_at(self) -> float:
        """Where a firing alert sent now ends, unless resent before."""
        return self._wall_clock() + ENDS_AFTER_RESENDS * self.resend_s

    def notify(self, transition: AlertTransition, context: AlertContext) -> None:
        self.send([transition], context)

    def send(self, transitions: list[AlertTransition], context: AlertContext) -> None:
        """Send (or, while firing, resend) alerts. raises NotifyError."""
        ends_at = self.ends_at()
        documents = [d for t in transitions for d in documents_for(t, context, ends_at)]
        self.post(documents)

    def post(self, documents: list[dict[str, Any]]) -> None:
        """To each Alertmanager. raises NotifyError when none took it (permanent only
        when every one refused for good)."""
        failures: list[NotifyError] = []
        for url in self.urls:
            try:
                post_json(self._session, f"{url}/api/v2/alerts", documents, self._timeout)
            except NotifyError as exc:
                failures.append(exc)
        if len(failures) == len(self.urls):
            permanent = all(f.permanent for f in failures)
            raise NotifyError("; ".join(str(f) for f in failures), permanent=permanent)
        for failure in failures:
            log.warning("one Alertmanager of %d missed it: %s", len(self.urls), failure)
