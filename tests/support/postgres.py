"""A throwaway PostgreSQL cluster on 127.0.0.1, started and stopped by the tests."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from vigie.staging.postgres import as_postgres_user, postgres_bin_dir
from vigie.staging.processes import free_port

__all__ = ["PostgresServer", "free_port", "start_postgres"]  # free_port: the tests' one


@dataclass
class PostgresServer:
    bin_dir: Path
    data_dir: Path
    port: int
    pid: int
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database_url(self) -> str:
        import psycopg

        name = f"vigie_test_{next(self._names)}"
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Fast shutdown of the postmaster this fixture started (pg_ctl signals its PID)."""
        subprocess.run(
            [
                *as_postgres_user(),
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-m",
                "fast",
                "-w",
                "-t",
                "30",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def start_postgres() -> tuple[PostgresServer | None, str]:
    """Start a cluster in a fresh folder of /tmp (pytest's own are closed to `postgres`)."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        return None, "no initdb found (apt-get install postgresql-15)"
    base = Path(tempfile.mkdtemp(prefix="vigie-pg-"))
    data_dir = base / "data"
    data_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(data_dir, "postgres")
    run_as = as_postgres_user()
    initdb = subprocess.run(
        [*run_as, str(bin_dir / "initdb"), "-D", str(data_dir), "-U", "postgres", "-A", "trust"],
        capture_output=True,
        text=True,
        check=False,
    )
    if initdb.returncode != 0:
        return None, f"initdb failed: {initdb.stderr.strip()[-300:]}"
    port = free_port()
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data_dir} -c fsync=off"
    started = subprocess.run(
        [
            *run_as,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data_dir),
            "-w",
            "-t",
            "30",
            "-l",
            str(data_dir / "server.log"),
            "-o",
            options,
            "start",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if started.returncode != 0:
        return None, f"pg_ctl start failed: {started.stderr.strip()[-300:]}"
    pid = int((data_dir / "postmaster.pid").read_text().splitlines()[0])
    return PostgresServer(bin_dir, data_dir, port, pid), ""
