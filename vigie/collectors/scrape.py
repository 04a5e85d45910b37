"""Read a /metrics page in the Prometheus text format, for exporters without a Prometheus.

The whole page is fetched, size-checked and parsed before anything is mapped, so
a truncated, oversized or garbled page is rejected whole with its reason: never
half stored.
"""

from __future__ import annotations

from collections.abc import Sequence

import requests
from prometheus_client.parser import text_string_to_metric_families

from vigie.collectors.base import SourceFailure
from vigie.collectors.mapping import SignalMapper, UnknownIdLog
from vigie.plan.model import Plan, Source
from vigie.series import Sample

MAX_PAGE_BYTES = 4 * 1024 * 1024  # 2,000 series weigh ~150 kB; 4 MB is a broken exporter
TEXT_TYPES = ("text/plain", "application/openmetrics-text", "")


class ScrapeCollector:
    def __init__(
        self,
        plan: Plan,
        source: Source,
        session: requests.Session | None = None,
        max_bytes: int = MAX_PAGE_BYTES,
    ) -> None:
        self._source = source
        self._mapper = SignalMapper(plan, source.id)
        self._unknown = UnknownIdLog(source.id)
        self._session = session or requests.Session()
        self._max_bytes = max_bytes

    @property
    def name(self) -> str:
        return f"scrape:{self._source.url}"

    @property
    def source(self) -> str:
        return self._source.id

    def collect(self, now: float) -> Sequence[Sample]:
        page = self._fetch()
        try:
            families = list(text_string_to_metric_families(page))
        except Exception as exc:  # the parser raises ValueError and others on bad text
            raise SourceFailure(f"not the Prometheus text format: {_first_line(exc)}") from exc
        mapped = self._mapper.map(families, now)
        self._unknown.report(mapped.unknown_ids)
        return mapped.samples

    def _fetch(self) -> str:
        url, timeout = self._source.url, self._source.timeout_s
        try:
            with self._session.get(url, timeout=timeout, stream=True) as response:
                if response.status_code != 200:
                    raise SourceFailure(f"HTTP {response.status_code} from {url}")
                kind = response.headers.get("Content-Type", "").split(";")[0].strip()
                if kind not in TEXT_TYPES:
                    raise SourceFailure(f"expected the Prometheus text format, got {kind}")
                body = self._read_bounded(response)
        except requests.Timeout as exc:
            raise SourceFailure(f"no answer from {url} within {timeout:g} s") from exc
        except requests.ConnectionError as exc:
            raise SourceFailure(f"cannot connect to {url}") from exc
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceFailure("the page is not UTF-8 text") from exc

    def _read_bounded(self, response: requests.Response) -> bytes:
        chunks, size = [], 0
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > self._max_bytes:
                raise SourceFailure(
                    f"the page is over {self._max_bytes // (1024 * 1024)} MB: refused"
                )
            chunks.append(chunk)
        return b"".join(chunks)


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__
