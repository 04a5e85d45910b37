"""A bounded on-disk queue of batches, oldest first, that survives restarts.

Each batch is one file, written to a temporary name and renamed, so a crash
never leaves half a batch to send. Names sort in the order the batches were
made. Past `max_bytes` the oldest batches are dropped (and counted): a faculty
machine's disk must never fill up because the central was away.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

SUFFIX = ".json.gz"


class Spool:
    """One agent's spool. The folder is read once at start; after that the spool keeps
    its own account of what waits, so a long backlog costs no directory scan per batch."""

    def __init__(self, folder: Path, max_bytes: int = 50 * 1024 * 1024) -> None:
        self.folder = folder
        self.rejected = folder / "rejected"
        self.max_bytes = max_bytes
        self.dropped = 0
        self.rejected.mkdir(parents=True, exist_ok=True)
        self._waiting = {p: p.stat().st_size for p in sorted(folder.glob(f"*{SUFFIX}"))}
        self._bytes = sum(self._waiting.values())
        self._sequence = self._last_sequence()

    def _last_sequence(self) -> int:
        names = [p.name for p in self._waiting]
        names += [p.name for p in self.rejected.glob(f"*{SUFFIX}")]
        return max((int(n.split("-")[1].split(".")[0]) for n in names), default=0)

    def append(self, at: float, payload: bytes) -> Path:
        """Store one batch; its name sorts by creation and is unique across restarts."""
        self._sequence += 1
        name = f"{round(at * 1000):015d}-{self._sequence:09d}{SUFFIX}"
        final = self.folder / name
        temporary = self.folder / f".{name}.tmp"
        with open(temporary, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, final)
        self._waiting[final] = len(payload)
        self._bytes += len(payload)
        self._enforce_bound()
        return final

    def pending(self) -> Iterator[Path]:
        return iter(list(self._waiting))  # oldest first: batches are added in name order

    def count(self) -> int:
        return len(self._waiting)

    def sent(self, batch: Path) -> None:
        self._forget(batch)
        batch.unlink(missing_ok=True)

    def reject(self, batch: Path) -> None:
        """Set aside a batch the central refused: keep it for a person, never resend it."""
        self._forget(batch)
        os.replace(batch, self.rejected / batch.name)

    def _forget(self, batch: Path) -> None:
        self._bytes -= self._waiting.pop(batch, 0)

    def _enforce_bound(self) -> None:
        while self._waiting and self._bytes > self.max_bytes:
            oldest = next(iter(self._waiting))
            self._forget(oldest)
            oldest.unlink(missing_ok=True)
            self.dropped += 1
            log.warning(
                "spool over %d bytes: dropped the oldest batch %s", self.max_bytes, oldest.name
            )
