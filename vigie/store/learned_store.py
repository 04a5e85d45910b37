"""What the alert engine learned (background loads, ratios, wave launches), kept per exercise."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from vigie.store.records import from_ms, to_ms
from vigie.store.schema import learned_facts


@dataclass(frozen=True)
class LearnedFact:
    kind: str
    key: str
    value: float
    at: float


class LearnedStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        statement = insert(learned_facts)
        self._upsert = statement.on_conflict_do_update(
            index_elements=["exercise_id", "kind", "key"],
            set_={"value": statement.excluded.value, "ts_ms": statement.excluded.ts_ms},
        )

    def keep(self, exercise_id: int, facts: Iterable[LearnedFact]) -> None:
        """Write (or replace) facts in one transaction."""
        rows = [
            {
                "exercise_id": exercise_id,
                "kind": f.kind,
                "key": f.key,
                "value": f.value,
                "ts_ms": to_ms(f.at),
            }
            for f in facts
        ]
        if not rows:
            return
        with self._engine.begin() as connection:
            connection.execute(self._upsert, rows)

    def all(self, exercise_id: int) -> list[LearnedFact]:
        query = select(learned_facts).where(learned_facts.c.exercise_id == exercise_id)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [LearnedFact(r.kind, r.key, r.value, from_ms(r.ts_ms)) for r in rows]
