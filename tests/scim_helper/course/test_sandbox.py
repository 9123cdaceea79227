"""The sandbox: the only server the course may empty is the one it started itself.

Recognised by a record the course writes when it starts its embedded server (URL, pid, token
digest in the data directory): URL, token and a live process must all match. Loopback proves
nothing (containers, SSH tunnels and workshop servers are loopback too).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from scim_helper import connection
from scim_helper.connection import Connection, is_sandbox
from scim_helper.server.runner import SANDBOX_RECORDS, LocalServer, token_digest
from tests.fixtures.local import TenantLogin


def test_the_embedded_server_is_the_sandbox(embedded: Path) -> None:
    """The embedded server records itself; its URL with its token is the sandbox."""
    url, token = connection.course_server()
    assert Connection(url, token).is_sandbox
    records = list((embedded / SANDBOX_RECORDS).glob("*.json"))
    assert len(records) == 1
    record = json.loads(records[0].read_text("utf-8"))
    assert record == {"url": url, "pid": os.getpid(), "token_sha256": token_digest(token)}
    assert token not in records[0].read_text("utf-8")
    if os.name == "posix":
        assert records[0].stat().st_mode & 0o777 == 0o600


def test_the_sandbox_needs_the_same_token(embedded: Path) -> None:
    """The sandbox's URL with another token (another tenant) is not the sandbox."""
    url, _token = connection.course_server()
    assert not is_sandbox(url, "someone-elses-token")


def test_a_loopback_server_the_course_did_not_start_is_not_the_sandbox(
    embedded: Path, fresh_tenant: TenantLogin
) -> None:
    """A server on 127.0.0.1 (`scim-course serve`, scim2-server, a tunnel) is never the sandbox."""
    connection.course_server()  # the sandbox exists and is recorded, but it is another server
    assert Connection(fresh_tenant.url, fresh_tenant.token).is_local
    assert not Connection(fresh_tenant.url, fresh_tenant.token).is_sandbox


def test_the_record_goes_when_the_server_stops(embedded: Path) -> None:
    """After the embedded server stops, its URL is no longer the sandbox (and no record is left)."""
    url, token = connection.course_server()
    connection.stop_embedded_server()
    assert not is_sandbox(url, token)
    assert list((embedded / SANDBOX_RECORDS).glob("*.json")) == []


def test_a_record_of_a_dead_process_is_not_the_sandbox(tmp_path: Path) -> None:
    """A record left by a process that is gone (killed, crashed) proves nothing."""
    with LocalServer(tmp_path / "scim.db") as server:
        path = server.record_sandbox(tmp_path)
        assert is_sandbox(server.url, server.token, tmp_path)
        gone = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True,
            text=True,
            check=True,
        )
        record = json.loads(path.read_text("utf-8"))
        path.write_text(json.dumps({**record, "pid": int(gone.stdout)}), "utf-8")
        assert not is_sandbox(server.url, server.token, tmp_path)


def test_a_kernel_given_the_url_and_token_recognises_the_sandbox(embedded: Path) -> None:
    """What `scim-course lab` does: another process, handed URL and token, finds the record."""
    url, token = connection.course_server()
    code = "from scim_helper.connection import course_server; print(course_server().is_sandbox)"
    env = {**os.environ, connection.URL_ENV: url, connection.TOKEN_ENV: token}
    answer = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert answer.stdout.strip() == "True"
    env[connection.TOKEN_ENV] = "not-the-course-token"
    answer = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert answer.stdout.strip() == "False"


def test_the_fresh_server_of_scim_course_run_is_the_sandbox(embedded: Path) -> None:
    """`scim-course run` without --server-url starts its own server: that one is the sandbox."""
    from scim_helper.chapters import fresh_local_server

    with fresh_local_server() as (url, token):
        assert is_sandbox(url, token)
    assert not is_sandbox(url, token)
