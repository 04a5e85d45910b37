"""Read the plan's PromQL signals from a Prometheus (or anything that speaks its API).

Each signal is one instant query at the poll instant. Aggregations belong to the
engine (`sum by (faculty) (...)`): its answer is taken as it is, one sample per
series, nothing summed here, so an answer of 3,000 series costs 3,000 look-ups and
Samples. An answer with two series for one stored series (a query that forgot to
aggregate, or replicas a Thanos did not deduplicate) is refused, never silently
added up. A query that fails (bad PromQL, HTTP error, timeout) is reported with its
reason and the others still run: the source is then marked down, with whatever the
other signals gave.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from math import isfinite
from typing import Any

import requests
from prometheus_api_client import PrometheusConnect
from prometheus_api_client.exceptions import PrometheusApiClientException
from urllib3.util.retry import Retry

from vigie.collectors.base import SourceFailure
from vigie.collectors.mapping import (
    Route,
    Unknown,
    UnknownIdLog,
    shared_names,
    summed_across_routes,
)
from vigie.exporters.expand import signals_of
from vigie.plan.model import Plan, Source
from vigie.series import Sample


class QueryFailed(Exception):
    """A query gave no usable answer; the message says why, in one line."""


class QueryRefused(QueryFailed):
    """Prometheus refused the query itself (HTTP 400 or 422: bad PromQL): the plan's
    fault, where any other failure is the source's."""


REFUSED_STATUSES = frozenset({400, 422})


class PrometheusCollector:
    def __init__(self, plan: Plan, source: Source, session: requests.Session | None = None) -> None:
        self._source = source
        self._unknown = UnknownIdLog(source.id)
        self._queries = [
            (signal.query, Route.of(signal, plan))
            for signal in signals_of(plan)
            if signal.source == source.id and signal.query is not None
        ]
        self._shared = shared_names(route for _, route in self._queries)
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
        samples: list[Sample] = []
        unknown: Unknown = defaultdict(set)
        failures: dict[str, list[str]] = {}
        for query, route in self._queries:
            try:
                samples += samples_of(route, self._query(query), now, unknown)
            except QueryFailed as exc:
                failures.setdefault(str(exc), []).append(route.signal)
        self._unknown.report(unknown)
        samples = summed_across_routes(samples, self._shared)
        if failures:
            raise SourceFailure(_describe(failures, len(self._queries)), samples)
        return samples

    def _query(self, query: str) -> Any:
        with failures_as_reasons(self._source):
            # Evaluated at Prometheus's own "now": a skew between its clock and ours
            # must not make a live query miss the newest scrape.
            return self._client.custom_query(query)


def samples_of(route: Route, result: Any, at: float, unknown: Unknown) -> list[Sample]:
    """The engine's answer (an instant vector or a scalar) as the route's samples.

    NaN and infinities are dropped. raises QueryFailed when the answer is not an
    instant vector or a scalar of numbers, or when two of its series would be one
    stored series.
    """
    if _is_scalar(result):
        if route.id_label is not None:
            raise QueryFailed(f"returned a scalar, but the signal is per {route.entity}")
        value = number(result[1])
        return [Sample(route.signal, route.stored[0], at, value)] if isfinite(value) else []
    if not isinstance(result, list):
        raise QueryFailed(f"unexpected result {type(result).__name__}")
    name, stored, slots, direct = route.signal, route.stored, route.slots, route.direct
    taken = bytearray(len(stored))  # which stored series this answer already gave
    samples: list[Sample] = []
    append = samples.append  # the loop below runs once per series: kept lean
    for series in result:
        try:
            labels, text = series.get("metric", {}), series["value"][1]
        except (AttributeError, KeyError, IndexError, TypeError) as exc:
            raise QueryFailed("returned a range vector; give an instant query") from exc
        value = number(text)
        slot = slots.get(labels.get(direct, "")) if direct else None
        if slot is None:
            slot = route.slot(labels, unknown)  # the general case; notes an unknown id
            if slot is None:
                continue
        if taken[slot]:
            raise QueryFailed(_twice(route, slot))
        taken[slot] = 1
        if isfinite(value):
            append(Sample(name, stored[slot], at, value))
    return samples


def _twice(route: Route, slot: int) -> str:
    if route.id_label is None:
        return "returned several series for one value: aggregate them in the query (sum(...))"
    return (
        f"returned several series for {route.entity} {route.entity_id(slot)!r}: aggregate "
        f"them in the query (sum by ({route.id_label}) (...))"
    )


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
        status, reason = _api_error(str(exc))
        refused = status in REFUSED_STATUSES
        raise (QueryRefused if refused else QueryFailed)(reason) from exc
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


def _api_error(message: str) -> tuple[int | None, str]:
    """The HTTP status of prometheus-api-client's error (it keeps it only in its text)
    and Prometheus's own error text ("parse error at char 5: ...") with it."""
    found = _STATUS.search(message)
    status = int(found.group(1)) if found else None
    code = "?" if status is None else str(status)
    start, end = message.find("{"), message.rfind("}")
    if start != -1 and end > start:
        try:
            body = json.loads(message[start : end + 1].encode().decode("unicode_escape"))
            return status, f"HTTP {code}: {body.get('error', 'error')}"
        except ValueError:
            pass
    return status, f"HTTP {code}"
