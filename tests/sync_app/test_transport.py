"""Transport: timeouts, retries with backoff and Retry-After, and failures without an answer.

Faults a real server will not produce on demand come from the scripted stub on loopback.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import socket
import traceback

import pytest
import requests

from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import (
    ConnectError,
    MalformedResponse,
    ServerError,
    Timeout,
    TooManyRequests,
    TransportError,
)
from sync_app.scim.patchop import Operation
from sync_app.scim.user import User
from sync_app.transport import retry_after_seconds
from tests.sync_app.conftest import Reply, StubServer

USER = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "1",
    "userName": "dschrute",
}


def _record_sleeps(client: SCIMClient) -> list[float]:
    waits: list[float] = []
    client._transport.sleep = waits.append
    return waits


def test_default_timeout_is_ten_seconds(stub: StubServer) -> None:
    """A client waits 10 s by default, never forever."""
    assert ClientConfiguration(server_url=stub.url).timeout == 10.0


def test_timeout_raises_timeout(stub: StubServer) -> None:
    """No answer within the timeout raises Timeout, saying how to wait longer."""
    stub.queue(Reply(body=USER, delay=2))
    with stub.client(timeout=0.2, retries=0) as client, pytest.raises(Timeout) as caught:
        client.get_user("1")
    assert "did not answer within 0.2 s" in str(caught.value)
    assert "timeout=" in str(caught.value)
    assert client.wire_log[-1].status is None
    assert client.wire_log[-1].error and "Timeout" in client.wire_log[-1].error


def test_connection_refused_raises_connect_error() -> None:
    """A refused connection raises ConnectError: what happened, then what to do."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/scim/v2"
    config = ClientConfiguration(server_url=url, auth_token="t")
    with SCIMClient(config) as client, pytest.raises(ConnectError) as caught:
        client.get_users()
    error = caught.value
    assert isinstance(error, TransportError)
    assert str(error) == (
        f"Could not connect to {url} (connection refused). "
        "Check that the server is running and that server_url is right."
    )
    assert error.summary == f"Could not connect to {url} (connection refused)."
    assert (error.url, error.reason) == (url, "connection refused")
    assert error.request is client.wire_log[-1]
    assert client.wire_log[-1].error == "ConnectError: connection refused"


