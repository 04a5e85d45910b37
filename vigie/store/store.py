"""The store: the only code in Vigie that knows SQL.

Writes go in one transaction per poll cycle, so a crash loses at most the
cycle in flight. Writing the same sample twice is a no-op, so a resumed import
or a retried batch never duplicates anything.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    func,
    literal,
    select,
    true,
    update,
)

from vigie.series import Labels, Sample
from vigie.source_health import UP_AT_LEAST
from vigie.store.accounts_store import AccountStore
from vigie.store.alerts_store import AlertStore
from vigie.store.database import open_engine
from vigie.store.learned_store import LearnedStore
from vigie.store.lease_store import LeaseStore
from vigie.store.records import (
    AgentToken,
    Annotation,
    AnnotationKind,
    Decision,
    ExerciseRecord,
    HealthUpdate,
    Point,
    SourceHealth,
    from_ms,
    labels_from_key,
    labels_key,
    to_ms,
)
from vigie.store.reductions import SeriesReductions
from vigie.store.sample_layout import (
    SampleLayout,
    both,
    fold_all,
    insert_ignoring_duplicates,
    of_series,
)
from vigie.store.sample_writer import SampleRow
from vigie.store.schema import (
    agent_tokens,
    alert_transitions,
    exercise_annotations,
    exercises,
    recent_samples,
    samples,
    series,
    source_health,
)
from vigie.store.ticks_store import TickStore

SeriesKey = tuple[str, str]  # (name, canonical labels)


class Store:
    def __init__(self, engine: Engine, wall_clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self._wall_clock = wall_clock
        # Per exercise: (name, labels as the collector gave them) -> series id.
        self._series_ids: dict[int, dict[tuple[str, Labels], int]] = {}
        self._samples = SampleLayout(engine.dialect.name, engine.dialect.paramstyle)
        self.alerts = AlertStore(engine)
        self.ticks = TickStore(engine)
        self.reductions = SeriesReductions(engine)
        self.accounts = AccountStore(engine)
        self.learned = LearnedStore(engine)
        self.leases = LeaseStore(engine)

    @classmethod
    def open(cls, url: str) -> Store:
        """raises StoreUnavailable when the URL cannot be opened."""
        return cls(open_engine(url))

    def close(self) -> None:
        self.engine.dispose()

    # -- exercises -------------------------------------------------------------------

    def create_exercise(
        self, *, plan_id: str, name: str, mode: str, plan_toml: str, t0: float
    ) -> int:
        values = {
            "plan_id": plan_id,
            "name": name,
            "mode": mode,
            "plan_toml": plan_toml,
            "t0_ms": to_ms(t0),
            "created_ms": to_ms(self._wall_clock()),
        }
        with self.engine.begin() as connection:
            result = connection.execute(exercises.insert().values(values))
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def end_exercise(self, exercise_id: int, at: float) -> None:
        """Also folds its recent samples: the review then reads one table."""
        with self.engine.begin() as connection:
            connection.execute(
                update(exercises).where(exercises.c.id == exercise_id).values(ended_ms=to_ms(at))
            )
            ids = select(series.c.id).where(series.c.exercise_id == exercise_id)
            fold_all(connection, connection.execute(ids).scalars().all())

    def exercise(self, exercise_id: int) -> ExerciseRecord | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(exercises).where(exercises.c.id == exercise_id)
            ).one_or_none()
        return None if row is None else _exercise_record(row)

    def exercise_without_plan(self, exercise_id: int | None = None) -> ExerciseRecord | None:
        """`exercise_id`'s record (the newest exercise's when None) with its plan text
        left out (""): what a screen reads at every request, whatever the plan's size
        (347 KB at 3,000 sites)."""
        columns = [c for c in exercises.c if c.name != "plan_toml"]
        query = select(*columns, literal("").label("plan_toml"))
        if exercise_id is None:
            query = query.order_by(exercises.c.id.desc()).limit(1)
        else:
            query = query.where(exercises.c.id == exercise_id)
        with self.engine.connect() as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else _exercise_record(row)

    def exercises(self) -> list[ExerciseRecord]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(exercises).order_by(exercises.c.id.desc()))
            return [_exercise_record(row) for row in rows]

    # -- writes ----------------------------------------------------------------------

    def write_cycle(
        self,
        exercise_id: int,
        batch: Sequence[Sample],
        health: Sequence[HealthUpdate] = (),
    ) -> None:
        """Write one poll cycle's samples and source health in one transaction."""
        known = self._series_ids.setdefault(exercise_id, {})
        with self.engine.begin() as connection:
            rows, unknown = _sample_rows(batch, known)
            created = self._create_series(connection, exercise_id, unknown) if unknown else {}
            if created:
                rows += [
                    (created[(s.name, s.labels)], round(s.at * 1000), s.value) for s in unknown
                ]
            self._samples.write(connection, rows)
            for update_ in health:
                self._record_health(connection, exercise_id, update_)
        # Only once the transaction committed: a rolled-back series must not stay cached.
        known.update(created)

    def _create_series(
        self, connection: Connection, exercise_id: int, batch: Sequence[Sample]
    ) -> dict[tuple[str, Labels], int]:
        """Ids of the batch's series (none known yet), created in this transaction if need be."""
        canonical = {(s.name, s.labels): (s.name, labels_key(s.labels)) for s in batch}
        rows = [
            {"exercise_id": exercise_id, "name": name, "labels": labels}
            for name, labels in set(canonical.values())
        ]
        connection.execute(insert_ignoring_duplicates(self.engine.dialect.name, series), rows)
        stored = self._stored_series_ids(connection, exercise_id)
        return {key: stored[identity] for key, identity in canonical.items()}

    def _stored_series_ids(self, connection: Connection, exercise_id: int) -> dict[SeriesKey, int]:
        rows = connection.execute(
            select(series.c.id, series.c.name, series.c.labels).where(
                series.c.exercise_id == exercise_id
            )
        )
        return {(name, labels): series_id for series_id, name, labels in rows}

    def _record_health(self, connection: Connection, exercise_id: int, up: HealthUpdate) -> None:
        """Upsert the source's health row; failures count up until the next success."""
        params: dict[str, Any] = {
            "key_exercise": exercise_id,
            "key_source": up.source,
            "up": up.ok,
            "last_latency_ms": up.latency_s * 1000,
            "updated_ms": to_ms(up.at),
            "at_ms": to_ms(up.at),
            "error": up.error,
        }
        statement = _HEALTH_SUCCESS if up.ok else _HEALTH_FAILURE
        if connection.execute(statement, params).rowcount == 0:
            connection.execute(
                source_health.insert().values(
                    exercise_id=exercise_id,
                    source=up.source,
                    up=up.ok,
                    last_latency_ms=up.latency_s * 1000,
                    updated_ms=to_ms(up.at),
                    last_success_ms=to_ms(up.at) if up.ok else None,
                    last_error_ms=None if up.ok else to_ms(up.at),
                    last_error=up.error,
                    consecutive_failures=0 if up.ok else 1,
                    down_since_ms=None if up.ok else to_ms(up.at),
                )
            )

    def add_annotation(
        self,
        exercise_id: int,
        at: float,
        kind: str,
        author: str,
        text: str,
        wave: int | None = None,
    ) -> int:
        values = {
            "exercise_id": exercise_id,
            "ts_ms": to_ms(at),
            "kind": kind,
            "author": author,
            "text": text,
            "wave": wave,
            "created_ms": to_ms(self._wall_clock()),
        }
        with self.engine.begin() as connection:
            key = connection.execute(
                exercise_annotations.insert().values(values)
            ).inserted_primary_key
            assert key is not None
            return int(key[0])

    def add_decision(
        self, exercise_id: int, at: float, author: str, decision: Decision, wave: int
    ) -> int:
        """The room's decision on `wave`, kept as an annotation of its kind."""
        text = decision.text()
        return self.add_annotation(exercise_id, at, AnnotationKind.DECISION, author, text, wave)

    # -- agent tokens ------------------------------------------------------------------

    def add_agent_token(self, faculty: str, token_hash: str) -> int:
        values = {
            "faculty": faculty,
            "token_hash": token_hash,
            "created_ms": to_ms(self._wall_clock()),
        }
        with self.engine.begin() as connection:
            key = connection.execute(agent_tokens.insert().values(values)).inserted_primary_key
            assert key is not None
            return int(key[0])

    def faculty_of_token(self, token_hash: str) -> str | None:
        """The faculty a live (not revoked) token belongs to, or None."""
        query = select(agent_tokens.c.faculty).where(
            agent_tokens.c.token_hash == token_hash, agent_tokens.c.revoked_ms.is_(None)
        )
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none()

    def revoke_agent_token(self, token_id: int) -> bool:
        with self.engine.begin() as connection:
            result = connection.execute(
                update(agent_tokens)
                .where(agent_tokens.c.id == token_id, agent_tokens.c.revoked_ms.is_(None))
                .values(revoked_ms=to_ms(self._wall_clock()))
            )
        return result.rowcount == 1

    def agent_tokens(self) -> list[AgentToken]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(agent_tokens).order_by(agent_tokens.c.id)).all()
        return [
            AgentToken(r.id, r.faculty, from_ms(r.created_ms), _optional_seconds(r.revoked_ms))
            for r in rows
        ]

    def live_exercise(self, plan_id: str | None = None, mode: str | None = None) -> int | None:
        """The newest exercise still running (not ended, not a drill), of that plan and
        mode if given: where pushes go, and what a restarted process goes on with."""
        query = (
            select(exercises.c.id)
            .where(exercises.c.ended_ms.is_(None), exercises.c.mode != "drill")
            .order_by(exercises.c.id.desc())
            .limit(1)
        )
        if plan_id is not None:
            query = query.where(exercises.c.plan_id == plan_id)
        if mode is not None:
            query = query.where(exercises.c.mode == mode)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none()

    # -- reads -----------------------------------------------------------------------

    def latest(self, exercise_id: int, name: str, at: float) -> dict[Labels, Point]:
        """The last value at or before `at` of every series named `name`.

        Two index seeks per series, whatever the length of the history.
        """
        return self.latest_of(exercise_id, [name], at).get(name, {})

    def latest_of(
        self, exercise_id: int, names: Collection[str], at: float
    ) -> dict[str, dict[Labels, Point]]:
        """`latest` for several names in one query: name -> labels -> last point."""
        at_ms = to_ms(at)
        newest = [_newest_at_or_before(table, at_ms) for table in (samples, recent_samples)]
        query = select(
            series.c.name,
            series.c.labels,
            *(part for pair in newest for part in pair),
        ).where(series.c.exercise_id == exercise_id, series.c.name.in_(list(names)))
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        found: dict[str, dict[Labels, Point]] = defaultdict(dict)
        for name, labels, old_ms, old_value, new_ms, new_value in rows:
            if new_ms is not None:  # a recent sample is newer than any folded one
                found[name][labels_from_key(labels)] = Point(from_ms(new_ms), new_value)
            elif old_ms is not None:
                found[name][labels_from_key(labels)] = Point(from_ms(old_ms), old_value)
        return dict(found)

    def downsampled(
        self,
        exercise_id: int,
        name: str,
        start: float,
        end: float,
        points: int,
        aggregate: str = "avg",
        only: Labels | None = None,
    ) -> dict[Labels, list[Point]]:
        """Every series named `name` (or just the one labelled `only`) between `start`
        and `end`, in at most `points` buckets.

        Each bucket gives the `aggregate` (avg, max, min) of its samples, stamped
        at the bucket's first sample. Reads only the rows inside the range.
        """
        start_ms, end_ms = to_ms(start), to_ms(end)
        step_ms = max(1, -(-(end_ms - start_ms + 1) // max(1, points)))
        width = step_ms / 1000
        return self.bucketed(
            exercise_id,
            name,
            origin=start,
            width=width,
            start=start,
            end=end,
            aggregate=aggregate,
            only=only,
        )

    def bucketed(
        self,
        exercise_id: int,
        name: str,
        *,
        origin: float,
        width: float,
        start: float,
        end: float,
        aggregate: str = "avg",
        only: Labels | None = None,
    ) -> dict[Labels, list[Point]]:
        """As `downsampled`, on a fixed grid: buckets of `width` seconds from `origin`, of
        the samples in [start, end]. A bucket read whole stays the same at every later
        read, so a reader can keep it."""
        origin_ms, step_ms = to_ms(origin), max(1, to_ms(width))
        rows = _samples_named(exercise_id, name, start, end, only)
        bucket = ((rows.c.ts_ms - origin_ms) // step_ms).label("bucket")
        reduce: Any = {"avg": func.avg, "max": func.max, "min": func.min}[aggregate]
        query = (
            select(rows.c.labels, func.min(rows.c.ts_ms), reduce(rows.c.value), bucket)
            .group_by(rows.c.labels, bucket)
            .order_by(rows.c.labels, bucket)
        )
        result: dict[Labels, list[Point]] = defaultdict(list)
        with self.engine.connect() as connection:
            for labels, ts_ms, value, _ in connection.execute(query):
                result[labels_from_key(labels)].append(Point(from_ms(ts_ms), float(value)))
        return dict(result)

    def down_since(self, exercise_id: int, source: str, at: float) -> float | None:
        """When `source` went down, if it is down at `at` (from its `source_up` series).

        Reads only the current failure streak, newest first, whatever the history.
        """
        at_ms = to_ms(at)
        series_id = (
            select(series.c.id)
            .where(
                series.c.exercise_id == exercise_id,
                series.c.name == "source_up",
                series.c.labels == labels_key((("source", source),)),
            )
            .scalar_subquery()
        )
        streak = both(
            lambda table: select(table.c.ts_ms, table.c.value).where(
                of_series(table, series_id), table.c.ts_ms <= at_ms
            )
        )
        last_up = select(func.max(streak.c.ts_ms)).where(streak.c.value >= UP_AT_LEAST)
        first_down = select(func.min(streak.c.ts_ms)).where(
            streak.c.value < UP_AT_LEAST,
            streak.c.ts_ms > func.coalesce(last_up.scalar_subquery(), -1),
        )
        with self.engine.connect() as connection:
            down = connection.execute(first_down).scalar_one_or_none()
        return None if down is None else from_ms(down)

    def window(
        self, exercise_id: int, name: str, start: float, end: float
    ) -> dict[Labels, list[Point]]:
        """Every sample of `name` in [start, end]: a range scan of each series' index."""
        rows = _samples_named(exercise_id, name, start, end)
        return self._points_by_labels(_in_series_order(rows))

    def history(self, exercise_id: int, name: str) -> dict[Labels, list[Point]]:
        """Every sample of every series named `name`: for summaries and exports."""
        rows = both(
            lambda table: (
                select(series.c.labels, table.c.ts_ms, table.c.value)
                .join(series, of_series(table, series.c.id))
                .where(series.c.exercise_id == exercise_id, series.c.name == name)
            )
        )
        return self._points_by_labels(_in_series_order(rows))

    def every_sample(self, exercise_id: int) -> Iterator[tuple[str, Labels, Point]]:
        """Every sample of the exercise, series by series, oldest first: for exports.

        Streamed in chunks, so a long exercise never sits whole in memory.
        """
        rows = both(
            lambda table: (
                select(series.c.name, series.c.labels, table.c.ts_ms, table.c.value)
                .join(series, of_series(table, series.c.id))
                .where(series.c.exercise_id == exercise_id)
            )
        )
        query = select(rows).order_by(rows.c.name, rows.c.labels, rows.c.ts_ms)
        with self.engine.connect() as connection:
            rows = connection.execution_options(yield_per=10_000).execute(query)
            for name, labels, ts_ms, value in rows:
                yield name, labels_from_key(labels), Point(from_ms(ts_ms), value)

    def _points_by_labels(self, query: Any) -> dict[Labels, list[Point]]:
        """Run a (labels, ts_ms, value) query into points grouped by series."""
        result: dict[str, list[Point]] = defaultdict(list)
        with self.engine.connect() as connection:
            for labels, ts_ms, value in connection.execute(query):
                result[labels].append(Point(from_ms(ts_ms), value))
        return {labels_from_key(labels): points for labels, points in result.items()}

    def source_health(self, exercise_id: int) -> list[SourceHealth]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(source_health)
                .where(source_health.c.exercise_id == exercise_id)
                .order_by(source_health.c.source)
            ).all()
        return [_health_record(row) for row in rows]

    def newest_writes(self, exercise_id: int) -> tuple[int, int]:
        """The ids of the newest alert transition and annotation: one read that tells a
        poller whether anything was written since it last looked."""
        newest_transition = (
            select(func.coalesce(func.max(alert_transitions.c.id), 0))
            .where(alert_transitions.c.exercise_id == exercise_id)
            .scalar_subquery()
        )
        newest_annotation = (
            select(func.coalesce(func.max(exercise_annotations.c.id), 0))
            .where(exercise_annotations.c.exercise_id == exercise_id)
            .scalar_subquery()
        )
        with self.engine.connect() as connection:
            row = connection.execute(select(newest_transition, newest_annotation)).one()
        return int(row[0]), int(row[1])

    def annotations(self, exercise_id: int, after_id: int = 0) -> list[Annotation]:
        """Notes and decisions (those written after `after_id`), in the order written."""
        query = select(exercise_annotations).where(
            exercise_annotations.c.exercise_id == exercise_id,
            exercise_annotations.c.id > after_id,
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(exercise_annotations.c.id)).all()
        return [
            Annotation(
                r.id, from_ms(r.ts_ms), r.kind, r.author, r.text, r.wave, from_ms(r.created_ms)
            )
            for r in rows
        ]

    def series_count(self, exercise_id: int) -> int:
        query = select(func.count()).where(series.c.exercise_id == exercise_id)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def sample_count(self, exercise_id: int) -> int:
        rows = both(
            lambda table: (
                select(table.c.ts_ms)
                .join(series, of_series(table, series.c.id))
                .where(series.c.exercise_id == exercise_id)
            )
        )
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(rows)).scalar_one())


