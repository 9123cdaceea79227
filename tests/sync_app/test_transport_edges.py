"""Transport at its edges: the retry count, the wait cap, headers, and what the wire log keeps.

Found missing by the mutation run (issue 18); the faults come from the scripted stub on
loopback, as in test_transport.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import (
    MalformedResponse,
    NotFound,
    ServerError,
    Timeout,
    TooManyRequests,
    TransportError,
)
from sync_app.scim.user import User
from sync_app.transport import IDEMPOTENT_METHODS, retry_after_seconds
from tests.sync_app.conftest import Reply, StubServer

USER = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "1",
    "userName": "dschrute",
}
BUSY = Reply(status=503, body={"status": "503", "detail": "busy"})


def _record_sleeps(client: SCIMClient) -> list[float]:
    waits: list[float] = []
    client._transport.sleep = waits.append
    return waits


@pytest.mark.parametrize("retries", [1, 2])
def test_rfc9110_retries_exactly_the_configured_count(stub: StubServer, retries: int) -> None:
    """retries=N sends N + 1 requests to a server that stays busy, then raises saying so."""
    stub.queue(*[BUSY] * (retries + 2))
    with stub.client(retries=retries, backoff_factor=0.5) as client:
        waits = _record_sleeps(client)
        with pytest.raises(ServerError) as caught:
            client.get_users()
    assert len(stub.received) == retries + 1
    assert waits == [0.5 * 2**n for n in range(retries)]
    assert str(caught.value).endswith(f"(Gave up after {retries + 1} attempts.)")
    assert [e.attempt for e in client.wire_log] == list(range(1, retries + 2))


@pytest.mark.parametrize("retries", [1, 2])
def test_rfc9110_success_on_the_last_allowed_attempt(stub: StubServer, retries: int) -> None:
    """A server that answers on attempt N + 1 (the last retries=N allows) is waited for."""
    stub.queue(*[BUSY] * retries, Reply(body=USER))
    with stub.client(retries=retries, backoff_factor=0.01) as client:
        _record_sleeps(client)
        assert client.get_user("1").resource.userName == "dschrute"
    assert len(stub.received) == retries + 1


def test_an_error_on_the_first_attempt_does_not_say_gave_up(stub: StubServer) -> None:
    """A 404 is raised at once, without the retry note."""
    stub.queue(Reply(status=404, body={"status": "404", "detail": "no such user"}))
    with stub.client() as client, pytest.raises(NotFound) as caught:
        client.get_user("1")
    assert "Gave up" not in str(caught.value)
    assert len(stub.received) == 1


@pytest.mark.parametrize(("asked", "waited"), [("30", [30.0]), ("31", [])])
def test_rfc9110_10_2_3_retry_after_exactly_at_the_cap_is_waited(
    stub: StubServer, asked: str, waited: list[float]
) -> None:
    """A Retry-After equal to max_backoff is honoured; one second more is not."""
    stub.queue(Reply(status=503, headers={"Retry-After": asked}), Reply(body=USER))
    with stub.client(max_backoff=30) as client:
        waits = _record_sleeps(client)
        if waited:
            client.get_user("1")
        else:
            with pytest.raises(ServerError):
                client.get_user("1")
    assert waits == waited


def test_backoff_reaches_the_cap_exactly(stub: StubServer) -> None:
    """Doubling waits stop at max_backoff: 1, 2, then 3 (capped), never 4."""
    stub.queue(*[BUSY] * 3, Reply(body=USER))
    with stub.client(retries=3, backoff_factor=1, max_backoff=3) as client:
        waits = _record_sleeps(client)
        client.get_user("1")
    assert waits == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("status", [500, 502, 504])
def test_other_server_errors_are_not_retried(stub: StubServer, status: int) -> None:
    """Only the statuses in retry_statuses (429, 503) are retried."""
    stub.queue(Reply(status=status, body={"status": str(status)}), Reply(body=USER))
    with stub.client() as client, pytest.raises(ServerError):
        client.get_user("1")
    assert len(stub.received) == 1


def test_idempotent_methods_are_those_of_rfc9110() -> None:
    """GET, HEAD, PUT and DELETE may be retried (RFC 9110 §9.2.2); POST and PATCH not."""
    assert frozenset({"GET", "HEAD", "PUT", "DELETE"}) == IDEMPOTENT_METHODS


@pytest.mark.parametrize(
    ("header", "seconds"),
    [(" 7 ", 7.0), ("0", 0.0), ("", None), ("-1", None), ("1.5", None)],
)
def test_rfc9110_10_2_3_retry_after_delay_seconds_edges(header: str, seconds: float | None) -> None:
    """delay-seconds is 1*DIGIT: surrounding spaces are trimmed; a sign or fraction is not it."""
    assert retry_after_seconds(header) == seconds


def test_rfc9110_10_2_3_retry_after_http_date_counts_from_now() -> None:
    """An HTTP-date (always GMT) is the time left until then, never negative."""
    now = dt.datetime(2015, 10, 21, 7, 28, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:09 GMT", now=now) == 9.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:27:00 GMT", now=now) == 0.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:09 -0000", now=now) == 9.0


def test_get_sends_no_content_type_and_open_server_no_authorization(stub: StubServer) -> None:
    """A GET has no body, so no Content-Type; without a token no Authorization is sent."""
    stub.queue(Reply(body=USER))
    config = ClientConfiguration(server_url=stub.url, user_agent="dunder/1")
    with SCIMClient(config) as client:
        client.get_user("1")
    headers = stub.received[0].headers
    assert "Content-Type" not in headers
    assert "Authorization" not in headers
    assert headers["User-Agent"] == "dunder/1"
    assert headers["Accept"] == "application/scim+json, application/json"


@pytest.mark.parametrize("method", ["PUT", "PATCH", "POST"])
def test_rfc7644_3_1_bodies_are_sent_as_scim_json(stub: StubServer, method: str) -> None:
    """POST, PUT and PATCH carry Content-Type application/scim+json (RFC 7644 §3.1)."""
    stub.queue(Reply(status=201 if method == "POST" else 200, body=USER))
    with stub.client() as client:
        client._transport.request(method, "/Users/1", body={"x": 1})
    assert stub.received[0].headers["Content-Type"] == "application/scim+json"
    assert stub.received[0].body == {"x": 1}


def test_extra_headers_are_sent_and_override(stub: StubServer) -> None:
    """Headers passed to a request are added, and win over the defaults."""
    stub.queue(Reply(body=USER))
    with stub.client() as client:
        client._transport.request("GET", "/Users/1", headers={"Accept": "application/json"})
    assert stub.received[0].headers["Accept"] == "application/json"


def test_wire_log_path_keeps_the_query(stub: StubServer) -> None:
    """The wire log shows the path with its query string when there are parameters."""
    stub.queue(Reply(body={"Resources": [], "totalResults": 0}), Reply(body=USER))
    with stub.client() as client:
        client._transport.request("GET", "/Users", params={"count": "2"})
        client._transport.request("GET", "/Users/1")
    assert [e.path for e in client.wire_log] == ["/Users?count=2", "/Users/1"]
    assert client.wire_log[0].status == 200
    assert client.wire_log[0].elapsed_ms >= 0


@pytest.mark.parametrize("size", [4000, 4001])
def test_wire_log_keeps_at_most_4000_characters_of_a_body_that_is_not_json(
    stub: StubServer, size: int
) -> None:
    """A body that is not JSON is logged as text, cut at 4,000 characters."""
    stub.queue(Reply(raw=b"x" * size, headers={"Content-Type": "text/plain"}))
    with stub.client() as client, pytest.raises(MalformedResponse):
        client.get_user("1")
    assert client.wire_log[-1].response_body == "x" * 4000


def test_empty_200_and_204_have_no_body(stub: StubServer) -> None:
    """A 204, or a 200 without content, decodes to no body rather than an error."""
    stub.queue(Reply(status=204), Reply(status=200))
    with stub.client() as client:
        first = client._transport.request("DELETE", "/Users/1")
        second = client._transport.request("GET", "/Users/1")
    assert first[1] is None and second[1] is None
    assert [e.response_body for e in client.wire_log] == [None, None]


def test_transport_failure_of_another_kind_says_check_server_url(stub: StubServer) -> None:
    """A failure that is neither timeout nor refused connection (here: endless redirects) is
    a TransportError naming the exception and the setting to check."""
    loop = Reply(status=302, headers={"Location": "/scim/v2/Users"})
    stub.queue(*[loop] * 40)
    with stub.client() as client, pytest.raises(TransportError) as caught:
        client._transport.request("GET", "/Users")
    assert str(caught.value) == (
        "GET /Users failed before the server answered (TooManyRedirects). "
        "Check server_url, then try again."
    )
    assert client.wire_log[-1].error == "TooManyRedirects"
    assert client.wire_log[-1].status is None


def test_create_is_sent_once_even_when_busy(stub: StubServer) -> None:
    """A POST answered 429 is not retried, whatever Retry-After says."""
    stub.queue(Reply(status=429, headers={"Retry-After": "0"}), Reply(status=201, body=USER))
    with stub.client(retries=5) as client, pytest.raises(TooManyRequests):
        client.create_user(User(userName="dschrute"))
    assert len(stub.received) == 1


def test_a_retry_is_logged_with_method_url_and_wait(
    stub: StubServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Each retry leaves one DEBUG line on the sync_app logger: what, where, how long."""
    stub.queue(BUSY, Reply(body=USER))
    with caplog.at_level("DEBUG", logger="sync_app"), stub.client(backoff_factor=0.25) as client:
        _record_sleeps(client)
        client.get_user("1")
    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retrying")]
    assert retries == [f"retrying GET {stub.url}/Users/1 in 0.25 s"]


