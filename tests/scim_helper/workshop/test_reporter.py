"""Real checks report their outcome to a workshop server, and to no other, never in the way."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import ClassVar

import pytest
import requests

from scim_helper import checks
from scim_helper.workshop import reporter
from sync_app.client import SCIMClient
from sync_app.config import ClientConfiguration
from tests.fixtures.peer import PeerServer
from tests.scim_helper.workshop.conftest import AdvertisingWorkshop, FakeWorkshop, Workshop, serving

EXERCISE = "01-welcome/welcome_bulk_limit"


def _client(url: str, token: str) -> SCIMClient:
    return SCIMClient(ClientConfiguration(server_url=url, auth_token=token, retries=0))


def _progress(workshop: Workshop, name: str) -> dict[str, dict[str, object]]:
    answer = requests.get(
        f"{workshop.server.url}/Workshop", headers=workshop.learner(name), timeout=30
    )
    return {e["exercise"]: e for e in answer.json()["progress"]}


@pytest.fixture(autouse=True)
def _reporting_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(reporter.PROGRESS_ENV, raising=False)


def test_a_check_reports_its_hint_then_its_pass(workshop: Workshop) -> None:
    """welcome_bulk_limit, wrong then right: the server holds a hint, then ✓, for that learner."""
    with _client(workshop.server.url, workshop.room.learners["bob"]) as client:
        wrong = checks.welcome_bulk_limit(client, -1)
        assert not wrong.ok
        assert reporter.wait()
        entry = _progress(workshop, "bob")[EXERCISE]
        assert (entry["outcome"], entry["hint"]) == ("hint", wrong.message)
        limit = client.service_provider_config().to_dict()["bulk"]["maxOperations"]
        assert checks.welcome_bulk_limit(client, limit).ok
        assert reporter.wait()
    entry = _progress(workshop, "bob")[EXERCISE]
    assert (entry["outcome"], entry["reports"]) == ("pass", 2)
    assert isinstance(entry["seconds"], float)
    assert EXERCISE not in _progress(workshop, "ann")


def test_reports_never_enter_the_learners_wire_log(workshop: Workshop) -> None:
    with _client(workshop.server.url, workshop.room.learners["cat"]) as client:
        checks.welcome_bulk_limit(client, -1)
        assert reporter.wait()
        assert not [e for e in client.wire_log if "Workshop" in e.path]


def test_opted_out_nothing_is_reported(workshop: Workshop, monkeypatch: pytest.MonkeyPatch) -> None:
    """SCIM_COURSE_PROGRESS=off: the check runs, the server hears nothing."""
    monkeypatch.setenv(reporter.PROGRESS_ENV, "off")
    with _client(workshop.server.url, workshop.room.learners["ann"]) as client:
        assert not checks.welcome_bulk_limit(client, -1).ok
        assert reporter.wait()
    assert EXERCISE not in _progress(workshop, "ann")


def test_a_dead_port_is_never_reported_to(unused_port: int) -> None:
    """Against a server that is not there the check answers its hint; no report is queued."""
    url = f"http://127.0.0.1:{unused_port}/scim/v2"
    with _client(url, "t") as client:
        result = checks.welcome_bulk_limit(client, 5)
    assert not result.ok and "could not ask the server" in result.message
    assert reporter._queue.unfinished_tasks == 0
    assert url not in reporter._workshops


def test_scim2_server_is_never_reported_to(peer_server: PeerServer) -> None:
    """The interop peer does not say it is a workshop server: the checks send it nothing more."""
    with _client(peer_server.url, peer_server.token) as client:
        result = checks.welcome_bulk_limit(client, -1)
        before = len(client.wire_log)
        assert not result.ok
        assert reporter._queue.unfinished_tasks == 0
        assert peer_server.url.rstrip("/") not in reporter._workshops
        assert len(client.wire_log) == before


class _SlowWorkshop(AdvertisingWorkshop):
    """Says it is a workshop server, then takes 5 s to accept a report."""

    received: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _SlowWorkshop.received.append(json.loads(self.rfile.read(length)))
        time.sleep(5)
        self.send_response(204)
        self.end_headers()


@pytest.fixture
def slow_workshop() -> Iterator[str]:
    _SlowWorkshop.received.clear()  # mutmut runs the tests more than once in one process
    with serving(_SlowWorkshop) as url:
        yield url


def test_a_slow_workshop_server_never_slows_the_check(slow_workshop: str) -> None:
    """The report takes the server 5 s; the check has answered long before (the report waits
    in the background, then times out after reporter.TIMEOUT)."""
    with _client(slow_workshop, "t") as client:
        started = time.perf_counter()
        assert checks.welcome_bulk_limit(client, 7).ok
        assert checks.welcome_bulk_limit(client, 6).ok is False
        took = time.perf_counter() - started
    assert took < 2.0, f"two checks took {took:.1f} s"
    assert reporter.wait(timeout=3 * reporter.TIMEOUT + 2)
    assert [r["outcome"] for r in _SlowWorkshop.received] == ["pass", "hint"]


def test_a_report_says_which_exercise_its_outcome_hint_and_seconds(
    fake_workshop: FakeWorkshop,
) -> None:
    """What a check sends, word for word: ``chapter/name``, hint or pass, the hint's text (none
    for a pass) and the check's own seconds, to the advertised path with the learner's token."""
    with _client(fake_workshop.url, "learner-token") as client:
        wrong = checks.welcome_bulk_limit(client, 6)
        assert checks.welcome_bulk_limit(client, 7).ok
    assert reporter.wait()
    assert [r.path for r in fake_workshop.received] == ["/scim/v2/Workshop/Progress"] * 2
    assert {r.authorization for r in fake_workshop.received} == {"Bearer learner-token"}
    hint, passed = (r.body for r in fake_workshop.received)
    assert set(hint) == {"exercise", "outcome", "hint", "seconds"}
    assert (hint["exercise"], hint["outcome"], hint["hint"]) == (EXERCISE, "hint", wrong.message)
    assert (passed["exercise"], passed["outcome"], passed["hint"]) == (EXERCISE, "pass", None)
    for body in (hint, passed):
        assert isinstance(body["seconds"], float) and 0 <= body["seconds"] < 5


def test_a_check_with_its_own_client_or_no_server_reports_too(
    fake_workshop: FakeWorkshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check given server_url and auth_token reports through the client it made; a check of
    the answer alone reports to SCIM_SERVER_URL with SCIM_AUTH_TOKEN, once that server is
    known to be a workshop server."""
    monkeypatch.setenv("SCIM_SERVER_URL", fake_workshop.url + "/")
    monkeypatch.setenv("SCIM_AUTH_TOKEN", "env-token")
    owned = checks.welcome_bulk_limit(None, 7, server_url=fake_workshop.url, auth_token="own")
    assert owned.ok
    assert reporter.wait()
    alone = checks.caught_uniqueness("not an exception")
    assert not alone.ok
    assert reporter.wait()
    assert [
        (r.authorization, r.body["exercise"], r.body["hint"]) for r in fake_workshop.received
    ] == [
        ("Bearer own", EXERCISE, None),
        ("Bearer env-token", "07-when-things-go-wrong/caught_uniqueness", alone.message),
    ]


@pytest.fixture
def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
