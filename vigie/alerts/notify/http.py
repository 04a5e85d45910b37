"""POST JSON and sort the outcome into delivered, retry later, or give up."""

from __future__ import annotations

from typing import Any

import requests

from vigie.alerts.notify.base import NotifyError

RETRYABLE_STATUS = frozenset({408, 425, 429})


def post_json(session: requests.Session, url: str, document: Any, timeout_s: float) -> None:
    """raises NotifyError: permanent for a 4xx the receiver will always give, else retryable."""
    try:
        response = session.post(url, json=document, timeout=timeout_s)
    except requests.RequestException as exc:
        raise NotifyError(f"{url} unreachable: {type(exc).__name__}") from exc
    if response.status_code < 300:
        return
    detail = f"HTTP {response.status_code} from {url}: {response.text[:200]}"
    permanent = 400 <= response.status_code < 500 and response.status_code not in RETRYABLE_STATUS
    raise NotifyError(detail, permanent=permanent)
