"""The wire log: bounded, readable, and never showing a secret."""

from __future__ import annotations

import logging

import pytest

from sync_app.scim.user import User
from sync_app.wirelog import REDACTED, Exchange, WireLog, redact_body, redact_headers
from tests.sync_app.conftest import Reply, StubServer

USER = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "1",
    "userName": "dschrute",
}


def test_exchange_records_method_url_status_time_and_bodies(stub: StubServer) -> None:
    """Each exchange keeps method, URL, status, elapsed ms and both bodies."""
    stub.queue(Reply(status=201, body=USER))
    with stub.client() as client:
        client.create_user(User(userName="dschrute"))
    (exchange,) = list(client.wire_log)
    assert (exchange.method, exchange.status) == ("POST", 201)
    assert exchange.url == stub.url + "/Users"
    assert exchange.path == "/Users"
    assert exchange.elapsed_ms > 0
    assert exchange.request_body["userName"] == "dschrute"
    assert exchange.response_body == USER


def test_authorization_is_always_redacted(
    stub: StubServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The token appears nowhere: not in the exchange, its text, the log's reprs or log lines."""
    stub.queue(Reply(body=USER))
    caplog.set_level(logging.DEBUG, logger="sync_app")
    with stub.client() as client:
        client.get_user("1")
    exchange = client.wire_log[-1]
    assert exchange.request_headers["Authorization"] == REDACTED
    shown = [
        repr(exchange),
        exchange.to_text(),
        repr(client.wire_log),
        client.wire_log._repr_html_(),
    ]
    shown += [r.getMessage() for r in caplog.records]
    assert all("stub-token" not in text for text in shown)
    assert stub.received[0].headers["Authorization"] == "Bearer stub-token"


def test_debug_log_line_per_exchange(stub: StubServer, caplog: pytest.LogCaptureFixture) -> None:
    """Each exchange logs one DEBUG line on the "sync_app" logger."""
    stub.queue(Reply(body=USER))
    caplog.set_level(logging.DEBUG, logger="sync_app")
    with stub.client() as client:
        client.get_user("1")
    lines = [r.getMessage() for r in caplog.records if r.name == "sync_app"]
    assert lines == [f"GET {stub.url}/Users/1 -> 200 ({client.wire_log[-1].elapsed_ms:.0f} ms)"]


def test_passwords_are_redacted_in_bodies() -> None:
    """A password in a body is hidden; other values are kept."""
    body = {"userName": "x", "password": "p4ss", "emails": [{"value": "e"}]}
    assert redact_body(body) == {"userName": "x", "password": REDACTED, "emails": [{"value": "e"}]}
    assert redact_headers({"authorization": "Bearer t", "Accept": "a"}) == {
        "authorization": REDACTED,
        "Accept": "a",
    }


def test_log_is_bounded() -> None:
    """Only the last maxlen exchanges are kept."""
    log = WireLog(maxlen=2)
    for i in range(3):
        log.record(Exchange(method="GET", url=f"u{i}", path=f"/p{i}"))
    assert [e.path for e in log] == ["/p1", "/p2"]
    assert log[-1].path == "/p2"


def test_wire_log_size_is_configurable(stub: StubServer) -> None:
    """ClientConfiguration(wire_log_size=) bounds the client's log."""
    stub.queue(*[Reply(body=USER)] * 3)
    with stub.client(wire_log_size=2) as client:
        for _ in range(3):
            client.get_user("1")
    assert len(client.wire_log) == 2


def test_reprs_are_readable() -> None:
    """The repr lists exchanges one a line; the HTML is a table with folded bodies."""
    log = WireLog()
    assert repr(log) == "<WireLog: no exchanges yet>"
    log.record(Exchange(method="GET", url="u", path="/Users/1", status=404, elapsed_ms=3.2))
    assert repr(log[-1]) == "<Exchange GET /Users/1 → 404 3 ms>"
    assert "<Exchange GET /Users/1 → 404 3 ms>" in repr(log)
    html = log._repr_html_()
    assert html.startswith("<table>") and "<details>" in html and "/Users/1" in html
