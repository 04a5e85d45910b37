"""Probe the exam platform from a faculty: HTTP latency and status of given URLs."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import requests

from vigie.series import Sample


class HttpProbe:
    def __init__(
        self,
        source: str,
        targets: Sequence[str],
        session: requests.Session | None = None,
        timeout_s: float = 5.0,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._source = source
        self._targets = list(targets)
        self._session = session or requests.Session()
        self._timeout = timeout_s
        self._timer = timer

    @property
    def name(self) -> str:
        return f"probe:{len(self._targets)} targets"

    @property
    def source(self) -> str:
        return self._source

    def collect(self, now: float) -> Sequence[Sample]:
        samples = []
        for target in self._targets:
            status, seconds = self._probe(target)
            labels = (("target", target),)
            samples += [
                Sample("probe_success", labels, now, 1.0 if 200 <= status < 400 else 0.0),
                Sample("probe_http_status", labels, now, float(status)),
                Sample("probe_duration_seconds", labels, now, seconds),
            ]
        return samples

    def _probe(self, target: str) -> tuple[int, float]:
        """(HTTP status or 0 when there was no answer, seconds taken)."""
        started = self._timer()
        try:
            response = self._session.get(target, timeout=self._timeout, allow_redirects=False)
            response.close()
            return response.status_code, self._timer() - started
        except requests.RequestException:
            return 0, self._timer() - started
