"""Which version a store made before versions were recorded is at, from its shape.

Until this module existed the store only ran create_all, so a store from then
has no alembic_version table: its tables (and, on PostgreSQL, its samples key)
tell which released schema it has. Its version is the newest whose shape it has
whole: a PostgreSQL store with version 5's tables and the old samples key (made
before version 4, opened since by a Vigie of version 5) is at version 3. Every
store made since records its version, so this table of shapes is closed: a new
revision never adds a line here.

raises StoreUnrecognised when the tables match no released schema.
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

from vigie.store.errors import StoreUnrecognised

_V1 = frozenset(
    {
        "exercises",
        "series",
        "samples",
        "source_health",
        "annotations",
        "alert_transitions",
        "notifications",
        "agent_tokens",
    }
)
_V2 = _V1 | {"tick_states"}
_V3 = _V2 | {"users", "kiosk_links", "login_failures"}
_V5 = _V3 | {"learned_facts"}

# Version 4 changed only PostgreSQL's samples key: it has version 3's tables.
TABLES_AT: dict[int, frozenset[str]] = {1: _V1, 2: _V2, 3: _V3, 4: _V3, 5: _V5}
KNOWN_TABLES: frozenset[str] = frozenset().union(*TABLES_AT.values())

# The first release widened series.labels to 1,024 (a push with long labels got a
# 500 on PostgreSQL); a narrower column is a store from before any release.
_RELEASED_LABELS_WIDTH = 1024


def recognise(connection: Connection, tables: set[str], shown: str) -> int:
    """The version of an unversioned store that has some of Vigie's tables."""
    ours = frozenset(tables) & KNOWN_TABLES
    matching = [version for version, shape in TABLES_AT.items() if shape == ours]
    if not matching or _labels_width(connection) < _RELEASED_LABELS_WIDTH:
        raise StoreUnrecognised(
            f"store {shown} records no schema version and its tables"
            f" ({', '.join(sorted(ours))}) match no released Vigie schema:"
            " make a new store, or import what it holds"
        )
    version = max(matching)
    if version >= 4 and connection.dialect.name == "postgresql":
        # create_all added the tables of each Vigie that opened the store, but never
        # changed a key: a store made before version 4 keeps its old samples key under
        # a later Vigie's tables, and still needs revision 0004 (0005 then finds its
        # table there already).
        return version if samples_key_includes_value(connection) else 3
    return version


def samples_key_includes_value(connection: Connection) -> bool:
    """PostgreSQL only: whether pk_samples carries the value (INCLUDE), as version 4 made it."""
    extra = connection.execute(
        text(
            "SELECT indnatts - indnkeyatts FROM pg_index"
            " WHERE indexrelid = to_regclass('pk_samples')"
        )
    ).scalar_one_or_none()
    return bool(extra)


def _labels_width(connection: Connection) -> int:
    for column in inspect(connection).get_columns("series"):
        if column["name"] == "labels":
            return int(getattr(column["type"], "length", None) or 0)
    return 0
