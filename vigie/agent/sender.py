"""Push spooled batches to the central, oldest first, until one does not go through."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import requests

from vigie.agent.spool import Spool
from vigie.collectors.push_endpoint import PUSH_PATH

log = logging.getLogger(__name__)


# Answers about the batch itself: sending it again can never succeed.
PAYLOAD_REFUSED = frozenset({400, 403, 413, 415, 422})


class Outcome(StrEnum):
    SENT = "sent"
    REFUSED = "refused"  # a 4xx: resending the same batch can never succeed
    UNREACHABLE = "unreachable"  # no answer, a 5xx or a 429: try again later


@dataclass
class FlushReport:
    sent: int = 0
    refused: int = 0
    unreachable: bool = False


class Sender:
    def __init__(
        self,
        central: str,
        token: str,
        session: requests.Session | None = None,
        timeout_s: float = 5.0,
    ) -> None:
        self._url = central.rstrip("/") + PUSH_PATH
        self._token = token
        self._session = session or requests.Session()
        self._timeout = timeout_s

    def send(self, payload: bytes) -> tuple[Outcome, str]:
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        }
        try:
            response = self._session.post(
                self._url, data=payload, headers=headers, timeout=self._timeout
            )
        except requests.RequestException as exc:
            return Outcome.UNREACHABLE, f"{type(exc).__name__}"
        if response.status_code == 200:
            return Outcome.SENT, ""
        message = f"HTTP {response.status_code}: {response.text[:300]}"
        if response.status_code in PAYLOAD_REFUSED:
            return Outcome.REFUSED, message
        # Anything else (no exercise yet, a token being replaced, a proxy's 404 during a
        # deploy, 5xx) may pass later: keep the batch and try again.
        return Outcome.UNREACHABLE, message

    def flush(
        self, spool: Spool, budget_s: float, timer: Callable[[], float] = time.monotonic
    ) -> FlushReport:
        """Send the backlog in order within `budget_s`; stop at the first failure to reach."""
        report = FlushReport()
        deadline = timer() + budget_s
        for batch in spool.pending():
            if timer() > deadline:
                break
            outcome, message = self.send(batch.read_bytes())
            if outcome is Outcome.SENT:
                spool.sent(batch)
                report.sent += 1
            elif outcome is Outcome.REFUSED:
                log.error("central refused batch %s: %s (set aside)", batch.name, message)
                spool.reject(batch)
                report.refused += 1
            else:
                log.warning("central unreachable (%s); %d batches wait", message, spool.count())
                report.unreachable = True
                break
        return report
