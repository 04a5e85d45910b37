"""The Prometheus source at national scale: a real Prometheus holding 3,000 sites' series.

A generated national page (two series per site and signal) is scraped every second
by Prometheus; Vigie's collector reads it with `sum by (faculty)` queries and must
get every site's value as the page says it, in one instant query per signal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import require
from tests.support.national import (
    GENERATION,
    page_says,
    page_text,
    read_through_prometheus,
    values_of,
)
from tests.support.pages import Answer, page_server
from tests.support.prometheus import PrometheusServer, prometheus_binary
from vigie.collectors.base import SourceFailure
from vigie.collectors.prometheus import PrometheusCollector
from vigie.plan import Plan
from vigie.plan.model import Entity, Signal
from vigie.plan.scaled import scaled_plan

SITES = 3000
NOW = 1_700_000_000.0


@dataclass
class National:
    plan: Plan
    page: Answer
    prometheus: PrometheusServer

    def serve(self, generation: int) -> str:
        """Put up the page of `generation` and wait until Prometheus has scraped it."""
        text = page_text(self.plan, generation)
        self.page.body = text.encode()
        self.prometheus.wait_for(GENERATION, generation, timeout=15)
        return text


@pytest.fixture(scope="module")
def national(seed_plan: Plan) -> Iterator[National]:
    require(
        prometheus_binary() is not None, "Prometheus is not installed (apt-get install prometheus)"
    )
    plan = scaled_plan(seed_plan, SITES)
    with page_server() as (url, page):
        page.body = page_text(plan, 0).encode()
        prometheus = PrometheusServer([url.removeprefix("http://").removesuffix("/metrics")])
        prometheus.start()
        try:
            yield National(plan, page, prometheus)
        finally:
            prometheus.cleanup()


def instant_queries_served(prometheus: PrometheusServer) -> float:
    """How many /api/v1/query requests Prometheus has answered, from its own /metrics."""
    text = requests.get(f"{prometheus.url}/metrics", timeout=5).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "prometheus_http_requests_total"
        and sample.labels.get("handler") == "/api/v1/query"
    )


def test_every_one_of_3000_sites_is_read_as_the_page_says_in_one_query_per_signal(
    national: National,
) -> None:
    plan = read_through_prometheus(national.plan, national.prometheus.url)
    collector = PrometheusCollector(plan, plan.sources[0])
    for generation in (1, 2):  # a second page: values are read anew, none kept from before
        truth = page_says(national.plan, national.serve(generation))
        before = instant_queries_served(national.prometheus)
        samples = collector.collect(NOW)
        assert instant_queries_served(national.prometheus) - before == len(plan.signals)
        got = values_of(samples)
        assert len(samples) == len(got) == len(truth) == SITES * 3 + 6 * 4
        assert got == truth
        assert {s.at for s in samples} == {NOW}


def test_a_query_that_forgot_to_aggregate_is_refused_naming_a_site(national: National) -> None:
    signal = Signal(name="sessions_active", source="prom", entity=Entity.FACULTY, query="x")
    plan = read_through_prometheus(national.plan, national.prometheus.url)
    plan = plan.model_copy(
        update={"signals": (signal.model_copy(update={"query": "exam_sessions_active"}),)}
    )
    national.serve(3)
    with pytest.raises(SourceFailure) as refused:
        PrometheusCollector(plan, plan.sources[0]).collect(NOW)
    reason = refused.value.reason
    assert reason.startswith("returned several series for faculty ")
    assert "aggregate them in the query (sum by (faculty) (...))" in reason
    assert refused.value.samples == []  # refused whole, never half the sites
