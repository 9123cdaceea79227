"""JupyterLab as a learner runs it, in a subprocess on loopback, isolated from the user's own setup.

The server gets a random token, a free port, its own config/runtime/settings/workspace directories
(so nothing from ``~/.jupyter`` leaks in) and the environment its kernels inherit — that is how
the notebooks find the course's SCIM server (``SCIM_SERVER_URL``/``SCIM_AUTH_TOKEN``).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

# Settings a test needs and a learner would not notice: every cell attached to the DOM (the
# default windowing leaves off-screen cells unrendered, so the page would not show what a
# learner scrolls to), no blank screen after the last cell, no update check or news toast over
# the screenshots.
LAB_SETTINGS: dict[str, dict[str, object]] = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none", "scrollPastEnd": False},
    "@jupyterlab/apputils-extension/notification": {
        "checkForUpdates": False,
        "fetchNews": "false",
    },
}


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class JupyterLab:
    """A JupyterLab server serving ``root_dir``; ``start()`` returns once its API answers."""

    def __init__(self, root_dir: Path, state_dir: Path, env: Mapping[str, str]) -> None:
        self.root_dir = root_dir
        self.state_dir = state_dir
        self.extra_env = dict(env)
        self.token = secrets.token_hex(24)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = state_dir / "jupyterlab.log"
        self._process: subprocess.Popen[bytes] | None = None

    def _write_settings(self) -> Path:
        settings_dir = self.state_dir / "user-settings"
        for plugin, values in LAB_SETTINGS.items():
            package, name = plugin.rsplit("/", 1)
            path = settings_dir / package / f"{name}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        return settings_dir

    def command(self) -> list[str]:
        """The command line, as a learner would type it plus the test's isolation flags."""
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            # window.jupyterapp: run JupyterLab's own commands, as galata does.
            "--LabApp.expose_app_in_browser=True",
            f"--LabApp.user_settings_dir={self._write_settings()}",
            f"--LabApp.workspaces_dir={self.state_dir / 'workspaces'}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.news_url=None",
            # No PyPI queries from the extension manager; a learner's install is not changed here.
            "--LabApp.extension_manager=readonly",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # containers and CI run as root
        return command

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("config", "runtime", "ipython"):
            (self.state_dir / name).mkdir(parents=True, exist_ok=True)
        env.update(
            JUPYTER_CONFIG_DIR=str(self.state_dir / "config"),
            JUPYTER_RUNTIME_DIR=str(self.state_dir / "runtime"),
            JUPYTER_PLATFORM_DIRS="1",
            IPYTHONDIR=str(self.state_dir / "ipython"),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 90.0) -> JupyterLab:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            self.command(),
            cwd=self.root_dir,
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group, so stop() can also end kernels it leaves behind.
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited with {self._process.returncode} before answering:\n"
                    + self.log_tail()
                )
            if self._api_answers():
                return self
            time.sleep(0.3)
        self.stop()
        raise TimeoutError(f"JupyterLab did not answer within {timeout:.0f}s:\n{self.log_tail()}")

    def _api_answers(self) -> bool:
        request = urllib.request.Request(
            f"{self.url}/api/status", headers={"Authorization": f"token {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def lab_url(self, path: str = "") -> str:
        """The URL a learner opens (the token logs the browser in and becomes a cookie)."""
        where = f"/lab/tree/{path}" if path else "/lab"
        return f"{self.url}{where}?token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM lets JupyterLab shut its kernels down; what remains of the group is killed."""
        process = self._process
        if process is None:
            return
        self._process = None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
