"""Per-tick states as opaque bodies: the store keeps and finds them, vigie.tick reads them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Engine, Table, select, true
from sqlalchemy.dialects import postgresql, sqlite

from vigie.store.records import from_ms, to_ms
from vigie.store.schema import tick_rosters, tick_states


class TickStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._upsert_state = self._upsert(tick_states)
        self._upsert_roster = self._upsert(tick_rosters)

    def _upsert(self, table: Table) -> Any:
        insert = postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        statement = insert(table)
        return statement.on_conflict_do_update(
            index_elements=["exercise_id", "ts_ms"], set_={"body": statement.excluded.body}
        )

    def write(self, exercise_id: int, at: float, body: bytes, roster: bytes | None = None) -> None:
        """The state at `at` (and every site's view, `roster`), in one transaction; a
        second write for the same instant replaces the first."""
        row = {"exercise_id": exercise_id, "ts_ms": to_ms(at), "body": body}
        with self._engine.begin() as connection:
            connection.execute(self._upsert_state, row)
            if roster is not None:
                connection.execute(self._upsert_roster, {**row, "body": roster})

    def at(self, exercise_id: int, at: float) -> tuple[float, bytes] | None:
        """The newest state at or before `at`, with its instant: one index seek."""
        return self._newest(tick_states, exercise_id, tick_states.c.ts_ms <= to_ms(at))

    def roster_at(self, exercise_id: int, at: float) -> tuple[float, bytes] | None:
        """The newest roster at or before `at`, with its instant: one index seek."""
        return self._newest(tick_rosters, exercise_id, tick_rosters.c.ts_ms <= to_ms(at))

    def latest(self, exercise_id: int) -> tuple[float, bytes] | None:
        """The newest state written, whatever its instant (a restarted recorder's)."""
        return self._newest(tick_states, exercise_id, true())

    def _newest(
        self, table: Table, exercise_id: int, bound: ColumnElement[bool]
    ) -> tuple[float, bytes] | None:
        query = (
            select(table.c.ts_ms, table.c.body)
            .where(table.c.exercise_id == exercise_id, bound)
            .order_by(table.c.ts_ms.desc())
            .limit(1)
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else (from_ms(row.ts_ms), bytes(row.body))

    def instants(self, exercise_id: int) -> list[float]:
        query = (
            select(tick_states.c.ts_ms)
            .where(tick_states.c.exercise_id == exercise_id)
            .order_by(tick_states.c.ts_ms)
        )
        with self._engine.connect() as connection:
            return [from_ms(ms) for ms in connection.scalars(query)]
