"""Alertmanager: `POST /api/v2/alerts`, in its conventions, so operators page as usual.

Labels identify the alert (alertname, rule, subject, severity, exercise); the
message is the `summary` annotation. A firing alert is sent again while it
fires (Alertmanager forgets alerts not resent within its resolve_timeout), and
a resolution is sent with its end time.
"""

from __future__ import annotations

from typing import Any

import requests

from vigie.alerts.notify.base import AlertContext, iso
from vigie.alerts.notify.http import post_json
from vigie.store import AlertTransition

SEVERITIES = ("careful", "warning", "critical")


def alert_document(
    t: AlertTransition, context: AlertContext, severity: str, ends_at: float | None
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
    }
    if context.dashboard_url:
        document["generatorURL"] = context.dashboard_url
    if ends_at is not None:
        document["endsAt"] = iso(ends_at)
    return document


def documents_for(t: AlertTransition, context: AlertContext) -> list[dict[str, Any]]:
    """The alert in its new state; on a change of severity, the other levels end now."""
    if t.state == "resolved":
        return [alert_document(t, context, level, t.at) for level in SEVERITIES]
    others = [
        alert_document(t, context, level, t.at) for level in SEVERITIES if level != t.severity
    ]
    return [alert_document(t, context, t.severity, None), *others]


class AlertmanagerNotifier:
    name = "alertmanager"

    def __init__(
        self, url: str, session: requests.Session | None = None, timeout_s: float = 5.0
    ) -> None:
        self.url = url.rstrip("/") + "/api/v2/alerts"
        self._session = session or requests.Session()
        self._timeout = timeout_s

    def notify(self, transition: AlertTransition, context: AlertContext) -> None:
        self.send([transition], context)

    def send(self, transitions: list[AlertTransition], context: AlertContext) -> None:
        """Send (or, while firing, resend) alerts. raises NotifyError."""
        documents = [d for t in transitions for d in documents_for(t, context)]
        post_json(self._session, self.url, documents, self._timeout)
