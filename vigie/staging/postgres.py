"""A throwaway PostgreSQL 15 cluster on 127.0.0.1, run as the `postgres` account when root."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from vigie.staging.processes import StagingError, log_tail, pid_alive, stop_pid, wait_ready

DATABASE = "exam"


def postgres_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin holding initdb, or the one on PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    found = [Path(c) for c in candidates if (Path(c) / "initdb").exists()]
    if found:
        return found[0]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def as_postgres_user() -> list[str]:
    """initdb refuses to run as root: run the server as the `postgres` account then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass(frozen=True)
class PostgresCluster:
    """A running cluster: stop() sends a fast shutdown (SIGINT) to its postmaster's PID."""

    data_dir: Path
    port: int
    pid: int

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={DATABASE}"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}?sslmode=disable"

    def stop(self) -> None:
        stop_pid(self.pid, signal.SIGINT)


def _run(command: list[str], what: str, log: Path) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()[-800:]
        raise StagingError(f"{what} failed: {detail}\nserver log:\n{log_tail(log)}")


def _owned_by_postgres(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")


def start_cluster(
    bin_dir: Path, folder: Path, port: int, max_connections: int, timeout: float = 30
) -> PostgresCluster:
    """initdb in `folder`/data, start it, create database `exam`; raises StagingError."""
    data_dir = folder / "data"
    _owned_by_postgres(data_dir)
    log = folder / "data" / "server.log"
    run_as = as_postgres_user()
    initdb = [str(bin_dir / "initdb"), "-D", str(data_dir), "-U", "postgres", "-A", "trust"]
    _run([*run_as, *initdb, "--no-sync"], "initdb", log)
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {data_dir}"
        f" -c max_connections={max_connections} -c fsync=off"
    )
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-l", str(log), "-o", options]
    _run([*run_as, *pg_ctl, "-w", "-t", str(int(timeout)), "start"], "pg_ctl start", log)
    pid = int((data_dir / "postmaster.pid").read_text().splitlines()[0])
    cluster = PostgresCluster(data_dir, port, pid)
    try:
        _ready_with_database(bin_dir, cluster, log, timeout)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _ready_with_database(
    bin_dir: Path, cluster: PostgresCluster, log: Path, timeout: float
) -> None:
    isready = [str(bin_dir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(cluster.port)]
    wait_ready(
        "PostgreSQL",
        lambda: subprocess.run(isready, check=False).returncode == 0,
        log,
        timeout,
        alive=lambda: pid_alive(cluster.pid),
    )
    admin = f"host=127.0.0.1 port={cluster.port} user=postgres dbname=postgres"
    import psycopg  # the `postgres` extra: `vigie.staging` imports without it, to say so

    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
