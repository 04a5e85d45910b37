"""Debian's headless Chromium, kept off the network, for screenshots and rendered DOM."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = Path("/usr/lib/chromium/chromium")  # the real binary, not Debian's wrapper script

OFFLINE_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--hide-scrollbars",
]


def chromium_binary() -> Path | None:
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium")
    return Path(found) if found else None


def _run(
    url: str, extra: list[str], budget_ms: int, size: tuple[int, int] = (1920, 1080)
) -> subprocess.CompletedProcess[str]:
    binary = chromium_binary()
    assert binary is not None
    with tempfile.TemporaryDirectory(prefix="vigie-chromium-") as profile:
        return subprocess.run(
            [
                str(binary),
                *OFFLINE_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={size[0]},{size[1]}",
                f"--virtual-time-budget={budget_ms}",
                *extra,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def screenshot(
    url: str, out: Path, budget_ms: int = 8000, size: tuple[int, int] = (1920, 1080)
) -> None:
    """A screenshot at `size` once the page's callbacks have had `budget_ms` to run."""
    out.parent.mkdir(parents=True, exist_ok=True)
    result = _run(url, [f"--screenshot={out}"], budget_ms, size)
    assert out.exists(), result.stderr[-2000:]


def rendered_dom(url: str, budget_ms: int = 8000) -> str:
    """The page's DOM after its scripts ran: what a person actually sees as text."""
    result = _run(url, ["--dump-dom"], budget_ms)
    return result.stdout
