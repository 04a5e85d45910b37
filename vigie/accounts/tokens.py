"""Agent push tokens: random, shown once, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    return "vga_" + secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    # A 256-bit random token needs no slow hash: nobody can guess one to brute-force.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
