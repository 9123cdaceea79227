"""The one way to run the server in-process: notebooks, the CLI's tests and the test suite use it.

:class:`LocalServer` serves the app with uvicorn in a daemon thread on a loopback port (httpx's
``serve_in_thread`` pattern: start, wait for ``started``, use it, set ``should_exit``, join)::

    with LocalServer("course.db") as server:
        requests.get(f"{server.url}/Users", headers={"Authorization": f"Bearer {server.token}"})

The data lives in the database, not in the process: restarting with the same ``db`` and token
finds the same tenant and the same resources.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
import uvicorn

from .app import BASE_PATH, create_app
from .limits import Limits
from .protocol import uvicorn_settings

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

APP_NAME = "office-scim-course"
#: Moves the data directory (tests, and learners who keep several course set-ups apart).
DATA_DIR_ENV = "SCIM_COURSE_DATA_DIR"
_START_TIMEOUT = 10.0

# The course's data paths live here, and only here: ``scim-course serve``, ``scim-course token``
# and a notebook's ``course_server()`` all find the database and the token through these three.


def data_dir() -> Path:
    """The directory holding the course's database and token file.

    ``$SCIM_COURSE_DATA_DIR`` when it is set, else the per-user data directory.
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_NAME))


def default_db() -> Path:
    """The SQLite file the course uses when no ``--db`` is given."""
    return data_dir() / "scim.db"


def default_token_file() -> Path:
    """Where the course's own token is kept (readable by its owner only)."""
    return data_dir() / "token"


def write_token_file(path: Path, token: str) -> None:
    """Write ``token`` to ``path`` so that only its owner can read it (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    os.chmod(path, 0o600)


def read_token_file(path: Path) -> str | None:
    """The token stored in ``path``, or ``None`` if there is none."""
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return token or None


# -- the sandbox record ---------------------------------------------------------------------------
#
# The course empties a tenant only on its own embedded server. It recognises that server
# positively: when the course starts it, the runner writes {url, pid, token digest} into the data
# directory (one small file per running server, readable by its owner only), and removes it on
# stop. A kernel that was handed the URL and token (``scim-course lab``) finds the record there.

SANDBOX_RECORDS = "sandboxes"


def token_digest(token: str) -> str:
    """The SHA-256 of a token: what a sandbox record keeps instead of the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def sandbox_records(directory: Path) -> list[dict[str, Any]]:
    """Every sandbox record in a data directory (unreadable files are skipped)."""
    records = []
    for path in sorted((directory / SANDBOX_RECORDS).glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def bind_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (port 0: a free one), inheritable by workers."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class QuietServer(uvicorn.Server):
    """uvicorn's server, waking once a second when idle rather than ten times.

    uvicorn's main loop wakes every 0.1 s to see whether it should stop. Each wake-up of an
    idle process costs CPU far beyond the few lines it runs (about half a millisecond on this
    project's benchmark machine, a virtual one; bench/RESULTS.md, session 7), which a room pays
    per server process between its requests. Here the loop ticks once a second (the Date
    header changes once a second anyway), and setting :attr:`should_exit` wakes it at once,
    from any thread.
    """

    tick = 1.0  # seconds between the main loop's checks when nothing wakes it
    _exit = False
    _wake: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    @property  # type: ignore[override]
    def should_exit(self) -> bool:
        return self._exit

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        self._exit = value
        wake, loop = self._wake, self._loop
        if value and wake is not None and loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(wake.set)

    async def main_loop(self) -> None:
        self._wake, self._loop = asyncio.Event(), asyncio.get_running_loop()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            # on_tick does its once-a-second work when the counter is a multiple of 10.
            counter = (counter + 10) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.tick)
            should_exit = await self.on_tick(counter)


class LocalServer:
    """The course's SCIM server, running in a background thread of this process.

    ``token`` is accepted and bound to its tenant (created on first use); without one, a fresh
    token and tenant are minted. ``port=0`` picks a free port; :attr:`url` has the real one.
    ``http`` names another uvicorn HTTP protocol than :data:`.protocol.HTTP_PROTOCOL`.
    """

    url: str
    token: str
    tenant: str

    def __init__(
        self,
        db: str | os.PathLike[str],
        *,
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
        limits: Limits | None = None,
        http: str | None = None,
    ) -> None:
        self.db = os.fspath(db)
        self.host = host
        self.port = port
        self.log_level = log_level
        self.limits = limits or Limits()
        self.http = http
        self._token = token
        self._store: Store | None = None
        self._server: QuietServer | None = None
        self._thread: threading.Thread | None = None
        self._record: Path | None = None

    def __repr__(self) -> str:
        state = f"running at {self.url}" if self._server else "stopped"
        return f"<LocalServer {state}>"

    @property
    def store(self) -> Store | None:
        """The :class:`Store` the server uses (for fixtures that mint tokens); None when the
        server is not running."""
        return self._store

    def start(self) -> LocalServer:
        """Open the database, bind the port and serve; returns once requests are answered."""
        if self._server is not None:
            return self
        from .store import Store  # imported late: the store pulls in SQLAlchemy

        store = self._store = Store(self.db)
        try:
            if self._token:
                self.token = self._token
                self.tenant = store.add_token(self._token)
            else:
                self.token, self.tenant = store.mint_token()
            self._serve(store)
        except BaseException:
            store.close()
            self._store = None
            raise
        return self

    def _serve(self, store: Store) -> None:
        sock = bind_socket(self.host, self.port)
        settings = uvicorn_settings()
        if self.http:  # tests compare the protocols
            settings["http"] = self.http
        config = uvicorn.Config(
            create_app(store, limits=self.limits), log_level=self.log_level, **settings
        )
        server = QuietServer(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="scim-server", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                sock.close()
                raise RuntimeError(f"The SCIM server did not start on {self.host}:{self.port}.")
            time.sleep(0.005)
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{port}{BASE_PATH}"
        self.port = port
        self._server, self._thread, self._socket = server, thread, sock

    def record_sandbox(self, directory: Path) -> Path:
        """Record this running server as the course's own sandbox in ``directory``.

        Only the course's embedded server calls this (never ``scim-course serve``, which may hold
        other people's data): the record is what lets ``course_setup(reset=True)`` empty it.
        The record goes when the server stops.
        """
        if self._server is None:
            raise RuntimeError("Start the server before recording it as the sandbox.")
        pid = os.getpid()
        path = directory / SANDBOX_RECORDS / f"{pid}-{self.port}.json"
        record = {"url": self.url, "pid": pid, "token_sha256": token_digest(self.token)}
        _write_private(path, json.dumps(record) + "\n")
        self._record = path
        return path

    def stop(self) -> None:
        """Stop serving and close the database; safe to call twice."""
        record, self._record = self._record, None
        if record is not None:
            record.unlink(missing_ok=True)
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None and thread is not None:
            server.should_exit = True
            thread.join(timeout=_START_TIMEOUT)
            self._socket.close()
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
