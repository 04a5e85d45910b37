"""`vigie import`: backfill an exercise from a Prometheus's range queries.

Each signal of the plan's Prometheus sources is read with `custom_query_range`,
chunk by chunk, and mapped onto the plan's ids exactly as the live collector maps
an instant result (`vigie.collectors.mapping`). A chunk is one transaction of
samples, then the alert engine and the per-tick state at each of its steps, as
the live collecting process does after each poll: the screens and the review
replay an import like any other exercise.

Resuming: the exercise is found again by plan, mode "import" and name (which
holds the span), unended; the newest per-tick state says how far it got, and the
chunk holding it is read again. Writing a sample twice is a no-op, so nothing is
duplicated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from vigie.alerts.engine import AlertEngine
from vigie.collectors.cycle import CycleResult
from vigie.collectors.import_span import DEFAULT_CHUNK_STEPS, ImportRefused, Span
from vigie.collectors.mapping import Accumulator, Route, UnknownIdLog
from vigie.collectors.prometheus import QueryFailed, connect, failures_as_reasons, number
from vigie.exporters.expand import signals_of
from vigie.plan.model import Plan, Source, SourceKind
from vigie.series import Sample
from vigie.store import Store
from vigie.tick.recorder import TickRecorder


@dataclass(frozen=True)
class ImportRun:
    exercise_id: int
    resumed_from: float | None  # the newest state already kept, when resumed
    samples: int  # samples read in this run (some may have been stored already)


class PrometheusRange:
    """The plan's PromQL signals over a span, for one Prometheus."""

    def __init__(self, plan: Plan, url: str, timeout_s: float = 30.0) -> None:
        sources = [s for s in plan.sources if s.kind is SourceKind.PROMETHEUS]
        if not sources:
            raise ImportRefused("the plan has no prometheus source to import from")
        ids = {s.id for s in sources}
        self._source = Source(id=sources[0].id, kind=SourceKind.PROMETHEUS, url=url)
        self._source = self._source.model_copy(update={"timeout_s": timeout_s})
        self._queries = [
            (signal.query, Route.of(signal, plan))
            for signal in signals_of(plan)
            if signal.source in ids and signal.query is not None
        ]
        self._client = connect(self._source)
        self._unknown = UnknownIdLog(self._source.id)

    def reachable(self) -> bool:
        try:
            return bool(self._client.check_prometheus_connection())
        except Exception:  # whatever the reason, the line to print is the same
            return False

    def read(self, start: float, end: float, step: float) -> dict[int, list[Sample]]:
        """Samples by instant (ms) in [start, end]. raises QueryFailed naming the signal."""
        by_instant: dict[int, Accumulator] = defaultdict(Accumulator)
        for query, route in self._queries:
            try:
                result = self._range(query, start, end, step)
                _add(by_instant, route, result)
            except QueryFailed as exc:
                raise type(exc)(f"{route.signal}: {exc}") from exc  # refused stays refused
        samples: dict[int, list[Sample]] = {}
        for ms, acc in sorted(by_instant.items()):
            mapped = acc.result(ms / 1000)
            self._unknown.report(mapped.unknown_ids)
            samples[ms] = mapped.samples
        return samples

    def _range(self, query: str, start: float, end: float, step: float) -> Any:
        with failures_as_reasons(self._source):
            return self._client.custom_query_range(
                query,
                start_time=datetime.fromtimestamp(start, UTC),
                end_time=datetime.fromtimestamp(end, UTC),
                step=f"{step:g}",
            )


def _add(by_instant: dict[int, Accumulator], route: Route, result: Any) -> None:
    if not isinstance(result, list):
        raise QueryFailed(f"unexpected result {type(result).__name__}")
    for series in result:
        if not isinstance(series, dict) or "values" not in series:
            raise QueryFailed("unexpected result: not a range of values")
        labels = series.get("metric", {})
        for at, text in series["values"]:
            by_instant[round(float(at) * 1000)].add(route, labels, number(text))


def import_name(plan: Plan, span: Span) -> str:
    """The exercise's name; it holds the span, so a resumed run finds the same one."""
    first = datetime.fromtimestamp(span.start, UTC).isoformat(timespec="seconds")
    last = datetime.fromtimestamp(span.end, UTC).isoformat(timespec="seconds")
    return f"{plan.exercise.name} (imported {first} to {last}, step {span.step:g} s)"


def import_t0(plan: Plan, span: Span) -> float:
    """T+0: the plan's start when the span holds it, else the span's start."""
    starts_at = plan.exercise.starts_at
    if starts_at is not None and span.start <= starts_at.timestamp() <= span.end:
        return starts_at.timestamp()
    return span.start


def unfinished_import(store: Store, plan: Plan, name: str) -> int | None:
    for record in store.exercises():  # newest first
        if (record.plan_id, record.mode, record.name, record.ended) == (
            plan.exercise.id,
            "import",
            name,
            None,
        ):
            return record.id
    return None


def run_import(
    plan: Plan,
    plan_toml: str,
    store: Store,
    source: PrometheusRange,
    span: Span,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
    progress: Callable[[int], None] = lambda steps: None,
    max_chunks: int | None = None,
) -> ImportRun:
    """Import the span into a new exercise, or go on with the unfinished one.

    `progress` is told how many steps each advance covered (the resumed ones at
    once). `max_chunks` stops after that many chunks, as an interruption would.
    raises QueryFailed (the exercise is kept, unfinished, to be resumed).
    """
    name = import_name(plan, span)
    exercise_id = unfinished_import(store, plan, name)
    resumed_from: float | None = None
    first = 0
    if exercise_id is None:
        t0 = import_t0(plan, span)
        exercise_id = store.create_exercise(
            plan_id=plan.exercise.id, name=name, mode="import", plan_toml=plan_toml, t0=t0
        )
    else:
        record = store.exercise(exercise_id)
        assert record is not None
        t0 = record.t0
        kept = store.ticks.at(exercise_id, span.end)
        if kept is not None:
            resumed_from = kept[0]
            first = round((kept[0] - span.start) / span.step) + 1
    engine = AlertEngine(plan, store, exercise_id, t0, span.step)
    if resumed_from is not None:
        engine.prime(resumed_from)
    recorder = TickRecorder(store, exercise_id, engine)
    progress(first)
    read = 0
    for done, (begin, end) in enumerate(span.chunks(chunk_steps, first)):
        if max_chunks is not None and done >= max_chunks:
            return ImportRun(exercise_id, resumed_from, read)
        by_instant = source.read(span.at(begin), span.at(end), span.step)
        chunk = [s for samples in by_instant.values() for s in samples]
        store.write_cycle(exercise_id, chunk)  # one transaction per chunk
        read += len(chunk)
        for index in range(max(begin, first), end + 1):
            now = span.at(index)
            recorder.after_cycle(now, CycleResult(by_instant.get(round(now * 1000), [])))
            progress(1)
    store.end_exercise(exercise_id, span.end)
    return ImportRun(exercise_id, resumed_from, read)
