"""Read the plan's PromQL signals from a Prometheus (or anything that speaks its API).

Each signal is one instant query at the poll instant. A query that fails (bad
PromQL, HTTP error, timeout) is reported with its reason and the others still
run: the source is then marked down, with whatever the other signals gave.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import requests
from prometheus_api_client import PrometheusConnect
from prometheus_api_client.exceptions import PrometheusApiClientException
from urllib3.util.retry import Retry

from vigie.collectors.base import SourceFailure
from vigie.collectors.mapping import Accumulator, Route, UnknownIdLog
from vigie.exporters.expand import signals_of
from vigie.plan.model import Plan, Source
from vigie.series import Sample


class QueryFailed(Exception):
    pass


class PrometheusCollector:
    def __init__(self, plan: Plan, source: Source, session: requests.Session | None = None) -> None:
        self._source = source
        self._unknown = UnknownIdLog(source.id)
        self._queries = [
            (signal.query, Route.of(signal, plan))
            for signal in signals_of(plan)
            if signal.source == source.id and signal.query is not None
        ]
        # No retries inside a poll: the next poll is the retry, and a retry
        # loop here is how a slow Prometheus piles up work.
        self._client = connect(source, session)

    @property
    def name(self) -> str:
        return f"prometheus:{self._source.url}"

    @property
    def source(self) -> str:
        return self._source.id

    def collect(self, now: float) -> Sequence[Sample]:
        acc = Accumulator()
        failures: dict[str, list[str]] = {}
        for query, route in self._queries:
            try:
                self._add_result(acc, route, self._query(query))
            except QueryFailed as exc:
                failures.setdefault(str(exc), []).append(route.signal)
        mapped = acc.result(now)
        self._unknown.report(mapped.unknown_ids)
        samples = mapped.samples
        if failures:
            raise SourceFailure(_describe(failures, len(self._queries)), samples)
        return samples

    def _query(self, query: str) -> Any:
        with failures_as_reasons(self._source):
            # Evaluated at Prometheus's own "now": a skew between its clock and ours
            # must not make a live query miss the newest scrape.
            return self._client.custom_query(query)

    def _add_result(self, acc: Accumulator, route: Route, result: Any) -> None:
        if _is_scalar(result):
            if route.id_label is not None and route.fixed is None:
                raise QueryFailed(f"returned a scalar, but the signal is per {route.entity}")
            acc.add(route, {}, number(result[1]))
            return
        if not isinstance(result, list):
            raise QueryFailed(f"unexpected result {type(result).__name__}")
        for series in result:
            if not isinstance(series, dict) or "value" not in series:
                raise QueryFailed("returned a range vector; give an instant query")
            acc.add(route, series.get("metric", {}), number(series["value"][1]))


def connect(source: Source, session: requests.Session | None = None) -> PrometheusConnect:
    """A client that never retries (the caller decides) and waits `timeout_s` per request."""
    return PrometheusConnect(
        url=source.url,
        # read=False: a read timeout is raised as itself, not as "max retries".
        retry=Retry(total=0, read=False),
        session=session,
        timeout=source.timeout_s,
    )


@contextmanager
def failures_as_reasons(source: Source) -> Iterator[None]:
    """raises QueryFailed with one line saying why a request to `source` failed."""
    try:
        yield
    except requests.Timeout as exc:
        raise QueryFailed(f"no answer within {source.timeout_s:g} s") from exc
    except requests.ConnectionError as exc:
        raise QueryFailed(f"cannot connect to {source.url}") from exc
    except requests.RequestException as exc:
        raise QueryFailed(f"request failed: {type(exc).__name__}") from exc
    except PrometheusApiClientException as exc:
        raise QueryFailed(_api_error(str(exc))) from exc
    except ValueError as exc:  # a body that is not JSON
        raise QueryFailed("the answer is not Prometheus JSON") from exc


def _describe(failures: dict[str, list[str]], queries: int) -> str:
    """One reason per cause: "cannot connect to ..." once, not once per signal."""
    if len(failures) == 1 and len(next(iter(failures.values()))) == queries:
        return next(iter(failures))
    return "; ".join(f"{', '.join(signals)}: {reason}" for reason, signals in failures.items())


def _is_scalar(result: Any) -> bool:
    return (
        isinstance(result, list)
        and len(result) == 2
        and isinstance(result[0], int | float)
        and isinstance(result[1], str)
    )


def number(text: Any) -> float:
    try:
        return float(text)
    except (TypeError, ValueError) as exc:
        raise QueryFailed(f"value {str(text)[:40]!r} is not a number") from exc


_STATUS = re.compile(r"HTTP Status Code (\d+)")


def _api_error(message: str) -> str:
    """Prometheus's own error text ("parse error at char 5: ...") with the HTTP status."""
    status = _STATUS.search(message)
    code = status.group(1) if status else "?"
    start, end = message.find("{"), message.rfind("}")
    if start != -1 and end > start:
        try:
            body = json.loads(message[start : end + 1].encode().decode("unicode_escape"))
            return f"HTTP {code}: {body.get('error', 'error')}"
        except ValueError:
            pass
    return f"HTTP {code}"