def test_connect_error_does_not_chain_urllib3s_traceback() -> None:
    """The traceback shows the client's frames only; requests' error stays on .original."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = ClientConfiguration(server_url=f"http://127.0.0.1:{port}/scim/v2")
    with SCIMClient(config) as client, pytest.raises(ConnectError) as caught:
        client.get_users()
    error = caught.value
    shown = "".join(traceback.format_exception(error))
    assert "/urllib3/" not in shown and "/requests/" not in shown
    assert "During handling" not in shown
    assert "direct cause" not in shown and shown.count("Traceback") == 1
    assert isinstance(error.original, requests.ConnectionError)
    assert error.__cause__ is None and error.__suppress_context__


def test_unknown_host_says_host_not_found() -> None:
    """A name that does not resolve is reported as such, not as a refused connection."""
    config = ClientConfiguration(server_url="http://no-such-host.invalid/scim/v2", retries=0)
    with SCIMClient(config) as client, pytest.raises(ConnectError) as caught:
        client.get_users()
    assert caught.value.reason == "host not found"


def test_rfc9110_retry_503_honours_retry_after_seconds(stub: StubServer) -> None:
    """A GET answered 503 with Retry-After: 2 is retried after 2 s."""
    stub.queue(Reply(status=503, headers={"Retry-After": "2"}), Reply(body=USER))
    with stub.client() as client:
        waits = _record_sleeps(client)
        response = client.get_user("1")
    assert response.resource.userName == "dschrute"
    assert waits == [2.0]
    assert [e.status for e in client.wire_log] == [503, 200]
    assert [e.attempt for e in client.wire_log] == [1, 2]


def test_retry_429_honours_retry_after_http_date(stub: StubServer) -> None:
    """Retry-After may be an HTTP date: the client waits until then."""
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    stub.queue(
        Reply(status=429, headers={"Retry-After": email.utils.format_datetime(later, usegmt=True)}),
        Reply(body=USER),
    )
    with stub.client() as client:
        waits = _record_sleeps(client)
        client.get_user("1")
    assert len(waits) == 1 and 3.0 < waits[0] <= 5.0


def test_retry_backs_off_exponentially_then_gives_up(stub: StubServer) -> None:
    """Without Retry-After, waits double; after `retries` retries the error is raised."""
    stub.queue(*[Reply(status=503, body={"status": "503", "detail": "maintenance"})] * 4)
    with stub.client(retries=3, backoff_factor=0.1) as client:
        waits = _record_sleeps(client)
        with pytest.raises(ServerError) as caught:
            client.get_users()
    assert waits == pytest.approx([0.1, 0.2, 0.4])
    assert len(stub.received) == 4
    assert "Gave up after 4 attempts" in str(caught.value)
    assert caught.value.status == 503


def test_retry_wait_is_capped(stub: StubServer) -> None:
    """Backoff never waits longer than max_backoff."""
    stub.queue(Reply(status=503), Reply(status=503), Reply(body=USER))
    with stub.client(retries=2, backoff_factor=10, max_backoff=1.5) as client:
        waits = _record_sleeps(client)
        client.get_user("1")
    assert waits == [1.5, 1.5]


def test_retry_after_beyond_cap_is_not_waited(stub: StubServer) -> None:
    """A Retry-After longer than max_backoff raises at once instead of hanging."""
    stub.queue(Reply(status=429, headers={"Retry-After": "3600"}))
    with stub.client(max_backoff=30) as client:
        waits = _record_sleeps(client)
        with pytest.raises(TooManyRequests) as caught:
            client.get_users()
    assert waits == []
    assert caught.value.status == 429
    assert "rate limiting" in str(caught.value)


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_non_idempotent_methods_are_not_retried(stub: StubServer, method: str) -> None:
    """POST and PATCH are never retried: a retry could create or add twice."""
    stub.queue(Reply(status=503, headers={"Retry-After": "0"}), Reply(status=201, body=USER))
    with stub.client() as client:
        waits = _record_sleeps(client)
        with pytest.raises(ServerError):
            if method == "POST":
                client.create_user(User(userName="dschrute"))
            else:
                client.update_user("1", Operation(op="replace", path="active", value=False))
    assert waits == []
    assert len(stub.received) == 1


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_idempotent_methods_are_retried(stub: StubServer, method: str) -> None:
    """GET, PUT and DELETE are retried on 503."""
    done = Reply(status=204) if method == "DELETE" else Reply(body=USER)
    stub.queue(Reply(status=503, headers={"Retry-After": "0"}), done)
    with stub.client() as client:
        _record_sleeps(client)
        if method == "GET":
            client.get_user("1")
        elif method == "PUT":
            client.replace_user(User(user_id="1", userName="dschrute"))
        else:
            client.delete_user("1")
    assert [r.method for r in stub.received] == [method, method]


def test_retries_zero_disables_retrying(stub: StubServer) -> None:
    """ClientConfiguration(retries=0) raises on the first 503."""
    stub.queue(Reply(status=503, headers={"Retry-After": "0"}))
    with stub.client(retries=0) as client, pytest.raises(ServerError):
        client.get_users()
    assert len(stub.received) == 1


def test_malformed_json_raises_malformed_response(stub: StubServer) -> None:
    """A 200 whose body is not JSON raises MalformedResponse, quoting the start of it."""
    stub.queue(
        Reply(raw=b"<html>Welcome to Dunder Mifflin</html>", headers={"Content-Type": "text/html"})
    )
    with stub.client() as client, pytest.raises(MalformedResponse) as caught:
        client.get_user("1")
    assert "not SCIM JSON (not JSON)" in str(caught.value)
    assert "Welcome to Dunder Mifflin" in str(caught.value)
    assert "server_url" in str(caught.value)
    assert client.wire_log[-1].response_body.startswith("<html>")


def test_json_that_is_not_an_object_raises_malformed_response(stub: StubServer) -> None:
    """A JSON list where a resource is expected is malformed too."""
    stub.queue(Reply(body=["not", "a", "resource"]))
    with stub.client() as client, pytest.raises(MalformedResponse) as caught:
        client.get_user("1")
    assert "a JSON list, not an object" in str(caught.value)


def test_requests_carry_scim_headers_and_bearer_token(stub: StubServer) -> None:
    """Requests send application/scim+json and the bearer token."""
    stub.queue(Reply(status=201, body=USER))
    with stub.client() as client:
        client.create_user(User(userName="dschrute"))
    headers = stub.received[0].headers
    assert headers["Authorization"] == "Bearer stub-token"
    assert headers["Content-Type"] == "application/scim+json"
    assert headers["Accept"].startswith("application/scim+json")


def test_user_ids_are_quoted_in_urls(stub: StubServer) -> None:
    """An id is one path segment, even with a slash in it."""
    stub.queue(Reply(body=USER))
    with stub.client() as client:
        client.get_user("a/b c")
    assert stub.received[0].path == "/scim/v2/Users/a%2Fb%20c"


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("7", 7.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("soon", None), (None, None)],
)
def test_rfc9110_10_2_3_retry_after_parsing(header: str | None, seconds: float | None) -> None:
    """Retry-After is delay-seconds or an HTTP-date (a past date means now)."""
    assert retry_after_seconds(header) == seconds
