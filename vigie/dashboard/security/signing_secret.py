"""The operator's own secret for signing session cookies (`vigie serve --secret-file`).

Given to every dashboard host (from a secrets manager, a config management tool),
it makes a cookie signed by one host good on all of them, whatever key the store
holds. It is read once at start and refused, with what to do about it, when it is
missing, short or readable by others.
"""

from __future__ import annotations

import stat
from pathlib import Path

MIN_SECRET_BYTES = 32  # as many random bytes as the key `serve` makes for the store
MAX_SECRET_BYTES = 4096  # a key, not a file given by mistake (a PEM bundle, a log)
TRIMMED = b" \t\r\n"  # `echo`, editors and secret managers may or may not add a newline


class SecretRefused(ValueError):
    """The secret file cannot be used; the message says why and how to fix it."""


def read_secret(path: Path) -> bytes:
    """The file's bytes (text or binary), without surrounding blanks and newlines.

    raises SecretRefused when it is missing or not a regular file, readable or
    writable by its group or others (a copy of it signs a cookie for anyone), or
    shorter than MIN_SECRET_BYTES."""
    try:
        status = path.stat()
    except FileNotFoundError:
        raise SecretRefused("no such file") from None
    except OSError as exc:
        raise SecretRefused(f"cannot read it ({exc.strerror or exc})") from None
    if not stat.S_ISREG(status.st_mode):
        raise SecretRefused("not a regular file")
    mode = stat.S_IMODE(status.st_mode)
    if mode & 0o077:
        raise SecretRefused(
            f"is open to its group or others (mode {mode:04o}): "
            f"make it its owner's alone with `chmod 600 {path}`"
        )
    if status.st_size > MAX_SECRET_BYTES:
        raise SecretRefused(f"is {status.st_size} bytes: a secret is at most {MAX_SECRET_BYTES}")
    try:
        secret = path.read_bytes().strip(TRIMMED)
    except OSError as exc:
        raise SecretRefused(f"cannot read it ({exc.strerror or exc})") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise SecretRefused(
            f"holds {len(secret)} bytes: a secret must be at least {MIN_SECRET_BYTES} "
            f"(make one with `(umask 077; openssl rand -hex 32 > {path})`)"
        )
    return secret
