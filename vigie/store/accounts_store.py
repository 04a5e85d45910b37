"""Accounts, kiosk links, failed logins and known addresses: rows only, no policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from vigie.store.records import from_ms, to_ms
from vigie.store.schema import kiosk_links, known_addresses, login_failures, users
from vigie.store.sessions_store import SessionStore


@dataclass(frozen=True)
class UserRecord:
    id: int
    name: str
    role: str
    faculty: str | None
    password_hash: str
    created: float
    disabled: float | None


@dataclass(frozen=True)
class KioskRecord:
    id: int
    scope: str
    label: str
    created: float
    revoked: float | None


class DuplicateName(ValueError):
    pass


class AccountStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.sessions = SessionStore(engine)
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        statement = insert(known_addresses)
        self._know_address = statement.on_conflict_do_update(
            index_elements=["user_id", "address"], set_={"last_ms": statement.excluded.last_ms}
        )

    # -- users ---------------------------------------------------------------------

    def add_user(
        self, name: str, role: str, faculty: str | None, password_hash: str, at: float
    ) -> int:
        """raises DuplicateName when the name is taken."""
        values = {
            "name": name,
            "role": role,
            "faculty": faculty,
            "password_hash": password_hash,
            "created_ms": to_ms(at),
        }
        try:
            with self._engine.begin() as connection:
                key = connection.execute(users.insert().values(values)).inserted_primary_key
        except IntegrityError as exc:
            raise DuplicateName(name) from exc
        assert key is not None
        return int(key[0])

    def user(self, name: str) -> UserRecord | None:
        return self._one_user(users.c.name == name)

    def user_by_id(self, user_id: int) -> UserRecord | None:
        return self._one_user(users.c.id == user_id)

    def _one_user(self, where: Any) -> UserRecord | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(users).where(where)).one_or_none()
        return None if row is None else _user(row)

    def users(self) -> list[UserRecord]:
        with self._engine.connect() as connection:
            return [_user(r) for r in connection.execute(select(users).order_by(users.c.name))]

    def disable_user(self, name: str, at: float) -> bool:
        with self._engine.begin() as connection:
            done = connection.execute(
                update(users)
                .where(users.c.name == name, users.c.disabled_ms.is_(None))
                .values(disabled_ms=to_ms(at))
            )
        return done.rowcount == 1

    # -- kiosk links ---------------------------------------------------------------

    def add_kiosk(self, token_hash: str, scope: str, label: str, at: float) -> int:
        values = {"token_hash": token_hash, "scope": scope, "label": label, "created_ms": to_ms(at)}
        with self._engine.begin() as connection:
            key = connection.execute(kiosk_links.insert().values(values)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def kiosk_by_hash(self, token_hash: str) -> KioskRecord | None:
        query = select(kiosk_links).where(kiosk_links.c.token_hash == token_hash)
        with self._engine.connect() as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else _kiosk(row)

    def kiosk(self, kiosk_id: int) -> KioskRecord | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(kiosk_links).where(kiosk_links.c.id == kiosk_id)
            ).one_or_none()
        return None if row is None else _kiosk(row)

    def kiosks(self) -> list[KioskRecord]:
        with self._engine.connect() as connection:
            rows = connection.execute(select(kiosk_links).order_by(kiosk_links.c.id))
            return [_kiosk(r) for r in rows]

    def revoke_kiosk(self, kiosk_id: int, at: float) -> bool:
        with self._engine.begin() as connection:
            done = connection.execute(
                update(kiosk_links)
                .where(kiosk_links.c.id == kiosk_id, kiosk_links.c.revoked_ms.is_(None))
                .values(revoked_ms=to_ms(at))
            )
        return done.rowcount == 1

    # -- failed logins and known addresses ----------------------------------------

    def record_failure(self, account: str, address: str, at: float, prune_before: float) -> None:
        """One failed login; rows older than `prune_before` go at the same time."""
        row = {"account": account[:64], "address": address[:64], "at_ms": to_ms(at)}
        with self._engine.begin() as connection:
            connection.execute(
                delete(login_failures).where(login_failures.c.at_ms < to_ms(prune_before))
            )
            connection.execute(login_failures.insert().values(row))

    def failures(self, account: str, address: str, since: float) -> FailureCounts:
        """Failures after `since`: the account's, the address's and the pair's."""
        recent = login_failures.c.at_ms > to_ms(since)
        is_account = login_failures.c.account == account[:64]
        is_address = login_failures.c.address == address[:64]
        with self._engine.connect() as connection:
            by_account = _count(connection, recent & is_account)
            by_address = _count(connection, recent & is_address)
            pair = connection.execute(
                select(func.count(), func.max(login_failures.c.at_ms)).where(
                    recent & is_account & is_address
                )
            ).one()
        last = None if pair[1] is None else from_ms(pair[1])
        return FailureCounts(by_account, by_address, int(pair[0]), last)

    def forget_failures(self, account: str, address: str | None = None) -> int:
        """Clear the account's failures (from `address` only, when given); how many went."""
        where = login_failures.c.account == account[:64]
        if address is not None:
            where = where & (login_failures.c.address == address[:64])
        with self._engine.begin() as connection:
            return int(connection.execute(delete(login_failures).where(where)).rowcount)

    def remember_address(self, user_id: int, address: str, at: float) -> None:
        row = {"user_id": user_id, "address": address[:64], "last_ms": to_ms(at)}
        with self._engine.begin() as connection:
            connection.execute(self._know_address, row)

    def knows_address(self, user_id: int, address: str) -> bool:
        query = select(known_addresses.c.last_ms).where(
            known_addresses.c.user_id == user_id, known_addresses.c.address == address[:64]
        )
        with self._engine.connect() as connection:
            return connection.execute(query).first() is not None


@dataclass(frozen=True)
class FailureCounts:
    account: int  # from every address
    address: int  # for every account
    pair: int  # this account from this address
    last_pair_failure: float | None


def _count(connection: Any, where: Any) -> int:
    return int(connection.execute(select(func.count()).where(where)).scalar_one())


def _user(row: Any) -> UserRecord:
    return UserRecord(
        id=row.id,
        name=row.name,
        role=row.role,
        faculty=row.faculty,
        password_hash=row.password_hash,
        created=from_ms(row.created_ms),
        disabled=None if row.disabled_ms is None else from_ms(row.disabled_ms),
    )


def _kiosk(row: Any) -> KioskRecord:
    return KioskRecord(
        id=row.id,
        scope=row.scope,
        label=row.label,
        created=from_ms(row.created_ms),
        revoked=None if row.revoked_ms is None else from_ms(row.revoked_ms),
    )
