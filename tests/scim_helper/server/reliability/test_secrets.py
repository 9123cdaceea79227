"""Secrets (issue 5, RFC 7644 §7): bearer tokens are kept only as SHA-256 digests, looked up
by digest (so no comparison ever runs over the token itself, and its timing reveals nothing
an attacker can use), never written to a log, and the server listens on loopback unless
told otherwise."""

from __future__ import annotations

import hashlib
import logging
import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import requests

from scim_helper.server.runner import LocalServer

from .conftest import USER, check_error
from .processes import ServerProcess

TOKEN = "course-token-that-must-stay-secret-7f3a9c"
WRONG = "wrong-token-that-must-stay-secret-b81e04"


def _rows(db: Path) -> list[tuple[str, list[Any]]]:
    """Every row of every table of an SQLite file."""
    with sqlite3.connect(db) as conn:
        tables = [
            name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        rows = [
            (table, list(row))
            for table in tables
            for row in conn.execute(f'SELECT * FROM "{table}"')
        ]
    conn.close()
    return rows


def _talk(url: str, token: str) -> None:
    """Requests that put the token (and a wrong one) everywhere a learner might paste it."""
    good = {"Authorization": f"Bearer {token}"}
    user = requests.post(
        f"{url}/Users", json={"schemas": [USER], "userName": "pam"}, headers=good, timeout=30
    )
    assert user.status_code in (201, 409), user.text
    requests.get(f"{url}/Users", params={"access_token": token}, headers=good, timeout=30)
    check_error(requests.get(f"{url}/Users", params={"access_token": token}, timeout=30), 401)
    check_error(requests.get(f"{url}/Users?token={WRONG}", timeout=30), 401)
    check_error(
        requests.get(f"{url}/Users", headers={"Authorization": f"Bearer {WRONG}"}, timeout=30), 401
    )
    check_error(
        requests.get(
            f"{url}/Users/{WRONG}", headers={"Authorization": f"Bearer {WRONG}"}, timeout=30
        ),
        401,
    )
    check_error(requests.get(f"{url}/Users/{token}", timeout=30), 401)
    check_error(requests.get(f"{url}/Users/{token}", headers=good, timeout=30), 404)
    check_error(requests.get(f"{url}/Users", auth=("pam", token), timeout=30), 401)
    check_error(requests.delete(f"{url}/Groups/{token}", headers=good, timeout=30), 404)
    requests.get(
        f"{url}/Users", params={"filter": f'userName eq "{token}"'}, headers=good, timeout=30
    )


def test_rfc7644_7_tokens_are_stored_only_as_sha256_digests(tmp_path: Path) -> None:
    """After use, no table, nor any byte of the database files, holds the token itself."""
    db = tmp_path / "scim.db"
    with LocalServer(db, token=TOKEN) as server:
        _talk(server.url, TOKEN)
        rows = _rows(db)
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    assert ("tokens", [digest, server.tenant]) in rows
    assert not any(TOKEN in str(value) for _, row in rows for value in row)
    for path in tmp_path.iterdir():  # the database, and its -wal and -shm files if any
        assert TOKEN.encode() not in path.read_bytes(), path


def test_rfc7644_7_token_lookup_is_by_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store looks a token up by its SHA-256 digest: the token is never compared itself."""
    from scim_helper.server import tenants

    seen: list[str] = []
    real = tenants.token_hash
    monkeypatch.setattr(tenants, "token_hash", lambda token: seen.append(token) or real(token))
    with LocalServer(tmp_path / "scim.db", token=TOKEN) as server:
        seen.clear()
        assert server.store.tenant_for_token(WRONG) is None
        assert server.store.tenant_for_token(TOKEN) == server.tenant
    assert seen == [WRONG, WRONG, TOKEN]  # hashed before the cache and before the database


def test_rfc7644_7_server_process_logs_no_token_at_debug_level(tmp_path: Path) -> None:
    """A server process at log level debug never prints a token, right or wrong, anywhere."""
    with ServerProcess(tmp_path / "scim.db", TOKEN, log_level="debug", home=tmp_path) as server:
        _talk(server.url, TOKEN)
    log = server.log
    assert "GET /scim/v2/Users 200" in log
    assert "GET /scim/v2/Users 401" in log
    assert "GET /scim/v2/Users/[...] 401" in log
    assert TOKEN not in log
    assert WRONG not in log


def test_rfc7644_7_in_process_logs_hold_no_token_even_on_500(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Every logger, at DEBUG, through ordinary requests, 401s and a 500: no token in the log."""
    with LocalServer(tmp_path / "scim.db", token=TOKEN) as server:
        with caplog.at_level(logging.DEBUG):
            _talk(server.url, TOKEN)

            def broken(*args: Any, **kwargs: Any) -> Any:
                raise RuntimeError(f"failed for {TOKEN}")

            monkeypatch.setattr(server.store, "get", broken)
            failed = requests.get(
                f"{server.url}/Users/{TOKEN}",
                params={"access_token": TOKEN},
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=30,
            )
        check_error(failed, 500)
        assert TOKEN not in failed.text
    client = ("urllib3", "requests")  # this test's own HTTP client logs the URLs it requests
    messages = "\n".join(
        record.getMessage() for record in caplog.records if not record.name.startswith(client)
    )
    assert "RuntimeError: failed for [redacted]" in messages
    assert "GET /scim/v2/Users/[redacted] 500" in messages
    assert TOKEN not in messages
    assert WRONG not in messages


def _listening_addresses(port: int) -> set[str]:
    """The local addresses of sockets listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_rfc7644_7_server_binds_to_loopback_by_default(tmp_path: Path) -> None:
    """Without --host, the server process listens on 127.0.0.1 only, as LocalServer does."""
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux /proc/net/tcp to see where a socket listens")
    with ServerProcess(tmp_path / "scim.db", TOKEN, log_level="warning", home=tmp_path) as server:
        port = int(server.url.split(":")[2].split("/")[0])
        assert server.url.startswith("http://127.0.0.1:")
        assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1, little-endian hex
    with LocalServer(tmp_path / "local.db") as local:
        assert _listening_addresses(local.port) == {"0100007F"}
        assert socket.inet_aton(local.host) == socket.inet_aton("127.0.0.1")
