"""Run the `vigie` command as a user would, in a child process."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading


def run_vigie(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vigie", *args], capture_output=True, text=True, timeout=timeout
    )


def run_vigie_with_input(
    text: str, *args: str, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """The command with `text` on its standard input (a pipe, not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "vigie", *args],
        input=text,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_on_a_terminal(*args: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """The command with its stderr on a pseudo-terminal (where a progress bar is drawn)."""
    main, child = pty.openpty()
    seen = bytearray()
    drain = threading.Thread(target=_read_all, args=(main, seen), daemon=True)
    drain.start()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "vigie", *args],
            stdout=subprocess.PIPE,
            stderr=child,
            text=True,
            timeout=180,
        )
    finally:
        os.close(child)
        drain.join(timeout=5)
        os.close(main)
    return done, seen.decode(errors="replace")


def _read_all(fd: int, into: bytearray) -> None:
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the terminal's other end closed
            return
        if not chunk:
            return
        into.extend(chunk)
