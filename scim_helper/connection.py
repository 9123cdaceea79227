"""Finding the SCIM server: one rule for every chapter, check and command.

1. Explicit arguments (``server_url``, ``auth_token``) win.
2. Else ``SCIM_SERVER_URL`` and ``SCIM_AUTH_TOKEN`` from the environment (``scim-course lab``
   sets them for JupyterLab's kernels; learners set them to use scim.dev or any other server).
3. Else the embedded server, started on demand in a background thread of this process (one per
   kernel), its data in the per-user data directory and its token generated once and kept in a
   file only the owner can read. ``SCIM_COURSE_DATA_DIR`` moves that directory (tests do).

Tokens are never printed: a :class:`Connection` shows its URL and ``token: <redacted>``.
"""

from __future__ import annotations

import atexit
import html
import ipaddress
import os
import sys
import threading
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import ConnectError, Unauthorized
from sync_app.wirelog import REDACTED

__all__ = [
    "LAB_URL_ENV",
    "TOKEN_ENV",
    "URL_ENV",
    "Connection",
    "ServerNotConfigured",
    "course_advice",
    "course_client",
    "course_server",
    "embedded_server",
    "is_sandbox",
    "show_course_advice",
    "stop_embedded_server",
]

URL_ENV = "SCIM_SERVER_URL"
TOKEN_ENV = "SCIM_AUTH_TOKEN"
#: Set by ``scim-course lab`` for its kernels: the URL of the server it started itself.
LAB_URL_ENV = "SCIM_COURSE_LAB_URL"


class ServerNotConfigured(RuntimeError):
    """A server URL was given without a token (or the other way round)."""


class Connection(NamedTuple):
    """Where the course's SCIM server is: unpacks as ``server_url, auth_token = ...``."""

    url: str
    token: str

    def __repr__(self) -> str:
        return f"Connection(url={self.url!r}, token: {REDACTED})"

    def __str__(self) -> str:
        return repr(self)

    def _repr_html_(self) -> str:
        return f"<code>{html.escape(self.url)}</code> <span>token: {html.escape(REDACTED)}</span>"

    @property
    def is_local(self) -> bool:
        """True for a server on this machine (loopback). Says nothing about whose data it holds:
        Docker containers, SSH tunnels and workshop servers are loopback too (see is_sandbox)."""
        return is_loopback(self.url)

    @property
    def is_sandbox(self) -> bool:
        """True only for the course's own embedded server (see :func:`is_sandbox`)."""
        return is_sandbox(self.url, self.token)


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def data_dir() -> Path:
    """Where the embedded server keeps its database and token (``runner.data_dir``)."""
    # Imported here: the runner pulls in the server (Starlette, SQLAlchemy; about a second),
    # which a kernel pointed at another server never needs.
    from scim_helper.server.runner import data_dir as runner_data_dir

    return runner_data_dir()


# -- the sandbox: the only server the course may empty -------------------------------------------


def is_sandbox(url: str, token: str, directory: Path | None = None) -> bool:
    """Whether ``url`` is the course's own embedded server, started by the course itself.

    True only when a sandbox record in the data directory (written by the course when it started
    its embedded server there) names this URL and this token, and the process that wrote it is
    still running. The host being loopback proves nothing: containers, SSH tunnels and workshop
    servers are loopback too.
    """
    from scim_helper.server.runner import sandbox_records, token_digest  # import cost: see data_dir

    digest = token_digest(token)
    wanted = url.rstrip("/")
    return any(
        str(record.get("url", "")).rstrip("/") == wanted
        and record.get("token_sha256") == digest
        and isinstance(record.get("pid"), int)
        and _process_alive(record["pid"])
        for record in sandbox_records(directory or data_dir())
    )


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows
        import ctypes  # Windows only

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # another user's process now: not the one that wrote the record
    return True


# -- the embedded server ------------------------------------------------------------------------

_lock = threading.Lock()
_embedded: dict[int, Any] = {}  # pid -> LocalServer: a forked kernel starts its own


