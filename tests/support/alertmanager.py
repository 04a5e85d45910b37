"""A real Alertmanager (Debian's prometheus-alertmanager) on 127.0.0.1, stopped by its PID."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from tests.support.daemons import stop, wait_ready
from tests.support.postgres import free_port

CONFIG = """\
route:
  receiver: nowhere
  group_wait: 1s
receivers:
  - name: nowhere
"""


def alertmanager_binary() -> str | None:
    return shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")


class AlertmanagerServer:
    def __init__(self) -> None:
        binary = alertmanager_binary()
        assert binary is not None
        self.folder = Path(tempfile.mkdtemp(prefix="vigie-am-"))
        (self.folder / "alertmanager.yml").write_text(CONFIG)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                binary,
                f"--config.file={self.folder / 'alertmanager.yml'}",
                f"--storage.path={self.folder / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--cluster.listen-address=",  # no cluster port on 0.0.0.0:9094
            ],
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "alertmanager.log").open("ab"),
        )

    def wait_ready(self, timeout: float = 30) -> None:
        log = self.folder / "alertmanager.log"
        wait_ready(self.process, self.url, lambda: log.read_text()[-1500:], timeout)

    def alerts(self) -> list[dict[str, Any]]:
        response = requests.get(f"{self.url}/api/v2/alerts", timeout=5)
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    def stop(self) -> None:
        stop(self.process)
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def running_alertmanager() -> Iterator[AlertmanagerServer]:
    """Started, ready, and stopped by its PID when the block ends."""
    server = AlertmanagerServer()
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
