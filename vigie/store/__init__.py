"""The store: SQLAlchemy 2, SQLite (WAL) by default, PostgreSQL by URL."""

from vigie.store.engine import StoreUnavailable, sqlite_url
from vigie.store.records import (
    AgentToken,
    Annotation,
    ExerciseRecord,
    HealthUpdate,
    Point,
    SourceHealth,
)
from vigie.store.store import Store

__all__ = [
    "AgentToken",
    "Annotation",
    "ExerciseRecord",
    "HealthUpdate",
    "Point",
    "SourceHealth",
    "Store",
    "StoreUnavailable",
    "sqlite_url",
]
