"""A process forked after its parent reported a check still reports its own (issue 18).

The reporter sends from one daemon thread that waits on a queue. A forked child has none of its
parent's threads, yet the queue it inherits still lists the parent's thread as a waiter: the
child's first report woke that dead waiter, its own thread took the report only when a second
came, and ``reporter.wait()`` ran out its timeout. mutmut forks one child per mutant after a
first run of the tests in the parent, so every reporter test would fail by timeout and each
mutant it reached would count as caught (the fault issue 18 found in ``routes._WORKERS``). Our
own guard, not an RFC matter: the child gets a queue and a thread of its own.
"""

from __future__ import annotations

import os

import pytest

from scim_helper import checks
from scim_helper.workshop import reporter
from sync_app.client import SCIMClient
from sync_app.config import ClientConfiguration
from tests.fixtures.fork import exit_code
from tests.scim_helper.workshop.conftest import FakeWorkshop

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def _check_and_report(url: str, answer: int) -> bool:
    """One check against the workshop server; True once its report has been sent."""
    with SCIMClient(ClientConfiguration(server_url=url, auth_token="t", retries=0)) as client:
        checks.welcome_bulk_limit(client, answer)
    return reporter.wait(timeout=5)


def test_a_forked_child_reports_after_its_parent_did(
    fake_workshop: FakeWorkshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent reports first (its sending thread then waits on the queue), then a forked
    child reports a hint: the child's queue drains within 5 s and the server got the hint."""
    monkeypatch.delenv(reporter.PROGRESS_ENV, raising=False)
    assert _check_and_report(fake_workshop.url, 7)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit code only
        code = 1
        try:
            code = 0 if _check_and_report(fake_workshop.url, 6) else 2
        finally:
            os._exit(code)
    assert exit_code(pid, 30) == 0
    assert [r.body["outcome"] for r in fake_workshop.received] == ["pass", "hint"]
