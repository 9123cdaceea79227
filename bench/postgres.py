"""A throwaway PostgreSQL cluster for a benchmark, and what it costs while it runs.

:func:`cluster` runs initdb + pg_ctl from the local installation in a temporary directory,
listening on a free loopback port, with PostgreSQL's default durability settings (fsync and
synchronous_commit on, as a workshop's database runs), and removes it afterwards. PostgreSQL
refuses to run as root, so under root the binaries run as ``postgres`` (``runuser``), as the
test fixture does (tests/fixtures/postgres.py).

:class:`Usage` reads the cluster's CPU time (the postmaster and every backend, including the
backends that have already exited, which the postmaster has reaped) and the number of sessions
opened so far (``pg_stat_database.sessions``, PostgreSQL 14 and later): the differences over a
run are the database's CPU and the connections the servers' pools opened.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil


def _bin_dir() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    if not candidates:
        raise SystemExit("--postgres needs PostgreSQL's initdb and pg_ctl; none is installed.")
    return Path(candidates[0]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    url: str
    data: Path

    @property
    def postmaster(self) -> int:
        """The postmaster's pid (first line of postmaster.pid)."""
        return int((self.data / "postmaster.pid").read_text().split()[0])


@contextmanager
def cluster(max_connections: int = 200, options: str = "") -> Iterator[Cluster]:
    """A fresh cluster; yields its SQLAlchemy URL and data directory. ``options``: more
    ``-c name=value`` settings for the postmaster."""
    bindir = _bin_dir()
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="scim-bench-pg-"))
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
    data, port = root / "data", _free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)

    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections={max_connections}"
        f" {options}"
    )
    run(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(root / "log"),
        "-w",
        "start",
    )
    try:
        yield Cluster(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", data)
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


def cpu_seconds(postmaster: int) -> float:
    """CPU seconds of the postmaster and all its backends, live or already reaped."""
    try:
        main = psutil.Process(postmaster)
        times = main.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        children = main.children(recursive=True)
    except psutil.Error:
        return float("nan")
    for child in children:
        try:
            child_times = child.cpu_times()
        except psutil.Error:  # exited meanwhile: its time is now in the postmaster's children
            continue
        total += child_times.user + child_times.system
    return total


def sessions(url: str) -> int:
    """Sessions opened on the cluster so far (this query's own included)."""
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as conn:
        row = conn.execute("SELECT coalesce(sum(sessions), 0) FROM pg_stat_database").fetchone()
    return int(row[0]) if row else 0
