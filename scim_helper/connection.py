"""Finding the SCIM server: one rule for every chapter, check and command.

1. Explicit arguments (``server_url``, ``auth_token``) win.
2. Else ``SCIM_SERVER_URL`` and ``SCIM_AUTH_TOKEN`` from the environment (``scim-course lab``
   sets them for JupyterLab's kernels; learners set them to use scim.dev or any other server).
3. Else the embedded server, started on demand in a background thread of this process (one per
   kernel), its data in the per-user data directory and its token generated once and kept in a
   file only the owner can read. ``SCIM_COURSE_DATA_DIR`` moves that directory (tests do).

Tokens are never printed: a :class:`Connection` shows its URL and ``token: ••••``.
"""

from __future__ import annotations

import atexit
import ipaddress
import os
import threading
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from sync_app.client import ClientConfiguration, SCIMClient

__all__ = [
    "DATA_DIR_ENV",
    "TOKEN_ENV",
    "URL_ENV",
    "Connection",
    "ServerNotConfigured",
    "course_client",
    "course_server",
    "embedded_server",
    "stop_embedded_server",
]

URL_ENV = "SCIM_SERVER_URL"
TOKEN_ENV = "SCIM_AUTH_TOKEN"
DATA_DIR_ENV = "SCIM_COURSE_DATA_DIR"


class ServerNotConfigured(RuntimeError):
    """A server URL was given without a token (or the other way round)."""


class Connection(NamedTuple):
    """Where the course's SCIM server is: unpacks as ``server_url, auth_token = ...``."""

    url: str
    token: str

    def __repr__(self) -> str:
        return f"Connection(url={self.url!r}, token: ••••)"

    def __str__(self) -> str:
        return repr(self)

    def _repr_html_(self) -> str:
        from html import escape

        return f"<code>{escape(self.url)}</code> <span>token: ••••</span>"

    @property
    def is_local(self) -> bool:
        """True for a server on this machine (loopback): the learner's own, private tenant."""
        return is_loopback(self.url)


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def data_dir() -> Path:
    """Where the embedded server keeps its database and token."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    from scim_helper.server.runner import data_dir as runner_data_dir

    return runner_data_dir()


# -- the embedded server ------------------------------------------------------------------------

_lock = threading.Lock()
_embedded: dict[int, Any] = {}  # pid -> LocalServer: a forked kernel starts its own


def embedded_server() -> Any:
    """The embedded :class:`~scim_helper.server.runner.LocalServer`, started on first use."""
    from scim_helper.server.runner import LocalServer, read_token_file, write_token_file

    pid = os.getpid()
    with _lock:
        server = _embedded.get(pid)
        if server is not None:
            return server
        directory = data_dir()
        directory.mkdir(parents=True, exist_ok=True)
        token_file = directory / "token"
        server = LocalServer(directory / "scim.db", token=read_token_file(token_file)).start()
        if read_token_file(token_file) != server.token:
            write_token_file(token_file, server.token)
        _embedded[pid] = server
        return server


def stop_embedded_server() -> None:
    """Stop this process's embedded server, if one was started (tests; interpreter exit)."""
    with _lock:
        server = _embedded.pop(os.getpid(), None)
    if server is not None:
        server.stop()


atexit.register(stop_embedded_server)


# token -> the URL it was last given with, so that course_setup(auth_token) (the transcript's
# call, without a URL) reaches the server that course_server(server_url, auth_token) chose.
_urls_by_token: dict[str, str] = {}


def course_server(server_url: str | None = None, auth_token: str | None = None) -> Connection:
    """The URL and token to use: arguments, else the environment, else the embedded server."""
    if server_url and auth_token:
        _urls_by_token[auth_token] = server_url
    url = server_url or _urls_by_token.get(auth_token or "") or os.environ.get(URL_ENV) or None
    if url is None:
        server = embedded_server()
        return Connection(server.url, auth_token or server.token)
    token = auth_token or os.environ.get(TOKEN_ENV) or None
    if token is None:
        raise ServerNotConfigured(
            f"There is a server URL ({url}) but no token. Set {TOKEN_ENV} in the environment "
            "before starting JupyterLab (never paste a token into a notebook), or leave "
            f"{URL_ENV} unset to use the course's own local server."
        )
    return Connection(url, token)


def course_client(server_url: str | None = None, auth_token: str | None = None) -> SCIMClient:
    """A :class:`SCIMClient` for the course's server (found as :func:`course_server` does)."""
    url, token = course_server(server_url, auth_token)
    return SCIMClient(ClientConfiguration(server_url=url, auth_token=token))
