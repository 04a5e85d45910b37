"""Run the `vigie` command as a user would, in a child process."""

from __future__ import annotations

import subprocess
import sys


def run_vigie(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vigie", *args], capture_output=True, text=True, timeout=timeout
    )
