"""The first ten minutes: ``python3 bootstrap.py course`` in a terminal, then one Ctrl-C.

The command runs in a pseudo-terminal of its own, as in a learner's shell: it is the terminal's
foreground process group, and Ctrl-C is the byte 0x03 typed into the terminal, which the
terminal turns into SIGINT for that whole group.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import select
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import pytest
import requests
from tornado.websocket import websocket_connect

from tests.fixtures.loop import run_isolated

ROOT = Path(__file__).resolve().parent.parent

# Make the pseudo-terminal the controlling terminal of a new session, then become the command.
_TRAMPOLINE = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)
_KERNEL_CHECK = """
from scim_helper.connection import course_client
assert course_client().service_provider_config() is not None
"""
# Bounded but generous: two cores shared with other work.
START = 240.0
STOP = 90.0


class Terminal:
    """A command in a pseudo-terminal: read what it prints, type Ctrl-C."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path) -> None:
        master, slave = os.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _TRAMPOLINE, *command],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            env=env,
            cwd=cwd,
        )
        os.close(slave)
        self.master = master
        self.output = b""

    @property
    def text(self) -> str:
        return self.output.decode(errors="replace").replace("\r\n", "\n")

    def read(self, timeout: float) -> bool:
        """Read what is there within ``timeout``; False once the terminal is closed."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: every process holding the terminal has gone
            return False
        self.output += chunk
        return bool(chunk)

    def expect(self, pattern: str, timeout: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while not (found := re.search(pattern, self.text)):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.read(min(remaining, 0.5)):
                if found := re.search(pattern, self.text):
                    break
                raise AssertionError(f"no {pattern!r} within {timeout:.0f} s in:\n{self.text}")
        return found

    def ctrl_c(self) -> None:
        os.write(self.master, b"\x03")

    def wait(self, timeout: float) -> int:
        """Keep reading (a full terminal would block the command) until it exits."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self.read(0.2)
        while self.read(0.2):  # what it printed last
            pass
        assert self.process.poll() is not None, f"still running after {timeout:.0f} s"
        return self.process.returncode

    def close(self) -> None:
        os.close(self.master)


async def _execute(url: str, code: str, timeout: float) -> dict[str, Any]:
    """Run ``code`` in a kernel over JupyterLab's websocket; the execute_reply's content."""
    socket = await websocket_connect(url)
    msg_id = uuid.uuid4().hex
    header = {"msg_id": msg_id, "msg_type": "execute_request", "username": "test"}
    header |= {"session": uuid.uuid4().hex, "version": "5.3", "date": ""}
    content = {"code": code, "silent": False, "store_history": False}
    message = {"header": header, "parent_header": {}, "metadata": {}, "channel": "shell"}
    socket.write_message(json.dumps(message | {"content": content}))
    try:
        while True:
            raw = await asyncio.wait_for(socket.read_message(), timeout)
            assert raw is not None, "the websocket closed"
            answer = json.loads(raw)
            mine = answer.get("parent_header", {}).get("msg_id") == msg_id
            if mine and answer["msg_type"] == "execute_reply":
                return dict(answer["content"])
    finally:
        socket.close()


