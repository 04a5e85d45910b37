"""A store's schema as the database itself reports it, to compare two stores exactly.

Alembic's compare_metadata does not see everything Vigie relies on (SQLite's
WITHOUT ROWID, PostgreSQL's INCLUDE on a key), so the migration tests also
compare the catalogue: columns, keys, foreign keys and indexes, in a form that
does not depend on how a table was made (create_all, or a revision's ALTER).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

Shape = dict[str, Any]
_IGNORED = ("alembic_version",)


def schema_shape(connection: Connection) -> Shape:
    if connection.dialect.name == "sqlite":
        return _sqlite_shape(connection)
    return _postgres_shape(connection)


def _sqlite_shape(connection: Connection) -> Shape:
    rows = connection.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    )
    return {
        name: _sqlite_table(connection, name, sql) for name, sql in rows if name not in _IGNORED
    }


def _sqlite_table(connection: Connection, name: str, sql: str) -> Shape:
    def pragma(what: str, argument: str = name) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in connection.exec_driver_sql(f'PRAGMA {what}("{argument}")')]

    indexes = sorted(
        (unique, origin, tuple(column for *_, column in pragma("index_info", index)))
        for _, index, unique, origin, _partial in pragma("index_list")
    )
    return {
        "columns": sorted((c[1], c[2], c[3], c[4], c[5]) for c in pragma("table_info")),
        "foreign_keys": sorted((f[2], f[3], f[4], f[6]) for f in pragma("foreign_key_list")),
        "indexes": indexes,
        "without_rowid": "WITHOUT ROWID" in sql.upper(),
    }


def _postgres_shape(connection: Connection) -> Shape:
    columns = connection.execute(
        text(
            "SELECT table_name, column_name, data_type, character_maximum_length,"
            " is_nullable, column_default FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY table_name, column_name"
        )
    )
    constraints = connection.execute(
        text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
            " ORDER BY 1, 2"
        )
    )
    indexes = connection.execute(
        text(
            "SELECT tablename, indexname, indexdef FROM pg_indexes"
            " WHERE schemaname = 'public' ORDER BY 1, 2"
        )
    )
    shape: Shape = {}
    for kind, rows in (("columns", columns), ("constraints", constraints), ("indexes", indexes)):
        for table, *rest in rows:
            if table not in _IGNORED:
                shape.setdefault(table, {}).setdefault(kind, []).append(tuple(rest))
    return shape