def _samples_named(
    exercise_id: int, name: str, start: float, end: float, only: Labels | None = None
) -> Any:
    """(labels, ts_ms, value) of every sample of `name` (or of its series labelled
    `only`) in [start, end], from both tables."""
    return both(
        lambda table: (
            select(series.c.labels, table.c.ts_ms, table.c.value)
            .join(series, of_series(table, series.c.id))
            .where(
                series.c.exercise_id == exercise_id,
                series.c.name == name,
                table.c.ts_ms >= to_ms(start),
                table.c.ts_ms <= to_ms(end),
                true() if only is None else series.c.labels == labels_key(only),
            )
        )
    )


def _newest_at_or_before(table: Any, at_ms: int) -> tuple[Any, Any]:
    """Per series (correlated): the time and value of its last sample in `table`."""
    last = (
        select(table.c.ts_ms, table.c.value)
        .where(of_series(table, series.c.id), table.c.ts_ms <= at_ms)
        .order_by(table.c.ts_ms.desc())
        .limit(1)
    )
    return (
        last.with_only_columns(table.c.ts_ms).scalar_subquery(),
        last.with_only_columns(table.c.value).scalar_subquery(),
    )


def _in_series_order(rows: Any) -> Any:
    return select(rows.c.labels, rows.c.ts_ms, rows.c.value).order_by(rows.c.labels, rows.c.ts_ms)