def _tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def course(tmp_path: Path) -> Iterator[Terminal]:
    """``python3 bootstrap.py course --no-browser`` in a pseudo-terminal, its data in tmp_path."""
    env = {k: v for k, v in os.environ.items() if k not in ("SCIM_SERVER_URL", "SCIM_AUTH_TOKEN")}
    env.update(
        SCIM_COURSE_DATA_DIR=str(tmp_path / "data"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
        IPYTHONDIR=str(tmp_path / "ipython"),
        TERM="xterm",
    )
    terminal = Terminal([sys.executable, "bootstrap.py", "course", "--no-browser"], env, ROOT)
    seen: list[psutil.Process] = []
    try:
        yield terminal
    finally:
        if terminal.process.poll() is None:
            seen = _tree(terminal.process.pid)
        for process in seen:
            if _alive(process):
                process.kill()
        if terminal.process.poll() is None:
            terminal.process.kill()
            terminal.process.wait()
        terminal.close()


@pytest.mark.skipif(os.name != "posix", reason="drives a POSIX pseudo-terminal")
def test_course_prints_the_url_and_one_ctrl_c_stops_everything(
    course: Terminal, tmp_path: Path
) -> None:
    """The URL opens the index; one Ctrl-C stops JupyterLab, its kernel and the SCIM server."""
    scim_url = course.expect(r"SCIM server: (http://\S+)", START)[1]
    lab_url = course.expect(r"(http://\S+/lab/tree/00-index\.ipynb\?token=\w+)", START)[1]
    parts = urlsplit(lab_url)
    base, query = f"{parts.scheme}://{parts.netloc}", f"?{parts.query}"

    assert requests.get(lab_url, timeout=30).status_code == 200
    index = requests.get(f"{base}/api/contents/00-index.ipynb{query}", timeout=30)
    assert index.status_code == 200 and index.json()["type"] == "notebook"
    assert requests.get(f"{scim_url}/ServiceProviderConfig", timeout=10).status_code in (200, 401)

    # A kernel, as when the learner opens the index: it must go too.
    kernel = requests.post(f"{base}/api/kernels{query}", json={"name": "python3"}, timeout=60)
    assert kernel.status_code == 201, kernel.text
    # Through JupyterLab's websocket, as the browser does: the kernel answers, and finds the
    # course's server through the environment JupyterLab gave it.
    channels = f"ws://{parts.netloc}/api/kernels/{kernel.json()['id']}/channels{query}&session_id={uuid.uuid4().hex}"
    reply = run_isolated(_execute(channels, _KERNEL_CHECK, START))
    assert reply["status"] == "ok", reply
    processes = _tree(course.process.pid)
    assert any("ipykernel" in " ".join(p.cmdline()) for p in processes)

    course.ctrl_c()
    returncode = course.wait(STOP)

    output = course.text
    assert returncode == 0, output
    assert "Traceback" not in output, output
    assert "KeyboardInterrupt" not in output, output
    assert "Shut down this Jupyter server" not in output
    assert "JupyterLab and the SCIM server have stopped." in output
    token = (tmp_path / "data" / "token").read_text().strip()
    assert token and token not in output
    deadline = time.monotonic() + 15  # a parent reaps its children as it exits
    while (left := [p for p in processes if _alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, [" ".join(p.cmdline()) for p in left]
    assert not _answers(scim_url) and not _answers(base)


def test_top_level_help_is_plain_text() -> None:
    """`scim-course --help` reads as a terminal shows it: no reST markup."""
    result = subprocess.run(
        [sys.executable, "-m", "scim_helper.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "``" not in result.stdout and not re.search(r":(func|class|mod|meth):", result.stdout)
    assert "The Office SCIM course's command line" in result.stdout
    assert all(f"    {name}" in result.stdout for name in ("lab", "run", "serve", "token"))


def test_lab_url_opens_the_index_with_jupyterlabs_token(tmp_path: Path) -> None:
    """The printed URL opens 00-index.ipynb, logged in with JupyterLab's token."""
    from scim_helper.lab import lab_url

    (tmp_path / "00-index.ipynb").write_text("{}")
    info = {"url": "http://localhost:8890/base/", "token": "abc"}
    assert lab_url(info, tmp_path) == "http://localhost:8890/base/lab/tree/00-index.ipynb?token=abc"
    assert lab_url({"url": "http://localhost:8890/"}, tmp_path / "none") == (
        "http://localhost:8890/lab"
    )


def test_lab_with_a_url_but_no_token_explains(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """SCIM_SERVER_URL without SCIM_AUTH_TOKEN: a sentence and status 2, no traceback."""
    from scim_helper.cli import main

    monkeypatch.setenv("SCIM_SERVER_URL", "https://api.scim.dev/scim/v2/")
    monkeypatch.delenv("SCIM_AUTH_TOKEN", raising=False)
    assert main(["lab", "--no-browser", "--notebooks", str(ROOT / "notebooks")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("scim-course lab: There is a server URL") and "SCIM_AUTH_TOKEN" in err


def test_readme_says_how_to_reach_the_tools() -> None:
    """The README names scim-course's path in .venv and the venv's Python for the builder."""
    readme = (ROOT / "README.md").read_text()
    assert ".venv/bin/scim-course" in readme and "source .venv/bin/activate" in readme
    assert ".venv/bin/python tools/build_notebooks.py" in readme
    assert "`python tools/build_notebooks.py" not in readme
