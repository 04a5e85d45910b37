"""The control file: how the orchestrator tells the Locust processes which waves are out.

    {"launched": {"1": 1767261600.0, "2": 1767261900.5}, "stop": false}

`launched` maps a wave number (a string, JSON's keys are) to the epoch second it was
launched; a student of wave w arrives at launched[w] + its delay, and a wave absent from
`launched` is not launched, so its students never come. `stop: true` ends the run: every
student logs out and Locust exits. The orchestrator writes the whole file each time
(`write_control`, atomic); Locust polls it (`read_control`).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Control:
    launched: Mapping[int, float] = field(default_factory=dict)
    stop: bool = False


EMPTY = Control()


def write_control(path: Path, launched: Mapping[int, float], stop: bool = False) -> None:
    """Write the control file atomically: a reader sees the old file or the new one."""
    payload = {"launched": {str(w): float(t) for w, t in launched.items()}, "stop": stop}
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(payload, out)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def read_control(path: Path, last_good: Control = EMPTY) -> Control:
    """The control file's content, or `last_good` when it is missing, half-written or
    malformed (a reader never fails on it: it keeps what it knew)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _parse(data)
    except (OSError, ValueError, TypeError, AttributeError):
        return last_good


def _parse(data: Any) -> Control:
    launched = {int(w): float(t) for w, t in dict(data.get("launched", {})).items()}
    stop = data.get("stop", False)
    if not isinstance(stop, bool):
        raise ValueError("`stop` must be true or false")
    return Control(launched, stop)
