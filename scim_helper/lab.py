"""``scim-course lab``: start the course's SCIM server and open the chapters in JupyterLab.

The server runs in this process (a background thread) for as long as JupyterLab does. Its URL
and token reach the kernels through the environment (``SCIM_SERVER_URL``, ``SCIM_AUTH_TOKEN``)
that JupyterLab passes on, so no notebook ever holds a token. With ``SCIM_SERVER_URL`` already
set, that server is used instead and nothing is started.

JupyterLab runs in a process group of its own, so the terminal's Ctrl-C reaches only this
process, which then stops JupyterLab (SIGTERM: its clean shutdown, kernels included) and the
SCIM server together, with no question asked and nothing left running. The JupyterLab URL,
with its token and the index chapter, is printed here once JupyterLab answers.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

import zmq
from jupyter_core.paths import jupyter_runtime_dir

from scim_helper.connection import (
    LAB_URL_ENV,
    TOKEN_ENV,
    URL_ENV,
    ServerNotConfigured,
    course_server,
    stop_embedded_server,
)
from scim_helper.workspace import CHECKOUT, default_workspace, packaged_chapters, prepare

__all__ = ["add_arguments", "build_command", "find_notebooks", "lab_url", "run", "workspace_folder"]

INDEX = "00-index.ipynb"
#: How long JupyterLab may take to start, and then to stop, on a slow machine.
START_TIMEOUT = 180.0
STOP_TIMEOUT = 30.0
_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def find_notebooks(given: str | None = None) -> Path:
    """The chapters folder: ``--notebooks``, else ./notebooks, else the checkout's own.

    An installed package (no checkout) has none of these; :func:`workspace_folder` is then the
    folder to open.
    """
    if given:
        return Path(given).resolve()
    here = Path.cwd() / "notebooks"
    if here.is_dir():
        return here.resolve()
    return CHECKOUT.resolve()


def workspace_folder(args: argparse.Namespace) -> Path | None:
    """The learner's workspace to prepare and open, or ``None`` to open a chapters folder as is.

    ``--dir`` always means a workspace. Without it, a clone (``./notebooks`` with the index
    chapter, or the checkout an editable install runs from) is opened in place, as
    ``python3 bootstrap.py course`` does; an installed package opens the default workspace,
    ``~/office-scim-course``.
    """
    if getattr(args, "dir", None):
        return Path(args.dir).expanduser().resolve()
    if args.notebooks or (Path.cwd() / "notebooks" / INDEX).is_file():
        return None
    if packaged_chapters() is None and CHECKOUT.is_dir():
        return None
    return default_workspace()


def _has_curve() -> bool:
    return bool(zmq.has("curve"))


def build_command(args: argparse.Namespace, notebooks: Path) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--notebook-dir={notebooks}",
        # Warnings and errors only: the URL to open is printed by run(), last.
        "--ServerApp.log_level=WARN",
        # Kernels stop on the shutdown request, without a SIGINT that makes them print one.
        "--MappingKernelManager.kernel_manager_class="
        "scim_helper.kernels.QuietShutdownServerKernelManager",
    ]
    if _has_curve():
        # Curve-encrypted kernel connections: ipykernel then has nothing to warn about.
        command.append("--KernelManager.transport_encryption=auto")
    if args.port:
        command += [f"--port={args.port}", "--ServerApp.port_retries=0"]
    if args.no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and CI machines run as root, where JupyterLab refuses to start without it.
        command.append("--allow-root")
    index = notebooks / INDEX
    if index.exists():
        command.append(str(index))
    return command + list(args.lab_args or [])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir",
        metavar="DIR",
        help="your workspace: the chapters are copied there on first use, and your edits are"
        f" never overwritten (default for an installed course: {default_workspace()})",
    )
    parser.add_argument(
        "--notebooks",
        metavar="DIR",
        help="open this chapters folder as it is (default in a clone: ./notebooks)",
    )
    parser.add_argument("--port", type=int, default=0, help="JupyterLab's port (default: its own)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument(
        "--dry-run", action="store_true", help="start the server, print the command, stop"
    )
    parser.add_argument(
        "lab_args", nargs=argparse.REMAINDER, help="further arguments for `jupyter lab`"
    )


def _server_info(pid: int) -> dict[str, Any] | None:
    """What JupyterLab wrote about itself once listening (``jpserver-PID.json``), if it has."""
    path = Path(jupyter_runtime_dir()) / f"jpserver-{pid}.json"
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and info.get("url") else None


def answers(info: dict[str, Any]) -> bool:
    """Whether JupyterLab accepts connections at the address in its ``info``: it writes that
    file a moment before it binds its port (jupyter_server binds once its event loop runs), so
    a URL printed from the file alone can be refused for that moment."""
    address = urlsplit(str(info["url"]))
    try:
        port = address.port
    except ValueError:
        port = None
    if address.scheme not in ("http", "https") or port is None:
        return True  # a Unix socket or an address without a port: nothing to knock on
    try:
        with socket.create_connection((address.hostname or "localhost", port), timeout=1):
            return True
    except OSError:
        return False


def lab_url(info: dict[str, Any], notebooks: Path) -> str:
    """The URL that opens the index chapter, with JupyterLab's token (not the SCIM one)."""
    url = str(info["url"]).rstrip("/") + "/lab"
    if (notebooks / INDEX).exists():
        url += f"/tree/{INDEX}"
    token = info.get("token")
    return f"{url}?token={token}" if token else url


