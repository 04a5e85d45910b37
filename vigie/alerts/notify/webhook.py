"""A generic webhook: one JSON document per transition."""

from __future__ import annotations

import requests

from vigie.alerts.notify.base import AlertContext, transition_document
from vigie.alerts.notify.http import post_json
from vigie.store import AlertTransition


class WebhookNotifier:
    name = "webhook"

    def __init__(
        self, url: str, session: requests.Session | None = None, timeout_s: float = 5.0
    ) -> None:
        self.url = url
        self._session = session or requests.Session()
        self._timeout = timeout_s

    def notify(self, transition: AlertTransition, context: AlertContext) -> None:
        post_json(self._session, self.url, transition_document(transition, context), self._timeout)
