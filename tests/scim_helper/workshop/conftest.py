"""A prepared room (SQLite) and its workshop server, shared by a test module."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scim_helper.workshop import reporter
from scim_helper.workshop.prepare import Room
from tests.fixtures.workshop import WorkshopServer, prepare_room


@dataclass
class Workshop:
    server: WorkshopServer
    room: Room
    tokens: Path

    def learner(self, name: str) -> dict[str, str]:
        """The Authorization header of a learner."""
        return {"Authorization": f"Bearer {self.room.learners[name]}"}

    @property
    def instructor(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.room.instructor}"}


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workshop]:
    """Three learners (ann, bob, cat) on a SQLite room served by `scim-course workshop serve`."""
    folder = tmp_path_factory.mktemp("room")
    db, tokens = str(folder / "room.db"), folder / "tokens.csv"
    room = prepare_room(db, ["ann", "bob", "cat"], tokens)
    with WorkshopServer(db) as server:
        yield Workshop(server, room, tokens)


@dataclass
class Received:
    """One report as a fake workshop server got it."""

    path: str
    authorization: str
    body: dict[str, object]


@dataclass
class FakeWorkshop:
    """A server that says it is a workshop server (``bulk.maxOperations`` 7 for any GET) and
    keeps every report POSTed to it, answered at once."""

    url: str
    received: list[Received] = field(default_factory=list)


class AdvertisingWorkshop(BaseHTTPRequestHandler):
    """Answers every GET as a workshop server would (``bulk.maxOperations`` 7 and the
    reporter's header); subclasses say what a POSTed report gets."""

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


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` on a loopback port, in a thread; its SCIM base URL. Stopped after."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/scim/v2"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fake_workshop() -> Iterator[FakeWorkshop]:
    fake = FakeWorkshop("")

    class Handler(AdvertisingWorkshop):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            body = json.loads(self.rfile.read(length))
            fake.received.append(Received(self.path, self.headers["Authorization"], body))
            self.send_response(204)
            self.end_headers()

    with serving(Handler) as fake.url:
        yield fake