def _spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    if os.name == "posix":
        # Its own process group: the terminal's Ctrl-C comes to us, and we stop it once,
        # instead of JupyterLab asking "Shut down this Jupyter server (y/[n])?".
        return subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, process_group=0)
    return subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)


def _stop(process: subprocess.Popen[bytes], stop_requests: list[int]) -> None:
    """Stop JupyterLab cleanly (it shuts its kernels down); kill it if it takes too long."""
    if process.poll() is not None:
        return
    process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    asked = len(stop_requests)
    while process.poll() is None:
        # A second Ctrl-C while it stops means "now".
        if time.monotonic() > deadline or len(stop_requests) > asked:
            process.kill()
            process.wait()
            return
        time.sleep(0.1)


def run(args: argparse.Namespace) -> int:
    workspace = workspace_folder(args)
    if workspace is not None:
        for line in prepare(workspace).lines():
            print(line, flush=True)
        notebooks = workspace
    else:
        notebooks = find_notebooks(args.notebooks)
    if not notebooks.is_dir():
        print(f"scim-course lab: there is no chapters folder at {notebooks}.", file=sys.stderr)
        return 2
    started_here = not os.environ.get(URL_ENV)
    try:
        connection = course_server()
    except ServerNotConfigured as error:
        print(f"scim-course lab: {error}", file=sys.stderr)
        return 2
    env = {**os.environ, URL_ENV: connection.url, TOKEN_ENV: connection.token}
    if started_here:
        env[LAB_URL_ENV] = connection.url
    command = build_command(args, notebooks)
    print(f"SCIM server: {connection.url} (its token is in {TOKEN_ENV} for the kernels)")
    if args.dry_run:
        print("JupyterLab: " + " ".join(command), flush=True)
        return 0
    print("Starting JupyterLab …", flush=True)

    stop_requests: list[int] = []

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        stop_requests.append(signum)

    previous = {sig: signal.signal(sig, request_stop) for sig in _STOP_SIGNALS}
    process = _spawn(command, env)
    try:
        shown = timed_out = False
        started = time.monotonic()
        while process.poll() is None and not stop_requests:
            if not shown:
                info = _server_info(process.pid)
                if info is not None and answers(info):
                    print(
                        f"\nThe course is open at\n\n    {lab_url(info, notebooks)}\n\n"
                        "Press Ctrl-C here to stop JupyterLab and the SCIM server.\n",
                        flush=True,
                    )
                    shown = True
                elif time.monotonic() - started > START_TIMEOUT:
                    print(
                        f"scim-course lab: JupyterLab did not start within {START_TIMEOUT:.0f} s.",
                        file=sys.stderr,
                    )
                    timed_out = True
                    break
            time.sleep(0.2)
        _stop(process, stop_requests)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        stop_embedded_server()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if stop_requests:
        print("JupyterLab and the SCIM server have stopped.", flush=True)
        return 0
    if timed_out:
        return 1
    return process.returncode
