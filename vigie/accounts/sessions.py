"""When a server-side session ends: pure rules over its stored times.

Chosen for exam day:
- idle: 2 hours. Every open Vigie page polls the server each second, so an open
  screen is never idle; only a closed or sleeping one is. Two hours lets an
  operator close the laptop over lunch and come back, but not the next morning.
- absolute: 16 hours for people (a whole exam day, from the morning set-up to the
  evening's post-mortem); 7 days for a kiosk link's wall screen, set up the day
  before and never touched again, so it is not logged out mid-exam. A kiosk is
  read-only and its link can be revoked at any time (`vigie kiosk revoke`).
- "last seen" is written at most once a minute per session, not on each of a
  wall's once-a-second refreshes: idle expiry is then late by at most a minute.
"""

from __future__ import annotations

from vigie.store.sessions_store import SessionRecord

IDLE_S = 2 * 3600
USER_ABSOLUTE_S = 16 * 3600
KIOSK_ABSOLUTE_S = 7 * 24 * 3600
SEEN_EVERY_S = 60


def absolute_s(principal: str) -> int:
    return KIOSK_ABSOLUTE_S if principal.startswith("kiosk:") else USER_ABSOLUTE_S


def is_live(record: SessionRecord, now: float) -> bool:
    return (
        record.revoked is None
        and now - record.seen < IDLE_S
        and now - record.created < absolute_s(record.principal)
    )


def needs_seen(record: SessionRecord, now: float) -> bool:
    return now - record.seen >= SEEN_EVERY_S