def _health_update(**changes: Any) -> Any:
    """Built once: a poll cycle runs it every second, and building it is not free."""
    return (
        update(source_health)
        .where(
            source_health.c.exercise_id == bindparam("key_exercise"),
            source_health.c.source == bindparam("key_source"),
        )
        .values(
            up=bindparam("up"),
            last_latency_ms=bindparam("last_latency_ms"),
            updated_ms=bindparam("updated_ms"),
            **changes,
        )
    )


_HEALTH_SUCCESS = _health_update(
    last_success_ms=bindparam("at_ms"), consecutive_failures=0, down_since_ms=None
)
_HEALTH_FAILURE = _health_update(
    last_error_ms=bindparam("at_ms"),
    last_error=bindparam("error"),
    consecutive_failures=source_health.c.consecutive_failures + 1,
    down_since_ms=func.coalesce(source_health.c.down_since_ms, bindparam("at_ms")),
)


def _sample_rows(
    batch: Sequence[Sample], known: dict[tuple[str, Labels], int]
) -> tuple[list[SampleRow], list[Sample]]:
    """The rows of the batch's samples of known series, and the samples of the others.

    One pass and one dictionary look-up per sample, no set of the batch's series: a
    cycle's samples mostly share one instant, converted to ms once."""
    rows: list[SampleRow] = []
    unknown: list[Sample] = []
    last_at, last_ms = None, 0
    for sample in batch:
        series_id = known.get((sample.name, sample.labels))
        if series_id is None:
            unknown.append(sample)
            continue
        if sample.at != last_at:
            last_at, last_ms = sample.at, round(sample.at * 1000)
        rows.append((series_id, last_ms, sample.value))
    return rows, unknown


def _optional_seconds(ms: int | None) -> float | None:
    return None if ms is None else from_ms(ms)


def _exercise_record(row: Any) -> ExerciseRecord:
    return ExerciseRecord(
        id=row.id,
        plan_id=row.plan_id,
        name=row.name,
        mode=row.mode,
        plan_toml=row.plan_toml,
        t0=from_ms(row.t0_ms),
        created=from_ms(row.created_ms),
        ended=_optional_seconds(row.ended_ms),
    )


def _health_record(row: Any) -> SourceHealth:
    return SourceHealth(
        source=row.source,
        up=row.up,
        last_success=_optional_seconds(row.last_success_ms),
        last_error_at=_optional_seconds(row.last_error_ms),
        last_error=row.last_error,
        consecutive_failures=row.consecutive_failures,
        last_latency_s=None if row.last_latency_ms is None else row.last_latency_ms / 1000,
        down_since=_optional_seconds(row.down_since_ms),
        updated=from_ms(row.updated_ms),
    )
