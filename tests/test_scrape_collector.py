"""The scrape collector reads a real /metrics page; a bad page is refused whole, with its reason."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.pages import Answer, page_server
from vigie.collectors.base import SourceFailure
from vigie.collectors.cycle import run_cycle
from vigie.collectors.scrape import ScrapeCollector
from vigie.plan import Plan
from vigie.store import Store

GOOD_PAGE = b"""\
# HELP exam_sessions_active Students with a live exam session
# TYPE exam_sessions_active gauge
exam_sessions_active{faculty="alpha",wave="1"} 12
exam_sessions_active{faculty="beta",wave="1"} 30
exam_sessions_active{faculty="zeta",wave="1"} 99
# TYPE exam_server_connections gauge
exam_server_connections{server="gw"} 84
"""


@pytest.fixture
def page(small_plan: Plan) -> Iterator[tuple[ScrapeCollector, Answer]]:
    with page_server() as (url, answer):
        source = small_plan.sources[0].model_copy(update={"url": url, "timeout_s": 1.0})
        yield ScrapeCollector(small_plan, source), answer


def test_a_good_page_becomes_the_plan_signals(page: tuple[ScrapeCollector, Answer]) -> None:
    collector, answer = page
    answer.body = GOOD_PAGE
    got = {(s.name, s.labels): s.value for s in collector.collect(50.0)}
    assert got == {
        ("sessions_active", (("faculty", "alpha"),)): 12,
        ("sessions_active", (("faculty", "beta"),)): 30,
        ("server_connections", (("server", "gw"),)): 84,
    }  # "zeta" is not a faculty of the plan: not stored


@pytest.mark.parametrize(
    ("status", "content_type", "body", "reason"),
    [
        (200, "text/plain", b"hello world\n", "not the Prometheus text format"),
        (200, "text/html", b"<html><body>502 Bad Gateway</body></html>", "got text/html"),
        (200, "text/plain", b"<html><body>oops</body></html>\n", "not the Prometheus text format"),
        (500, "text/plain", b"internal error", "HTTP 500 from"),
        (200, "text/plain", b"\xff\xfe\x00garbage", "not UTF-8"),
        (
            200,
            "text/plain",
            GOOD_PAGE + b'exam_server_connections{server="gw" 1\n',
            "not the Prometheus",
        ),
        (200, "text/plain", b"# " + b"x" * (10 * 1024 * 1024), "is 10.0 MB, over the 4 MB limit"),
    ],
    ids=["garbage", "html-type", "html-as-text", "http-500", "binary", "truncated", "10-MB"],
)
def test_a_bad_page_is_refused_whole_with_its_reason(
    page: tuple[ScrapeCollector, Answer],
    sqlite_store: Store,
    status: int,
    content_type: str,
    body: bytes,
    reason: str,
) -> None:
    collector, answer = page
    answer.status, answer.content_type, answer.body = status, content_type, body
    with pytest.raises(SourceFailure, match=reason):
        collector.collect(50.0)
    exercise = sqlite_store.create_exercise(
        plan_id="small-drill", name="x", mode="live", plan_toml="", t0=0.0
    )
    result = run_cycle(sqlite_store, exercise, [collector], 50.0)
    assert reason.split(":")[0] in result.failures["platform"]
    assert sqlite_store.latest(exercise, "sessions_active", 60.0) == {}  # nothing half-stored


def test_an_unreachable_page_says_so(small_plan: Plan) -> None:
    with page_server() as (url, _):
        pass  # the server is gone once the block ends
    source = small_plan.sources[0].model_copy(update={"url": url})
    with pytest.raises(SourceFailure, match="cannot connect to"):
        ScrapeCollector(small_plan, source).collect(0.0)


def test_a_page_over_the_limit_says_its_size_and_to_read_it_through_prometheus(
    page: tuple[ScrapeCollector, Answer], sqlite_store: Store
) -> None:
    collector, answer = page
    answer.body = GOOD_PAGE + b"# " + b"x" * (5 * 1024 * 1024)
    exercise = sqlite_store.create_exercise(
        plan_id="small-drill", name="x", mode="live", plan_toml="", t0=0.0
    )
    result = run_cycle(sqlite_store, exercise, [collector], 50.0)
    reason = result.failures["platform"]
    assert reason.startswith("the page is 5.0 MB, over the 4 MB limit: refused.")
    assert "through a Prometheus" in reason and "sum by (faculty)" in reason
    (health,) = sqlite_store.source_health(exercise)
    assert not health.up
    assert sqlite_store.latest(exercise, "sessions_active", 60.0) == {}


def test_a_page_without_a_length_is_read_up_to_the_limit_then_refused(
    page: tuple[ScrapeCollector, Answer],
) -> None:
    collector, answer = page
    answer.declare_length = False
    answer.body = GOOD_PAGE + b"# " + b"x" * (5 * 1024 * 1024)
    with pytest.raises(SourceFailure) as refused:
        collector.collect(50.0)
    assert refused.value.reason.startswith("the page is over the 4 MB limit (read up to there)")
    assert "through a Prometheus" in refused.value.reason
    answer.body = GOOD_PAGE  # an undeclared length under the limit reads whole
    assert len(collector.collect(51.0)) == 3
