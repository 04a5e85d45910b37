"""A national exam platform's /metrics page for any number of sites, with every value known.

The page holds the series the seed plan's signals read (sessions per faculty, each
server's connections, ...), each split over two rooms or instances, so a plan that
reads it through Prometheus must aggregate (`sum by (faculty)`) to get one value per
site. Used by the real-Prometheus scale test and the collection benchmark.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable

from vigie.plan.model import Plan, Signal, Source, SourceKind
from vigie.series import Labels, Sample

PARTS = ("a", "b")  # every site's and server's value is the sum of two series
GENERATION = "national_page_generation"  # a gauge saying which page Prometheus scraped
Truth = dict[tuple[str, Labels], float]


def page_signals(plan: Plan) -> list[Signal]:
    """The plan's signals that read a metric per faculty or server (the seed's: all seven)."""
    return [s for s in plan.signals if s.metric is not None and s.entity.value != "exercise"]


def ids_of(plan: Plan, signal: Signal) -> list[str]:
    about = plan.faculties if signal.entity.value == "faculty" else plan.servers
    return [entity.id for entity in about]


def page_text(plan: Plan, generation: int) -> str:
    """The page: integer values (sums of them are exact), different per site, signal
    and generation, so a value read for the wrong site or from an old scrape shows."""
    lines = [f"# TYPE {GENERATION} gauge", f"{GENERATION} {generation}"]
    for s, signal in enumerate(page_signals(plan)):
        lines.append(f"# TYPE {signal.metric} gauge")
        label = signal.id_label
        for i, entity_id in enumerate(ids_of(plan, signal)):
            for p, part in enumerate(PARTS):
                value = (generation * 7919 + i * 31 + s * 1009 + p * 7) % 100_003
                lines.append(f'{signal.metric}{{{label}="{entity_id}",part="{part}"}} {value}')
    return "\n".join(lines) + "\n"


SERIES_LINE = re.compile(r'^(\w+)\{(\w+)="([^"]+)",part="\w+"\} (\S+)$')


def page_says(plan: Plan, page: str) -> Truth:
    """What the page says each stored series is: its series summed per id, read back
    from the text itself (a strict reading of the lines `page_text` writes: a line
    that does not read is an error, not skipped)."""
    by_metric = {s.metric: s for s in page_signals(plan)}
    truth: Truth = defaultdict(float)
    for line in page.splitlines():
        if line.startswith("#") or line.startswith(GENERATION):
            continue
        found = SERIES_LINE.match(line)
        assert found is not None, line
        metric, label, entity_id, value = found.groups()
        signal = by_metric[metric]
        assert label == signal.id_label, line
        truth[(signal.name, ((signal.entity.value, entity_id),))] += float(value)
    return dict(truth)


def read_through_prometheus(plan: Plan, url: str, timeout_s: float = 5.0) -> Plan:
    """The plan with its page signals read from a Prometheus at `url`, aggregated there."""
    source = Source(id="prom", kind=SourceKind.PROMETHEUS, url=url, timeout_s=timeout_s)
    signals = tuple(
        Signal(
            name=s.name,
            source="prom",
            entity=s.entity,
            query=f"sum by ({s.id_label}) ({s.metric})",
            label=s.label,
        )
        for s in page_signals(plan)
    )
    return plan.model_copy(update={"sources": (source,), "signals": signals})


def read_off_the_page(plan: Plan, url: str, timeout_s: float = 5.0) -> Plan:
    """The plan with its page signals scraped straight from `url` (summed by Vigie)."""
    source = Source(id="page", kind=SourceKind.SCRAPE, url=url, timeout_s=timeout_s)
    signals = tuple(s.model_copy(update={"source": "page"}) for s in page_signals(plan))
    return plan.model_copy(update={"sources": (source,), "signals": signals})


def prometheus_answers(plan: Plan, truth: Truth, at: float) -> dict[str, bytes]:
    """What a Prometheus answers each of `read_through_prometheus`'s queries, as JSON."""
    answers: dict[str, bytes] = {}
    for signal in read_through_prometheus(plan, "").signals:
        result = [
            {"metric": dict(labels), "value": [at, _number(value)]}
            for (name, labels), value in truth.items()
            if name == signal.name
        ]
        body = {"status": "success", "data": {"resultType": "vector", "result": result}}
        assert signal.query is not None
        answers[signal.query] = json.dumps(body).encode()
    return answers


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def values_of(samples: Iterable[Sample]) -> Truth:
    return {(s.name, s.labels): s.value for s in samples}
