"""Passwords are kept only as argon2id hashes (argon2-cffi, OWASP's first choice)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
MIN_LENGTH = 12
MAX_LENGTH = 256  # hashing a megabyte "password" is a cheap way to burn a worker


class WeakPassword(ValueError):
    pass


def hash_password(password: str) -> str:
    """raises WeakPassword when it is too short or too long to accept."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password has at most {MAX_LENGTH} characters")
    return _HASHER.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verified against when the account does not exist, so that a wrong name and a
# wrong password take the same time (no account enumeration by timing).
DECOY_HASH = _HASHER.hash("not a password of anyone's")
