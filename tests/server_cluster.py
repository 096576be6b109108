"""A throwaway PostgreSQL cluster for the tests and benchmarks: initdb in a temporary folder,
pg_ctl start on a Unix socket in that folder (no TCP port to collide with), gone afterwards.

Debian's `postgresql` package provides initdb and pg_ctl (in /usr/lib/postgresql/NN/bin).
PostgreSQL refuses to run as root, so under root (CI) the server runs as the `postgres` user
that package creates, and the folder is handed to it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg


def server_program(name: str) -> str | None:
    """The path of a PostgreSQL server program (initdb, pg_ctl, pg_dump...), or None."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def missing_reason() -> str | None:
    """Why no cluster can be started here, or None."""
    if server_program("initdb") is None or server_program("pg_ctl") is None:
        return (
            "PostgreSQL's server programs (initdb, pg_ctl) are not installed: "
            "apt-get install postgresql"
        )
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root needs runuser to start PostgreSQL as the postgres user"
    return None


class ThrowawayCluster:
    """One PostgreSQL server for a test session, fast rather than durable (fsync off)."""

    def __init__(self, *, durable: bool = False, options: str = "") -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="relapp-pg-"))
        self.data = self.folder / "data"
        self.socket = self.folder
        self.user = "postgres" if os.geteuid() == 0 else None
        self.durable = durable
        self.options = options  # more `-c name=value` settings for the server
        self.log = self.folder / "server.log"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, text=True)

    def start(self) -> ThrowawayCluster:
        if self.user:
            shutil.chown(self.folder, self.user)
        if not self.data.exists():
            self._run(
                server_program("initdb") or "initdb", "-D", str(self.data), "--auth=trust",
                "--encoding=UTF8", "--locale=C.UTF-8", "-U", "relapp",
            )  # fmt: skip
        options = f"-k {self.socket} -c listen_addresses='' -c max_connections=60"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        if self.options:
            options += f" {self.options}"
        self._run(
            server_program("pg_ctl") or "pg_ctl", "-D", str(self.data), "-l", str(self.log),
            "-o", options, "-w", "start",
        )  # fmt: skip
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(server_program("pg_ctl") or "pg_ctl", "-D", str(self.data), "-m", mode, "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://relapp@/{database}?host={self.socket}"

    def admin(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(sql)

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database called name (a copy of template if given); its URL."""
        like = f" TEMPLATE {template}" if template else ""
        self.admin(f'CREATE DATABASE "{name}"{like}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