def test_get_sends_no_body(stub: StubServer) -> None:
    """A request without a body sends none (no "null", no Content-Length)."""
    stub.queue(Reply(body=USER))
    with stub.client() as client:
        client.get_user("1")
    assert "Content-Length" not in stub.received[0].headers


def test_elapsed_time_is_in_milliseconds(stub: StubServer) -> None:
    """The wire log's elapsed_ms is the time to the answer, in milliseconds."""
    stub.queue(Reply(body=USER, delay=0.2))
    with stub.client() as client:
        client.get_user("1")
    assert 150 <= client.wire_log[-1].elapsed_ms < 5000


def test_timeout_is_logged_and_raised_with_the_exchange(stub: StubServer) -> None:
    """A timeout records "Timeout after N s" and its elapsed time, and the error carries the
    exchange and the advice to raise the timeout."""
    stub.queue(Reply(body=USER, delay=2))
    with stub.client(timeout=0.2, retries=0) as client, pytest.raises(Timeout) as caught:
        client.get_user("1")
    exchange = client.wire_log[-1]
    assert exchange.error == "Timeout after 0.2 s"
    assert 150 <= exchange.elapsed_ms < 5000
    assert caught.value.request is exchange
    assert str(caught.value).endswith("try again, or raise ClientConfiguration(timeout=...).")


