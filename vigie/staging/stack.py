"""The staging platform on 127.0.0.1: PostgreSQL, its exporter, the node exporter, the exam
app under gunicorn, HAProxy in front and a Prometheus scraping them all.

Every server binds 127.0.0.1 on a free port, is started here and stopped by its own PID,
in reverse order. `StagingStack.start()` raises StagingError (with the failing server's
log tail) after stopping whatever it had started.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import requests

import vigie
from vigie.staging.haproxy_config import HaproxySettings, render_haproxy_config
from vigie.staging.postgres import PostgresCluster, postgres_bin_dir, start_cluster
from vigie.staging.processes import (
    StagingError,
    free_port,
    http_ok,
    log_tail,
    pid_alive,
    spawn,
    stop_child,
    stop_pid,
    wait_ready,
)
from vigie.staging.prometheus_config import render_prometheus_config

BINARIES = ("haproxy", "prometheus", "prometheus-node-exporter", "prometheus-postgres-exporter")
JOBS = ("haproxy", "exam-app", "postgres", "node")
NODE_COLLECTORS_OFF = ("hwmon", "thermal_zone", "rapl", "powersupplyclass", "btrfs", "zfs")
READY_TIMEOUT_S = 30.0


@dataclass(frozen=True, kw_only=True)
class StagingSettings:
    frontend_maxconn: int = 2000
    global_maxconn: int = 4000
    per_source_limit: int | None = None
    pg_max_connections: int = 50
    app_workers: int = 2
    app_threads: int = 4
    scrape_interval_s: int = 1

    def __post_init__(self) -> None:
        app_connections = self.app_workers * self.app_threads
        if self.app_workers < 1 or self.app_threads < 1:
            raise ValueError("app_workers and app_threads must be at least 1")
        if app_connections + 4 > self.pg_max_connections:
            raise ValueError(
                f"pg_max_connections={self.pg_max_connections} leaves no room beside the app's"
                f" {app_connections} connections (workers x threads) and the exporter"
            )


def missing_components() -> list[str]:
    """What this machine lacks to run the stack (empty when it can)."""
    missing = [name for name in BINARIES if shutil.which(name) is None]
    if postgres_bin_dir() is None:
        missing.append("PostgreSQL (initdb)")
    missing += [m for m in ("gunicorn", "flask", "psycopg") if importlib.util.find_spec(m) is None]
    return missing


def _package_root() -> str:
    """The folder holding this `vigie`, so gunicorn imports the same code as its parent."""
    return str(Path(vigie.__file__).resolve().parents[1])


class StagingStack:
    """Context manager: `with StagingStack(StagingSettings()) as stack: stack.exam_url`."""

    def __init__(self, settings: StagingSettings | None = None) -> None:
        self.settings = settings or StagingSettings()
        self.ports = {
            name: free_port()
            for name in ("exam", "haproxy_metrics", "app", "postgres", "pg_exporter", "node")
        }
        self.ports["prometheus"] = free_port()
        self.folder: Path | None = None
        self.pids: dict[str, int] = {}
        self.instances: dict[str, str] = {}
        self._stoppers: list[Callable[[], None]] = []
        self._cluster: PostgresCluster | None = None

    def _url(self, name: str, path: str = "") -> str:
        return f"http://127.0.0.1:{self.ports[name]}{path}"

    @property
    def exam_url(self) -> str:
        return self._url("exam")

    @property
    def haproxy_metrics_url(self) -> str:
        return self._url("haproxy_metrics", "/metrics")

    @property
    def app_metrics_url(self) -> str:
        return self._url("app", "/metrics")

    @property
    def prometheus_url(self) -> str:
        return self._url("prometheus")

    @property
    def node_exporter_url(self) -> str:
        return self._url("node", "/metrics")

    @property
    def postgres_exporter_url(self) -> str:
        return self._url("pg_exporter", "/metrics")

    @property
    def postgres_dsn(self) -> str:
        return f"host=127.0.0.1 port={self.ports['postgres']} user=postgres dbname=exam"

    @property
    def haproxy_stats_socket(self) -> Path:
        return self._require_folder() / "haproxy" / "admin.sock"

    def _require_folder(self) -> Path:
        if self.folder is None:
            raise StagingError("the staging stack is not started")
        return self.folder

    def __enter__(self) -> StagingStack:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start every server, each ready before the next; raises StagingError."""
        if self.folder is not None:
            raise StagingError("the staging stack is already started")
        missing = missing_components()
        if missing:
            raise StagingError(f"missing on this machine: {', '.join(missing)}")
        self.folder = Path(tempfile.mkdtemp(prefix="vigie-staging-"))
        self.folder.chmod(0o711)  # the postgres account must reach its data folder
        try:
            for start_one in (
                self._start_postgres,
                self._start_postgres_exporter,
                self._start_node_exporter,
                self._start_exam_app,
                self._start_haproxy,
                self._start_prometheus,
            ):
                start_one()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop what was started, newest first, by PID; remove the folder. Safe to repeat."""
        while self._stoppers:
            self._stoppers.pop()()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def _log(self, name: str) -> Path:
        folder = self._require_folder() / name
        folder.mkdir(exist_ok=True)
        return folder / f"{name}.log"

    def _child(self, name: str, process: subprocess.Popen[bytes]) -> None:
        self.pids[name] = process.pid
        self._stoppers.append(lambda: stop_child(process))

    def _wait_http(self, name: str, process: subprocess.Popen[bytes], url: str) -> None:
        wait_ready(
            name,
            lambda: http_ok(url),
            self._log(name),
            READY_TIMEOUT_S,
            alive=lambda: process.poll() is None,
        )

    def _start_postgres(self) -> None:
        bin_dir = postgres_bin_dir()
        assert bin_dir is not None  # checked by missing_components()
        cluster = start_cluster(
            bin_dir,
            self._require_folder() / "postgres",
            self.ports["postgres"],
            self.settings.pg_max_connections,
            READY_TIMEOUT_S,
        )
        self._cluster = cluster
        self.pids["postgres"] = cluster.pid
        self._stoppers.append(cluster.stop)

    def _start_postgres_exporter(self) -> None:
        assert self._cluster is not None
        process = spawn(
            [
                "prometheus-postgres-exporter",
                f"--web.listen-address=127.0.0.1:{self.ports['pg_exporter']}",
            ],
            self._log("postgres-exporter"),
            env={"DATA_SOURCE_NAME": self._cluster.url},
        )
        self._child("postgres-exporter", process)
        self._wait_http("postgres-exporter", process, self.postgres_exporter_url)

    def _start_node_exporter(self) -> None:
        off = [f"--no-collector.{name}" for name in NODE_COLLECTORS_OFF]
        process = spawn(
            [
                "prometheus-node-exporter",
                f"--web.listen-address=127.0.0.1:{self.ports['node']}",
                "--collector.tcpstat",
                *off,
            ],
            self._log("node-exporter"),
        )
        self._child("node-exporter", process)
        self._wait_http("node-exporter", process, self.node_exporter_url)

    def _start_exam_app(self) -> None:
        settings = self.settings
        command = [
            *(sys.executable, "-m", "gunicorn", "--worker-class", "gthread"),
            *("--workers", str(settings.app_workers), "--threads", str(settings.app_threads)),
            *("--keep-alive", "300", "--graceful-timeout", "5", "--preload"),
            *("--bind", f"127.0.0.1:{self.ports['app']}", "--error-logfile", "-"),
            "vigie.staging.exam_app:app_from_env()",
        ]
        path = os.pathsep.join(p for p in (_package_root(), os.environ.get("PYTHONPATH")) if p)
        env = {
            "PYTHONPATH": path,
            "VIGIE_EXAM_DSN": self.postgres_dsn,
            "VIGIE_EXAM_SECRET": secrets.token_hex(32),
            "VIGIE_EXAM_POOL": str(settings.app_threads),
        }
        process = spawn(command, self._log("exam-app"), env=env)
        self._child("exam-app", process)
        self._wait_http("exam-app", process, self._url("app", "/healthz"))

    def _start_haproxy(self) -> None:
        folder = self._require_folder() / "haproxy"
        log = self._log("haproxy")
        config = folder / "haproxy.cfg"
        config.write_text(render_haproxy_config(self._haproxy_settings()))
        pidfile = folder / "haproxy.pid"
        with log.open("ab") as out:
            done = subprocess.run(
                ["haproxy", "-f", str(config), "-D", "-p", str(pidfile)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if done.returncode != 0 or not pidfile.exists():
            raise StagingError(f"haproxy failed to start; log tail:\n{log_tail(log)}")
        pid = int(pidfile.read_text().split()[0])
        self.pids["haproxy"] = pid
        self._stoppers.append(lambda: stop_pid(pid))
        wait_ready(
            "haproxy",
            lambda: http_ok(self.haproxy_metrics_url) and http_ok(f"{self.exam_url}/healthz"),
            log,
            READY_TIMEOUT_S,
            alive=lambda: pid_alive(pid),
        )

    def _haproxy_settings(self) -> HaproxySettings:
        return HaproxySettings(
            frontend_port=self.ports["exam"],
            metrics_port=self.ports["haproxy_metrics"],
            backend_port=self.ports["app"],
            stats_socket=self.haproxy_stats_socket,
            frontend_maxconn=self.settings.frontend_maxconn,
            global_maxconn=self.settings.global_maxconn,
            per_source_limit=self.settings.per_source_limit,
        )

    def _start_prometheus(self) -> None:
        folder = self._require_folder() / "prometheus"
        log = self._log("prometheus")
        targets = {
            job: f"127.0.0.1:{self.ports[port]}"
            for job, port in zip(
                JOBS, ("haproxy_metrics", "app", "pg_exporter", "node"), strict=True
            )
        }
        config = folder / "prometheus.yml"
        config.write_text(render_prometheus_config(targets, self.settings.scrape_interval_s))
        process = spawn(
            [
                "prometheus",
                f"--config.file={config}",
                f"--storage.tsdb.path={folder / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.ports['prometheus']}",
                "--storage.tsdb.retention.time=1h",
            ],
            log,
        )
        self._child("prometheus", process)
        self._wait_http("prometheus", process, f"{self.prometheus_url}/-/ready")
        wait_ready(
            "prometheus targets",
            self._all_targets_up,
            log,
            READY_TIMEOUT_S,
            alive=lambda: process.poll() is None,
        )

    def _all_targets_up(self) -> bool:
        """True once every job's target was scraped healthy; fills `instances` from labels."""
        try:
            response = requests.get(f"{self.prometheus_url}/api/v1/targets", timeout=2)
            active = response.json()["data"]["activeTargets"]
        except (requests.RequestException, ValueError, KeyError):
            return False
        up = {t["labels"]["job"]: t["labels"]["instance"] for t in active if t["health"] == "up"}
        if set(up) != set(JOBS):
            return False
        self.instances = up
        return True
