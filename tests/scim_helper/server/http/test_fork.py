"""A process forked after its parent served requests still serves (issue 18).

The store's calls run on a pool of worker threads (``routes._WORKERS``). A forked child has
none of its parent's threads, yet a pool carried over believes its idle workers are there and
queues work for them forever: every request to a server started in the child hung until the
client's timeout. mutmut forks one child per mutant after a first run of the tests in the
parent, so every test over real HTTP failed by timeout and each mutant it reached was counted
caught. Our own guard (not an RFC matter): the child gets a pool of its own.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from scim_helper.server.runner import LocalServer
from tests.fixtures.fork import exit_code

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def _serve_one_request(db: Path) -> bool:
    with LocalServer(db) as server:
        answer = requests.get(
            f"{server.url}/Users",
            headers={"Authorization": f"Bearer {server.token}"},
            timeout=5,
        )
        return answer.status_code == 200


def test_a_forked_child_serves_after_its_parent_did(tmp_path: Path) -> None:
    """The parent serves first (its worker threads exist and sit idle), then a forked child
    starts a server of its own and gets an answer to GET /Users within the client's 5 s."""
    assert _serve_one_request(tmp_path / "parent.db")
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit code only
        code = 1
        try:
            code = 0 if _serve_one_request(tmp_path / "child.db") else 2
        finally:
            os._exit(code)
    assert exit_code(pid, 30) == 0
