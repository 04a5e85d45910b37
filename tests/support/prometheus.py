"""A real Prometheus (Debian's package) on 127.0.0.1, scraping given targets every second."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from tests.support.daemons import stop, wait_ready
from tests.support.postgres import free_port

CONFIG = """\
global:
  scrape_interval: {scrape}s
  evaluation_interval: {evaluation}s
rule_files: [{rule_files}]
scrape_configs:
  - job_name: vigie-test
    scrape_interval: {scrape}s
    scrape_timeout: {timeout}ms
    static_configs:
      - targets: [{targets}]
{authorization}"""


def prometheus_binary() -> str | None:
    return shutil.which("prometheus")


class PrometheusServer:
    """Started by the test, stopped by its own PID; restartable on the same port and data."""

    def __init__(
        self,
        targets: list[str],
        scrape_s: int = 1,
        evaluation_s: int = 1,
        rules: str = "",
        bearer_file: Path | None = None,
    ) -> None:
        """`bearer_file`: scrape with the bearer token this file holds."""
        binary = prometheus_binary()
        assert binary is not None
        self.binary = binary
        self.folder = Path(tempfile.mkdtemp(prefix="vigie-prom-"))
        self.config = self.folder / "prometheus.yml"
        rule_files = ""
        if rules:
            (self.folder / "rules.yml").write_text(rules)
            rule_files = f"'{self.folder / 'rules.yml'}'"
        self.config.write_text(
            CONFIG.format(
                targets=", ".join(f"'{t}'" for t in targets),
                scrape=scrape_s,
                evaluation=evaluation_s,
                timeout=min(900, scrape_s * 900),
                rule_files=rule_files,
                authorization=_authorization(bearer_file),
            )
        )
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                f"--config.file={self.config}",
                f"--storage.tsdb.path={self.folder / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--storage.tsdb.retention.time=1h",
            ],
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "prometheus.log").open("ab"),
        )
        wait_ready(self.process, self.url, self.log_tail, timeout)

    def stop(self) -> None:
        stop(self.process)
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def log_tail(self) -> str:
        log = self.folder / "prometheus.log"
        return log.read_text(errors="replace")[-1500:] if log.exists() else ""

    def instant(self, query: str) -> list[dict[str, object]]:
        response = requests.get(f"{self.url}/api/v1/query", params={"query": query}, timeout=5)
        response.raise_for_status()
        return response.json()["data"]["result"]  # type: ignore[no-any-return]

    def firing(self) -> set[str]:
        """Names of the alerting rules firing now."""
        response = requests.get(f"{self.url}/api/v1/alerts", timeout=5)
        response.raise_for_status()
        alerts = response.json()["data"]["alerts"]
        return {a["labels"]["alertname"] for a in alerts if a["state"] == "firing"}

    def wait_for(self, query: str, expected: float, timeout: float = 30) -> None:
        """Block until `query` evaluates to `expected`: the target has been scraped."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = self.instant(query)
            if result and float(result[0]["value"][1]) == expected:  # type: ignore[index]
                return
            time.sleep(0.1)
        raise TimeoutError(f"{query} never became {expected}: {self.instant(query)}")


def _authorization(bearer_file: Path | None) -> str:
    if bearer_file is None:
        return ""
    return f"    authorization:\n      type: Bearer\n      credentials_file: '{bearer_file}'\n"


# The small plan's platform signals as PromQL, on a source named "prom".
PROMQL_SIGNALS = """
[[signals]]
name = "sessions_active"
source = "prom"
entity = "faculty"
query = "sum by (faculty) (exam_sessions_active)"

[[signals]]
name = "server_connections"
source = "prom"
entity = "server"
query = "exam_server_connections"

[[signals]]
name = "sessions_total"
source = "prom"
entity = "exercise"
query = "scalar(sum(exam_sessions_active))"
"""


def small_plan_reading(sources_and_signals: str) -> str:
    """The small plan's text with its sources and signals replaced by these."""
    from tests.conftest import SMALL_PLAN

    text = SMALL_PLAN.read_text(encoding="utf-8")
    head = text[: text.index("[[sources]]")]
    tail = text[text.index("[simulation]") :]
    return head + sources_and_signals + "\n" + tail