def embedded_server() -> Any:
    """The embedded :class:`~scim_helper.server.runner.LocalServer`, started on first use."""
    from scim_helper.server.runner import (  # import cost: see data_dir
        LocalServer,
        default_db,
        default_token_file,
        read_token_file,
        write_token_file,
    )

    pid = os.getpid()
    with _lock:
        server = _embedded.get(pid)
        if server is not None:
            return server
        directory = data_dir()
        directory.mkdir(parents=True, exist_ok=True)
        token_file = default_token_file()
        server = LocalServer(default_db(), token=read_token_file(token_file)).start()
        if read_token_file(token_file) != server.token:
            write_token_file(token_file, server.token)
        server.record_sandbox(directory)
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
    show_course_advice()
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


# -- advice when the server does not answer or refuses the token ---------------------------------
# The client's messages are true anywhere; only the course knows where its URL and token came
# from, so it replaces the client's general hint with advice that fits.


def _base(url: str) -> str:
    return url.strip().rstrip("/")


def _url_source(url: str) -> str:
    """Where the course got ``url``: "embedded", "lab", "environment" or "argument"."""
    url = _base(url)
    embedded = _embedded.get(os.getpid())
    if embedded is not None and url.startswith(_base(embedded.url)):
        return "embedded"
    for source, name in (("lab", LAB_URL_ENV), ("environment", URL_ENV)):
        value = os.environ.get(name)
        if value and url.startswith(_base(value)):
            return source
    return "argument"


_RESTART_KERNEL = "restart the kernel (Kernel ▸ Restart Kernel…) and run the chapter from the top"
_RESTART_LAB = "stop `python3 bootstrap.py course` with Ctrl-C in its terminal and run it again"


def _connect_advice(url: str) -> str:
    source = _url_source(url)
    if source == "embedded":
        return f"That is the course's own server, which runs inside this kernel: {_RESTART_KERNEL}."
    if source == "lab":
        return f"That is the course's own server, started with JupyterLab: {_RESTART_LAB}."
    if source == "environment":
        return (
            f"{URL_ENV} is set to that address: check it, and that the server there is running. "
            f"To use the course's own server instead, unset {URL_ENV} and {TOKEN_ENV} and start "
            "the course again."
        )
    return "Check the server_url in the chapter's first cell, and that the server there is running."


def _token_advice(error: BaseException) -> str:
    request = getattr(error, "request", None)
    source = _url_source(getattr(request, "url", "") or "")
    if source in ("embedded", "lab"):
        return (
            "The course's own server gets its token without your help: leave auth_token = None "
            f"in the chapter's first cell, then {_RESTART_KERNEL}."
        )
    mint = (
        ""
        if "scim-course token" in str(error)
        else " (`scim-course token` mints one for a server you run with `scim-course serve`)"
    )
    return (
        f"The course reads the token from {TOKEN_ENV}: set it to one this server accepts{mint}, "
        "then start the course again. A token never goes into a notebook."
    )


def course_advice(error: BaseException) -> str | None:
    """What to do about a connection or token error, given where the course found its server."""
    if isinstance(error, ConnectError):
        return _connect_advice(error.url)
    if isinstance(error, Unauthorized):
        return _token_advice(error)
    return None


def _show_with_advice(
    shell: Any, etype: type[BaseException], value: BaseException, tb: Any, tb_offset: Any = None
) -> list[str]:
    """IPython's handler for the errors below: one paragraph, no traceback through requests."""
    advice = course_advice(value)
    if advice is None:
        stb = list(shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset))
    else:
        stb = [f"{etype.__name__}: {getattr(value, 'summary', str(value))} {advice}"]
    # A cell's exception reaches this handler from run_code, which shows nothing itself.
    shell._showtraceback(etype, value, stb)
    return stb


def show_course_advice() -> None:
    """In a notebook, show connection and token errors as one paragraph with the course's advice.

    Only there: a script or ``scim-course`` gets the client's own exceptions unchanged. The
    exception itself is untouched (``%tb`` still shows where it came from, and
    ``error.original`` what ``requests`` raised).
    """
    if "IPython" not in sys.modules:
        return
    # Imported here: IPython is there only in a kernel, where this function is called.
    from IPython import get_ipython

    shell = get_ipython()
    handled = (ConnectError, Unauthorized)
    if shell is None or shell.custom_exceptions not in ((), handled):
        return  # not IPython, or someone else's handler: leave it
    shell.set_custom_exc(handled, _show_with_advice)
