"""Server-side session rows: who a cookie's session id stands for, and since when.

Only the id's hash is kept (as for agent tokens), so a copy of the store opens no
session. Rows only, no policy: `vigie.accounts.sessions` says when one has expired.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from vigie.store.records import from_ms, to_ms
from vigie.store.schema import login_sessions, server_keys

SIGNING_KEY = "session-signing"


@dataclass(frozen=True)
class SessionRecord:
    id_hash: str
    principal: str  # "user:ID" or "kiosk:ID"
    created: float
    seen: float
    revoked: float | None


class SessionStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._add_key = insert(server_keys).on_conflict_do_nothing()

    def signing_key(self, at: float) -> str:
        """The cookies' signing key, made by the first `serve` and kept: every worker
        and every restart signs alike. Two first starts at once agree (the first
        insert wins, both read it back)."""
        row = {"name": SIGNING_KEY, "value": secrets.token_hex(32), "created_ms": to_ms(at)}
        query = select(server_keys.c.value).where(server_keys.c.name == SIGNING_KEY)
        with self._engine.begin() as connection:
            connection.execute(self._add_key, row)
            return str(connection.execute(query).scalar_one())

    def open(self, id_hash: str, principal: str, at: float) -> None:
        row = {
            "id_hash": id_hash,
            "principal": principal,
            "created_ms": to_ms(at),
            "seen_ms": to_ms(at),
        }
        with self._engine.begin() as connection:
            connection.execute(login_sessions.insert().values(row))

    def get(self, id_hash: str) -> SessionRecord | None:
        query = select(login_sessions).where(login_sessions.c.id_hash == id_hash)
        with self._engine.connect() as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else _session(row)

    def seen(self, id_hash: str, at: float) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(login_sessions)
                .where(login_sessions.c.id_hash == id_hash)
                .values(seen_ms=to_ms(at))
            )

    def revoke(self, id_hash: str, at: float) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(login_sessions)
                .where(login_sessions.c.id_hash == id_hash, login_sessions.c.revoked_ms.is_(None))
                .values(revoked_ms=to_ms(at))
            )

    def prune(self, before: float) -> int:
        """Drop sessions created before `before`: past any absolute expiry."""
        with self._engine.begin() as connection:
            done = connection.execute(
                delete(login_sessions).where(login_sessions.c.created_ms < to_ms(before))
            )
        return int(done.rowcount)


def _session(row: Any) -> SessionRecord:
    return SessionRecord(
        id_hash=row.id_hash,
        principal=row.principal,
        created=from_ms(row.created_ms),
        seen=from_ms(row.seen_ms),
        revoked=None if row.revoked_ms is None else from_ms(row.revoked_ms),
    )
