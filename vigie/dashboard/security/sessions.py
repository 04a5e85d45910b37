"""Server-side sessions behind Flask's signed cookie: the cookie holds a random
session id only; the store says whose it is and whether it still stands.

A cookie copied before logging out is refused afterwards (its row is revoked),
and so is one past its idle or absolute expiry (`vigie.accounts.sessions`).
"""

from __future__ import annotations

import secrets

from flask import Flask, Request, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

from vigie.accounts.sessions import KIOSK_ABSOLUTE_S, USER_ABSOLUTE_S, is_live, needs_seen
from vigie.accounts.tokens import token_hash
from vigie.clock import Clock
from vigie.store import Store

SESSION_ID_BYTES = 32
LONGEST_S = max(KIOSK_ABSOLUTE_S, USER_ABSOLUTE_S)  # past it, no session row is of use


class SessionBook:
    """Opens, reads and closes the current request's session."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._sessions = store.accounts.sessions
        self._clock = clock

    def open(self, principal: str) -> None:
        """A new session id for `principal` ("user:ID" or "kiosk:ID"): never reuse
        the one the browser came with (no session fixation)."""
        self.close()
        session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
        now = self._clock.now()
        self._sessions.prune(before=now - LONGEST_S)  # a few rows a login: cheap
        self._sessions.open(token_hash(session_id), principal, now)
        session["sid"] = session_id

    def principal(self) -> str | None:
        """Whose the current session is, or None when there is none or it ended."""
        session_id = session.get("sid")
        if not isinstance(session_id, str) or len(session_id) > 100:
            return None
        key = token_hash(session_id)
        record = self._sessions.get(key)
        now = self._clock.now()
        if record is None or not is_live(record, now):
            return None
        if needs_seen(record, now):
            self._sessions.seen(key, now)
        return record.principal

    def close(self) -> None:
        session_id = session.get("sid")
        if isinstance(session_id, str) and len(session_id) <= 100:
            self._sessions.revoke(token_hash(session_id), self._clock.now())
        session.clear()


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure as told, or by default whenever the
    request came over TLS (the https scheme, as ProxyFix reports it behind a proxy).

    Signed with SECRET_KEY; also accepted when signed with one of
    SECRET_KEY_FALLBACKS (the secret before a rotation), and then signed anew with
    SECRET_KEY in that response: a wall refreshing each second carries on across a
    rotation, on the new secret from its next refresh."""

    def __init__(self, secure: bool | None) -> None:
        self._secure = secure

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure if self._secure is None else self._secure

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        opened = super().open_session(app, request)
        if opened and app.config["SECRET_KEY_FALLBACKS"] and not self._signed_now(app, request):
            opened.modified = True  # valid under a previous secret: re-sign it
        return opened

    def _signed_now(self, app: Flask, request: Request) -> bool:
        """Whether the request's cookie is signed with the current secret itself."""
        signing = {"key_derivation": self.key_derivation, "digest_method": self.digest_method}
        current = URLSafeTimedSerializer(
            app.secret_key,  # type: ignore[arg-type]  # set: open_session opened a session
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs=signing,
        )
        try:
            current.loads(request.cookies.get(self.get_cookie_name(app), ""))
        except BadSignature:
            return False
        return True
