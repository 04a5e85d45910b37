"""Writing samples: the hot path of every poll cycle and of every import chunk.

Writing a sample twice is a no-op on every database. PostgreSQL takes a large
batch several times faster through COPY into a per-connection staging table,
then one INSERT ... ON CONFLICT DO NOTHING, than through executemany (about
45,000 samples/s on the machine of `benchmarks/bench_ingest.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

SampleRow = tuple[int, int, float]  # series id, ms, value

COPY_FROM_ROWS = 200  # below it, COPY's extra statements cost more than they save
_STAGING = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS vigie_sample_staging"
    " (series_id integer, ts_ms bigint, value double precision) ON COMMIT DELETE ROWS"
)
_FROM_STAGING = (
    "INSERT INTO samples (series_id, ts_ms, value)"
    " SELECT series_id, ts_ms, value FROM vigie_sample_staging"
    # In the index's order: a chunk of an import then fills each series' pages in turn
    # instead of touching every series' newest page once per instant.
    " ORDER BY series_id, ts_ms ON CONFLICT DO NOTHING"
)


class SampleWriter:
    def __init__(self, dialect: str, paramstyle: str) -> None:
        self._dialect = dialect
        self._insert_sql = _sample_insert_sql(dialect, paramstyle)

    def write(self, connection: Connection, rows: Sequence[SampleRow]) -> None:
        """Within the caller's transaction."""
        if not rows:
            return
        if self._dialect == "postgresql" and len(rows) >= COPY_FROM_ROWS:
            _copy_through_staging(connection, rows)
        else:
            # Plain driver executemany, no per-row statement building (a third of the
            # drill's time otherwise).
            connection.exec_driver_sql(self._insert_sql, rows)


def _copy_through_staging(connection: Connection, rows: Sequence[SampleRow]) -> None:
    connection.exec_driver_sql(_STAGING)
    cursor: Any = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy("COPY vigie_sample_staging (series_id, ts_ms, value) FROM STDIN") as copy:
        # repr() of a float is exact and is what PostgreSQL's text format reads back.
        copy.write("".join(f"{s}\t{ms}\t{v!r}\n" for s, ms, v in rows))
    connection.exec_driver_sql(_FROM_STAGING)


def _sample_insert_sql(dialect: str, paramstyle: str) -> str:
    marks = ", ".join(["?"] * 3) if paramstyle == "qmark" else ", ".join(["%s"] * 3)
    columns = "INTO samples (series_id, ts_ms, value) VALUES"
    if dialect == "sqlite":
        return f"INSERT OR IGNORE {columns} ({marks})"
    if dialect == "postgresql":
        return f"INSERT {columns} ({marks}) ON CONFLICT DO NOTHING"
    return f"INSERT {columns} ({marks})"
