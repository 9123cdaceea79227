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

import pytest

from scim_helper import connection
from scim_helper.connection import Connection, is_sandbox
from scim_helper.server.runner import DATA_DIR_ENV, SANDBOX_RECORDS, LocalServer, token_digest
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


def _record(directory: Path, name: str, **record: object) -> None:
    folder = directory / SANDBOX_RECORDS
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(record), "utf-8")


def test_the_sandbox_record_must_match_in_every_field(tmp_path: Path) -> None:
    """URL, token digest and a live pid: a record differing in one of them alone is no sandbox."""
    url, token = "http://127.0.0.1:5555/scim/v2", "the-token"
    good = {"url": url, "token_sha256": token_digest(token), "pid": os.getpid()}
    assert not is_sandbox(url, token, tmp_path)  # no records at all
    for name, change in {
        "url": {"url": "http://127.0.0.1:5556/scim/v2"},
        "token": {"token_sha256": token_digest("another-token")},
        "raw-token": {"token_sha256": token},
        "pid-text": {"pid": str(os.getpid())},
        "pid-zero": {"pid": 0},
        "pid-negative": {"pid": -1},
        "no-url": {"url": None},
    }.items():
        directory = tmp_path / name
        _record(directory, "r", **{**good, **change})
        assert not is_sandbox(url, token, directory), name
    _record(tmp_path / "ok", "r", **good)
    assert is_sandbox(url, token, tmp_path / "ok")
    assert is_sandbox(url + "/", token, tmp_path / "ok"), "a trailing slash is the same URL"
    _record(tmp_path / "slash", "r", **{**good, "url": url + "/"})
    assert is_sandbox(url, token, tmp_path / "slash")


def test_a_live_process_other_than_this_one_counts(tmp_path: Path) -> None:
    """The record of another running process (the lab's server, say) is a sandbox."""
    url, token = "http://127.0.0.1:5555/scim/v2", "the-token"
    _record(tmp_path, "parent", url=url, token_sha256=token_digest(token), pid=os.getppid())
    assert is_sandbox(url, token, tmp_path)


def test_one_matching_record_among_others_is_enough(tmp_path: Path) -> None:
    """Several records (several kernels): any one matching makes the sandbox; junk is skipped."""
    url, token = "http://127.0.0.1:5555/scim/v2", "the-token"
    digest = token_digest(token)
    _record(tmp_path, "a", url="http://127.0.0.1:1/scim/v2", token_sha256=digest, pid=os.getpid())
    (tmp_path / SANDBOX_RECORDS / "b.json").write_text("not json", "utf-8")
    _record(tmp_path, "c", url=url, token_sha256=digest, pid=os.getpid())
    assert is_sandbox(url, token, tmp_path)


def test_is_sandbox_reads_the_data_directory_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a directory, the records come from the course's data directory."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    url, token = "http://127.0.0.1:5555/scim/v2", "the-token"
    _record(tmp_path, "r", url=url, token_sha256=token_digest(token), pid=os.getpid())
    assert is_sandbox(url, token)
    assert Connection(url, token).is_sandbox
    assert connection.data_dir() == tmp_path