def test_refused_connection_is_logged_and_names_the_url() -> None:
    """A refused connection records "ConnectError: connection refused" and the error names
    the URL it tried."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/scim/v2"
    with SCIMClient(ClientConfiguration(server_url=url)) as client:
        with pytest.raises(TransportError) as caught:
            client.get_users()
        assert client.wire_log[-1].error == "ConnectError: connection refused"
        assert caught.value.request is client.wire_log[-1]
    assert str(caught.value).startswith(f"Could not connect to {url} (connection refused).")


def test_retry_really_waits_with_time_sleep(stub: StubServer) -> None:
    """Without a test hook, the wait between attempts is time.sleep (here 0 s)."""
    stub.queue(Reply(status=503, headers={"Retry-After": "0"}), Reply(body=USER))
    with stub.client() as client:
        assert client.get_user("1").resource.userName == "dschrute"
    assert len(stub.received) == 2


def test_malformed_answer_error_carries_its_exchange(stub: StubServer) -> None:
    """A 200 that is not a JSON object raises MalformedResponse holding the exchange."""
    stub.queue(Reply(raw=b"oops", headers={"Content-Type": "text/plain"}))
    with stub.client() as client, pytest.raises(MalformedResponse) as caught:
        client.get_user("1")
    assert caught.value.request is client.wire_log[-1]


def test_each_exchange_is_logged_with_status_or_error(
    stub: StubServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Every exchange leaves a DEBUG line: the status, or the error when none came."""
    stub.queue(Reply(body=USER), Reply(body=USER, delay=2))
    with caplog.at_level("DEBUG", logger="sync_app"), stub.client(retries=0) as client:
        client.get_user("1")
        client._transport.config = ClientConfiguration(server_url=stub.url, timeout=0.2)
        with pytest.raises(Timeout):
            client.get_user("1")
    lines = [r.getMessage() for r in caplog.records if " -> " in r.getMessage()]
    assert lines[0].startswith(f"GET {stub.url}/Users/1 -> 200 (")
    assert lines[1].startswith(f"GET {stub.url}/Users/1 -> Timeout after 0.2 s (")


def test_wire_log_shares_a_body_that_cannot_hold_a_password(stub: StubServer) -> None:
    """A response whose text has no "password" is logged as the very body returned, not a
    copy (copying every page cost a quarter of a large re-sync); one that does is a redacted
    copy."""
    stub.queue(Reply(body=USER), Reply(body={**USER, "password": "s3cret"}))
    with stub.client() as client:
        _, plain, exchange = client._transport.request("GET", "/Users/1")
        assert exchange.response_body is plain
        _, secret, exchange = client._transport.request("GET", "/Users/1")
        assert exchange.response_body is not secret
        assert "s3cret" not in str(exchange.response_body)
