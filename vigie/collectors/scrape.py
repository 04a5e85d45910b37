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

# 2,000 series weigh ~150 kB; a national platform's page reaches 4 MB around 19,000
# sites, where parsing it costs more than a poll: past that, a Prometheus reads it.
MAX_PAGE_BYTES = 4 * 1024 * 1024
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
        """raises SourceFailure naming the size when the page is over the limit: from
        its Content-Length before reading it, or once the limit is read."""
        limit = _mb(self._max_bytes)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise SourceFailure(too_large(f"{_mb(int(declared))}, over the {limit} limit"))
        chunks, size = [], 0
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > self._max_bytes:
                raise SourceFailure(too_large(f"over the {limit} limit (read up to there)"))
            chunks.append(chunk)
        return b"".join(chunks)


def too_large(size: str) -> str:
    return (
        f"the page is {size}: refused. Read a page this large through a Prometheus "
        "(a source of kind prometheus, with PromQL signals aggregated there, such as "
        "sum by (faculty))"
    )


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size % 2**20 else f"{size // 2**20} MB"


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__
