"""Why a store cannot be opened. Every command prints the one line and exits 1."""

from __future__ import annotations


class StoreUnavailable(RuntimeError):
    """The store cannot be reached or used: one line naming it (password hidden) and why."""


class StoreOutdated(StoreUnavailable):
    """The store is at an older schema version: `vigie db upgrade` brings it to this one."""


class StoreTooNew(StoreUnavailable):
    """A newer Vigie upgraded the store past any version this one knows."""


class StoreUnrecognised(StoreUnavailable):
    """The store has Vigie's tables but neither a recorded version nor a released shape."""
