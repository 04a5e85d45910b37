"""Writing samples into one table: the hot path of every poll cycle and import chunk.

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
# A table's columns: `samples` (series_id, ts_ms, value); `recent_samples` also
# leads with its bucket (vigie/store/sample_layout.py).
COLUMNS = {
    "samples": ("series_id", "ts_ms", "value"),
    "recent_samples": ("bucket", "ts_ms", "series_id", "value"),
}
_TYPES = {
    "bucket": "integer",
    "series_id": "integer",
    "ts_ms": "bigint",
    "value": "double precision",
}

COPY_FROM_ROWS = 200  # below it, COPY's extra statements cost more than they save


class SampleWriter:
    def __init__(self, dialect: str, paramstyle: str, table: str = "samples") -> None:
        self._dialect = dialect
        self._table = table
        self._columns = COLUMNS[table]
        self._insert_sql = _insert_sql(dialect, paramstyle, table, self._columns)

    def write(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        """Rows in the table's column order, within the caller's transaction."""
        if not rows:
            return
        if self._dialect == "postgresql" and len(rows) >= COPY_FROM_ROWS:
            self._copy_through_staging(connection, rows)
        else:
            # Plain driver executemany, no per-row statement building (a third of the
            # drill's time otherwise).
            connection.exec_driver_sql(self._insert_sql, rows)

    def _copy_through_staging(
        self, connection: Connection, rows: Sequence[tuple[Any, ...]]
    ) -> None:
        staging = f"vigie_{self._table}_staging"
        columns = ", ".join(self._columns)
        typed = ", ".join(f"{c} {_TYPES[c]}" for c in self._columns)
        connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ({typed}) ON COMMIT DELETE ROWS"
        )
        cursor: Any = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            # repr() of a float is exact and is what PostgreSQL's text format reads back.
            copy.write("".join("\t".join(map(repr, row)) + "\n" for row in rows))
        connection.exec_driver_sql(
            f"INSERT INTO {self._table} ({columns}) SELECT {columns} FROM {staging}"
            # In the key's order: a chunk of an import then fills each series' pages in
            # turn instead of touching every series' newest page once per instant.
            f" ORDER BY {', '.join(_key_order(self._table))} ON CONFLICT DO NOTHING"
        )


def _key_order(table: str) -> tuple[str, ...]:
    return ("series_id", "ts_ms") if table == "samples" else ("bucket", "ts_ms", "series_id")


def _insert_sql(dialect: str, paramstyle: str, table: str, columns: Sequence[str]) -> str:
    mark = "?" if paramstyle == "qmark" else "%s"
    into = f"INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    if dialect == "sqlite":
        return f"INSERT OR IGNORE {into}"
    if dialect == "postgresql":
        return f"INSERT {into} ON CONFLICT DO NOTHING"
    return f"INSERT {into}"
