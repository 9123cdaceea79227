"""Fixtures of the client suite: a client per server, the RFC samples, a scripted stub server."""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from sync_app.client import ClientConfiguration, SCIMClient
from tests.fixtures.servers import ServerUnderTest

SAMPLES = Path(__file__).parent.parent / "samples"


@pytest.fixture
def sample() -> Callable[[str], Any]:
    """Load a JSON sample by its RFC-section name, e.g. ``sample("rfc7643-8.4-group")``."""

    def load(name: str) -> Any:
        return json.loads((SAMPLES / f"{name}.json").read_text())

    return load


@pytest.fixture
def client(scim_server: ServerUnderTest) -> Iterator[SCIMClient]:
    """A client for each SCIM server under test."""
    config = ClientConfiguration(server_url=scim_server.url, auth_token=scim_server.token)
    with SCIMClient(config) as scim_client:
        yield scim_client


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Names that do not collide across tests sharing a server: ``unique("pam")``."""
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:8]}"


# -- a scripted HTTP server, for the faults a real server will not produce on demand ---------


@dataclass
class Reply:
    """What the stub answers to one request."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds to wait before answering (to provoke client timeouts).
    delay: float = 0.0
    #: Raw bytes to send instead of ``body`` as JSON.
    raw: bytes | None = None


@dataclass
class Received:
    """A request the stub received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


class StubServer:
    """An HTTP server on loopback answering queued :class:`Reply` objects in order."""

    def __init__(self) -> None:
        self.replies: queue.Queue[Reply] = queue.Queue()
        self.received: list[Received] = []
        self._release = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                stub.received.append(
                    Received(
                        method=self.command,
                        path=self.path,
                        headers=dict(self.headers),
                        body=json.loads(raw) if raw else None,
                    )
                )
                try:
                    reply = stub.replies.get_nowait()
                except queue.Empty:
                    reply = Reply(status=500, body={"detail": "stub: no reply queued"})
                if reply.delay:
                    stub._release.wait(reply.delay)
                data = reply.raw
                if data is None:
                    data = json.dumps(reply.body).encode() if reply.body is not None else b""
                self.send_response(reply.status)
                headers = {"Content-Type": "application/scim+json", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                # A client that timed out has hung up; the stub's late answer is expected
                # to fail.
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/scim/v2"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def queue(self, *replies: Reply) -> None:
        for reply in replies:
            self.replies.put(reply)

    def client(self, **options: Any) -> SCIMClient:
        return SCIMClient(
            ClientConfiguration(server_url=self.url, auth_token="stub-token", **options)
        )

    def reset(self) -> None:
        while not self.replies.empty():
            self.replies.get_nowait()
        self.received.clear()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def _stub_server() -> Iterator[StubServer]:
    server = StubServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def stub(_stub_server: StubServer) -> StubServer:
    """A scripted HTTP server on a free loopback port, with nothing queued or received."""
    _stub_server.reset()
    return _stub_server
