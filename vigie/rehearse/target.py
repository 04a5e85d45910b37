"""Where a rehearsal may send its virtual students: loopback, or a host its operator owns.

A load test pointed at someone else's platform is an attack. So `--target` takes a
loopback address, or another host only when the operator names that same host with
`--i-own-this-target`: a typo or a copied command can never aim it elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from vigie.netcheck import is_loopback


class TargetRefused(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    url: str  # scheme://host:port, no path
    host: str

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)


def checked_target(url: str, owned_host: str | None) -> Target:
    """raises TargetRefused naming what is wrong with `url` or with the ownership claim."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused(f"--target {url!r} is not an http(s) URL with a host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise TargetRefused(f"--target {url!r}: give the platform's root, without a path")
    host = parts.hostname
    try:
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(f"--target {url!r}: {exc}") from exc
    target = Target(f"{parts.scheme}://{parts.netloc}", host)
    if target.loopback:
        return target
    if owned_host is None:
        raise TargetRefused(
            f"--target {host} is not a loopback address: a rehearsal loads it like thousands "
            f"of students. If this platform is yours, say so with --i-own-this-target {host}"
        )
    if owned_host.strip().lower() != host.lower():
        raise TargetRefused(
            f"--i-own-this-target names {owned_host!r}, but --target is {host!r}: "
            "they must be the same host"
        )
    del port
    return target
