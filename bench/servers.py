"""The servers a benchmark talks to, each in its own process on a loopback port.

A server under test runs in a separate process so that the client and the server do not
share a GIL: the figures are then what one client sees from a server on a 2-core machine.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

HOST = "127.0.0.1"
START_TIMEOUT = 30.0
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _bin(name: str) -> str:
    """A console script of the running interpreter's environment (the project's .venv)."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


@dataclass
class Server:
    """One server process: its name, base URL, bearer token and the process itself."""

    name: str
    url: str
    token: str | None
    command: list[str]
    probe: str
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> Server:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"{self.name} exited while starting:\n{error}")
            try:
                if requests.get(self.url + self.probe, timeout=1).status_code < 500:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer on {self.url} within {START_TIMEOUT}s.")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def rss_mb(self) -> float:
        """Resident memory of the server process, in MB (Linux /proc)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def session(self) -> requests.Session:
        session = requests.Session()
        session.headers["Content-Type"] = "application/scim+json"
        session.headers["Accept"] = "application/scim+json"
        if self.token:
            session.headers["Authorization"] = f"Bearer {self.token}"
        return session

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def ours(db: Path) -> Server:
    """The course's server (``scim-course serve``), on a fresh SQLite file."""
    port, token = free_port(), secrets.token_hex(24)
    command = [sys.executable, "-m", "scim_helper.server", "--db", str(db), "--port", str(port)]
    command += ["--token", token, "--log-level", "warning"]
    return Server("ours", f"http://{HOST}:{port}/scim/v2", token, command, "/ServiceProviderConfig")


def peer() -> Server:
    """``scim2-server``, the reference server from PyPI (in memory)."""
    port, token = free_port(), secrets.token_hex(24)
    command = [_bin("scim2-server"), "--port", str(port), "--bearer-token", token]
    return Server(
        "scim2-server", f"http://{HOST}:{port}/v2", token, command, "/ServiceProviderConfig"
    )


def ceiling() -> Server:
    """The bare Starlette endpoint of :mod:`bench.ceiling`."""
    port = free_port()
    command = [sys.executable, "-m", "bench.ceiling", "--port", str(port)]
    return Server("ceiling", f"http://{HOST}:{port}/scim/v2", None, command, "/Users/probe")
