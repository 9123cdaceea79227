"""What a learner sees in a notebook when the server does not answer or refuses the token.

The client's message is true anywhere; the course knows where its URL and token came from and
replaces the client's general hint with advice that fits. Shown by a real kernel.
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel

from scim_helper import connection
from scim_helper.connection import LAB_URL_ENV, TOKEN_ENV, URL_ENV, course_advice
from sync_app.errors import ConnectError
from tests.fixtures.local import TenantLogin

_CONNECT = """
from scim_helper import course_server
from sync_app.client import ClientConfiguration, SCIMClient
server_url, auth_token = course_server()
SCIMClient(ClientConfiguration(server_url=server_url, auth_token=auth_token)).get_users()
"""
_EMBEDDED_STOPPED = """
from scim_helper import course_server
from scim_helper.connection import embedded_server
from sync_app.client import ClientConfiguration, SCIMClient
server_url, auth_token = course_server()
embedded_server().stop()
SCIMClient(ClientConfiguration(server_url=server_url, auth_token=auth_token)).get_users()
"""


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/scim/v2"


def _shown(code: str, env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """Run ``code`` in a fresh kernel with ``env``; the error it shows (ename, traceback)."""
    base = {k: v for k, v in os.environ.items() if k not in (URL_ENV, TOKEN_ENV, LAB_URL_ENV)}
    manager, client = start_new_kernel(kernel_name="python3", env=base | env, cwd=str(cwd))
    errors: list[dict[str, Any]] = []

    def keep(message: dict[str, Any]) -> None:
        if message["msg_type"] == "error":
            errors.append(message["content"])

    try:
        client.execute_interactive(code, timeout=120, output_hook=keep)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert len(errors) == 1, errors
    return errors[0]


def _paragraph(error: dict[str, Any]) -> str:
    shown = "\n".join(error["traceback"])
    assert "Traceback" not in shown and "\n" not in shown, shown
    sentences = [s for s in re.split(r"(?<=[.:])\s+", shown) if s]
    assert len(sentences) == len(set(sentences)), f"a sentence twice: {shown}"
    return shown


def test_connection_refused_with_scim_server_url_says_so(tmp_path: Path) -> None:
    """SCIM_SERVER_URL set: the advice names the variable, how to check it and how to go back."""
    url = _closed_port_url()
    shown = _paragraph(_shown(_CONNECT, {URL_ENV: url, TOKEN_ENV: "t"}, tmp_path))
    assert shown == (
        f"ConnectError: Could not connect to {url} (connection refused). SCIM_SERVER_URL is set "
        "to that address: check it, and that the server there is running. To use the course's "
        "own server instead, unset SCIM_SERVER_URL and SCIM_AUTH_TOKEN and start the course "
        "again."
    )
    assert "scim-course serve" not in shown


def test_connection_refused_on_the_embedded_server_says_restart_the_kernel(
    tmp_path: Path,
) -> None:
    """No SCIM_SERVER_URL: the course's own server runs in the kernel, so restart the kernel."""
    error = _shown(_EMBEDDED_STOPPED, {"SCIM_COURSE_DATA_DIR": str(tmp_path / "data")}, tmp_path)
    shown = _paragraph(error)
    found = re.fullmatch(
        r"ConnectError: Could not connect to (http://127\.0\.0\.1:\d+/scim/v2) \(connection "
        r"refused\)\. (.*)",
        shown,
    )
    assert found, shown
    assert found[2] == (
        "That is the course's own server, which runs inside this kernel: restart the kernel "
        "(Kernel ▸ Restart Kernel…) and run the chapter from the top."
    )
    assert "SCIM_SERVER_URL" not in shown


def test_unauthorized_points_to_scim_auth_token(fresh_tenant: TenantLogin, tmp_path: Path) -> None:
    """A wrong SCIM_AUTH_TOKEN: the server's detail, then where the course reads the token."""
    env = {URL_ENV: fresh_tenant.url, TOKEN_ENV: "not-the-token"}
    shown = _paragraph(_shown(_CONNECT, env, tmp_path))
    assert shown == (
        "Unauthorized: The server refused the credentials (401): The bearer token is not valid "
        "for this server. Check the token you were given, or mint a new one with 'scim-course "
        "token'. The course reads the token from SCIM_AUTH_TOKEN: set it to one this server "
        "accepts, then start the course again. A token never goes into a notebook."
    )
    assert "not-the-token" not in shown and "ClientConfiguration" not in shown


def test_the_lab_servers_advice_is_to_restart_the_course(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kernels of `scim-course lab` use the server it started: restart that command."""
    url = _closed_port_url()
    monkeypatch.setenv(URL_ENV, url)
    monkeypatch.setenv(LAB_URL_ENV, url)
    assert course_advice(ConnectError(url, "connection refused")) == (
        "That is the course's own server, started with JupyterLab: stop `python3 bootstrap.py "
        "course` with Ctrl-C in its terminal and run it again."
    )


def test_a_url_given_in_the_notebook_is_the_one_to_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server_url from the chapter's first cell, not the environment: check that one."""
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.delenv(LAB_URL_ENV, raising=False)
    monkeypatch.setattr(connection, "_embedded", {})
    assert course_advice(ConnectError(_closed_port_url(), "connection refused")) == (
        "Check the server_url in the chapter's first cell, and that the server there is running."
    )
    assert course_advice(ValueError("x")) is None
