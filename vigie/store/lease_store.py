"""The collector lease: which process may collect an exercise, with a fencing epoch.

One row per exercise (schema `collector_leases`). Every statement is a single
conditional INSERT or UPDATE, so two collectors racing for the lease on SQLite or
PostgreSQL cannot both get it: the database serialises them and the loser's
condition no longer holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, Update, select, update
from sqlalchemy.dialects import postgresql, sqlite

from vigie.store.records import from_ms, to_ms
from vigie.store.schema import collector_leases


@dataclass(frozen=True)
class Lease:
    exercise_id: int
    holder: str
    epoch: int  # the fencing number: a takeover raises it
    expires_at: float


class LeaseStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def acquire(self, exercise_id: int, holder: str, now: float, ttl_s: float) -> Lease | None:
        """Take the lease if nobody has it or it has expired (the epoch goes up by one);
        None while another holder's lease runs."""
        expires_ms = to_ms(now + ttl_s)
        first = (
            self._insert(collector_leases)
            .values(
                exercise_id=exercise_id,
                holder=holder,
                epoch=1,
                expires_ms=expires_ms,
                renewed_ms=to_ms(now),
            )
            .on_conflict_do_nothing(index_elements=["exercise_id"])
            .returning(collector_leases.c.epoch)
        )
        takeover = (
            update(collector_leases)
            .where(
                collector_leases.c.exercise_id == exercise_id,
                collector_leases.c.expires_ms <= to_ms(now),
            )
            .values(
                holder=holder,
                epoch=collector_leases.c.epoch + 1,
                expires_ms=expires_ms,
                renewed_ms=to_ms(now),
            )
            .returning(collector_leases.c.epoch)
        )
        with self._engine.begin() as connection:
            epoch = connection.execute(first).scalar_one_or_none()
            if epoch is None:
                epoch = connection.execute(takeover).scalar_one_or_none()
        if epoch is None:
            return None
        return Lease(exercise_id, holder, int(epoch), from_ms(expires_ms))

    def renew(self, lease: Lease, now: float, ttl_s: float) -> Lease | None:
        """Extend our lease; None when another holder has taken it (we are fenced off)."""
        expires_ms = to_ms(now + ttl_s)
        statement = _ours(lease).values(expires_ms=expires_ms, renewed_ms=to_ms(now))
        with self._engine.begin() as connection:
            renewed = connection.execute(statement).rowcount == 1
        return (
            Lease(lease.exercise_id, lease.holder, lease.epoch, from_ms(expires_ms))
            if renewed
            else None
        )

    def release(self, lease: Lease, now: float) -> None:
        """A clean stop: expire our lease now, so a standby need not wait for it."""
        statement = _ours(lease).values(expires_ms=to_ms(now))
        with self._engine.begin() as connection:
            connection.execute(statement)

    def current(self, exercise_id: int) -> Lease | None:
        """The exercise's lease as stored (expired or not); None if it never had one."""
        query = select(collector_leases).where(collector_leases.c.exercise_id == exercise_id)
        with self._engine.connect() as connection:
            row = connection.execute(query).one_or_none()
        if row is None:
            return None
        return Lease(row.exercise_id, row.holder, row.epoch, from_ms(row.expires_ms))


def _ours(lease: Lease) -> Update:
    """An update of the lease row only while it is still this lease (same epoch)."""
    return update(collector_leases).where(
        collector_leases.c.exercise_id == lease.exercise_id,
        collector_leases.c.holder == lease.holder,
        collector_leases.c.epoch == lease.epoch,
    )
