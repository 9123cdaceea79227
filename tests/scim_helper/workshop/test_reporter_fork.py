"""A process forked after its parent reported a check still reports its own (issue 18).

The reporter sends from one daemon thread that waits on a queue. A forked child has none of its
parent's threads, yet the queue it inherits still lists the parent's thread as a waiter: the
child's first report woke that dead waiter, so its own thread never took the report, and
``reporter.wait()`` ran out its timeout. mutmut forks one child per mutant after a first run of
the tests in the parent, so every reporter test would fail by timeout and each mutant it reached
would count as caught (the fault issue 18 found in ``routes._WORKERS``). Our own guard, not an
RFC matter: the child gets a queue and a thread of its own.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from scim_helper import checks
from scim_helper.workshop import reporter
from sync_app.client import SCIMClient
from sync_app.config import ClientConfiguration

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


class _Workshop(BaseHTTPRequestHandler):
    """Says it is a workshop server (bulk.maxOperations 7) and keeps every report it gets."""

    received: ClassVar[list[dict[str, object]]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = json.dumps({"bulk": {"supported": True, "maxOperations": 7}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/scim+json")
        self.send_header(reporter.HEADER, "/Workshop/Progress")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Workshop.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()


@pytest.fixture
def workshop_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.delenv(reporter.PROGRESS_ENV, raising=False)
    _Workshop.received.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Workshop)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/scim/v2"
    finally:
        server.shutdown()
        server.server_close()


def _check_and_report(url: str, answer: int) -> bool:
    """One check against the workshop server; True once its report has been sent."""
    with SCIMClient(ClientConfiguration(server_url=url, auth_token="t", retries=0)) as client:
        checks.welcome_bulk_limit(client, answer)
    return reporter.wait(timeout=5)


def _exit_code(pid: int, seconds: float) -> int | None:
    """The child's exit code, or None (and the child killed) if it runs past ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None


def test_a_forked_child_reports_after_its_parent_did(workshop_url: str) -> None:
    """The parent reports first (its sending thread then waits on the queue), then a forked
    child reports a hint: the child's queue drains within 5 s and the server got the hint."""
    assert _check_and_report(workshop_url, 7)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit code only
        code = 1
        try:
            code = 0 if _check_and_report(workshop_url, 6) else 2
        finally:
            os._exit(code)
    assert _exit_code(pid, 30) == 0
    assert [r["outcome"] for r in _Workshop.received] == ["pass", "hint"]
