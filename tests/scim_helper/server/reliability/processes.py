"""The server as a separate process (``python -m scim_helper.server``), for tests that kill
it, restart it, run two of it on one database, or read everything it writes to its logs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

START_TIMEOUT = 60.0


class ServerProcess:
    """``python -m scim_helper.server`` on a free loopback port; stdout and stderr are kept
    in full (read by a thread, so the pipes never fill up)."""

    def __init__(
        self,
        db: str | Path,
        token: str,
        *,
        log_level: str = "info",
        extra: tuple[str, ...] = (),
        home: Path | None = None,
    ) -> None:
        self.command = [sys.executable, "-m", "scim_helper.server", "--port", "0"]
        self.command += ["--db", str(db), "--token", token, "--log-level", log_level, *extra]
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if home is not None:
            self.env["XDG_DATA_HOME"] = str(home)
        self.token = token
        self.url = ""
        self.output: list[str] = []
        self.process: subprocess.Popen[str] | None = None
        self._readers: list[threading.Thread] = []

    def start(self) -> ServerProcess:
        self.process = subprocess.Popen(
            self.command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.env,
            text=True,
        )
        started = threading.Event()
        for stream in (self.process.stdout, self.process.stderr):
            assert stream is not None
            reader = threading.Thread(target=self._read, args=(stream, started), daemon=True)
            reader.start()
            self._readers.append(reader)
        if not started.wait(START_TIMEOUT) or not self.url:
            self.kill()
            raise RuntimeError(f"The server process did not start:\n{self.log}")
        return self

    def _read(self, stream: IO[str], started: threading.Event) -> None:
        for line in stream:
            self.output.append(line)
            if line.startswith("SCIM server running at "):
                self.url = line.rsplit(" ", 1)[1].strip()
                started.set()
        started.set()  # the process ended (or closed its output) before starting

    @property
    def log(self) -> str:
        """Everything the process has written to stdout and stderr so far."""
        return "".join(self.output)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a laptop's process is killed."""
        self._end(signal.SIGKILL)

    def stop(self) -> None:
        """SIGTERM: the server's orderly stop."""
        self._end(signal.SIGTERM)

    def _end(self, signum: int) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        deadline = time.monotonic() + 10
        for reader in self._readers:
            reader.join(timeout=max(deadline - time.monotonic(), 0.1))
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
