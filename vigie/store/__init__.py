"""The store: SQLAlchemy 2, SQLite (WAL) by default, PostgreSQL by URL."""

from vigie.store.database import StoreUnavailable, sqlite_url
from vigie.store.records import (
    AgentToken,
    AlertTransition,
    Annotation,
    Delivery,
    ExerciseRecord,
    HealthUpdate,
    NewTransition,
    Point,
    SourceHealth,
)
from vigie.store.store import Store

__all__ = [
    "AgentToken",
    "AlertTransition",
    "Annotation",
    "Delivery",
    "ExerciseRecord",
    "HealthUpdate",
    "NewTransition",
    "Point",
    "SourceHealth",
    "Store",
    "StoreUnavailable",
    "sqlite_url",
]
