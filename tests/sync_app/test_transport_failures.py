"""Why a connection failed, in a few words, and what the error keeps (issue 18).

Found missing by the fourth mutation run. The failures that a loopback socket can produce are
produced for real: a TLS client talking to a plain-HTTP server, a server that closes the
connection without answering. Those a test machine cannot produce on demand (an unreachable
network, an exception chain longer than urllib3 ever nests) are built as the exception chains
``requests`` raises and handed to :func:`connect_failure_reason` itself.
"""

from __future__ import annotations

import errno
import itertools
import socket
import threading
from collections.abc import Iterator

import pytest
import requests
from urllib3 import HTTPConnectionPool
from urllib3.exceptions import MaxRetryError

from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import ConnectError, Timeout, TransportError
from sync_app.transport import connect_failure_reason
from tests.sync_app.conftest import Reply, StubServer


@pytest.fixture
def closing_server() -> Iterator[str]:
    """A loopback server that accepts each connection and closes it without a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.05)  # so that the loop sees stop
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                conn.recv(65536)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/scim/v2"
    stop.set()
    thread.join(timeout=5)
    listener.close()


def test_a_tls_client_on_a_plain_http_server_says_the_handshake_failed(stub: StubServer) -> None:
    """https:// to a server that speaks plain HTTP: ConnectError "the TLS handshake failed"."""
    url = stub.url.replace("http://", "https://")
    config = ClientConfiguration(server_url=url, retries=0)
    with SCIMClient(config) as client, pytest.raises(ConnectError) as caught:
        client.get_users()
    assert caught.value.reason == "the TLS handshake failed"
    assert client.wire_log[-1].error == "ConnectError: the TLS handshake failed"


def test_a_server_that_hangs_up_says_the_connection_was_closed(closing_server: str) -> None:
    """A server that closes the connection before answering: "the connection was closed
    before an answer" (requests' "Connection aborted")."""
    config = ClientConfiguration(server_url=closing_server, retries=0)
    with SCIMClient(config) as client, pytest.raises(ConnectError) as caught:
        client.get_users()
    assert caught.value.reason == "the connection was closed before an answer"


def test_timeout_error_keeps_requests_exception(stub: StubServer) -> None:
    """A Timeout carries the exchange and requests' own exception as .original."""
    stub.queue(Reply(body={}, delay=2))
    with stub.client(timeout=0.2, retries=0) as client, pytest.raises(Timeout) as caught:
        client.get_users()
    assert isinstance(caught.value.original, requests.Timeout)
    assert caught.value.request is client.wire_log[-1]


def test_transport_error_of_another_kind_keeps_exchange_and_exception(stub: StubServer) -> None:
    """Endless redirects: the TransportError carries the exchange and TooManyRedirects."""
    stub.queue(*[Reply(status=302, headers={"Location": "/scim/v2/Users"})] * 40)
    with stub.client() as client, pytest.raises(TransportError) as caught:
        client.get_users()
    assert isinstance(caught.value.original, requests.TooManyRedirects)
    assert caught.value.request is client.wire_log[-1]


def _chain(*exceptions: BaseException) -> BaseException:
    """exceptions[0], each one's __context__ the next (as nested ``except`` blocks leave)."""
    for outer, inner in itertools.pairwise(exceptions):
        outer.__context__ = inner
    return exceptions[0]


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (requests.ConnectionError("no reason given"), "no connection"),
        (
            requests.ConnectionError(OSError(errno.ENETUNREACH, "Network is unreachable")),
            "network is unreachable",
        ),
        (requests.ConnectionError(OSError(errno.ENETUNREACH, None)), "network error"),
        # urllib3 keeps the cause in .reason, not in args (MaxRetryError)
        (
            requests.ConnectionError(
                MaxRetryError(
                    HTTPConnectionPool("127.0.0.1"),
                    "/Users",
                    reason=ConnectionRefusedError(111, "refused"),
                )
            ),
            "connection refused",
        ),
        # two nested causes: the second is found after the first is searched
        (
            requests.ConnectionError(ValueError("x"), ConnectionRefusedError(111, "refused")),
            "connection refused",
        ),
    ],
)
def test_connect_failure_reason_of_each_chain(error: BaseException, reason: str) -> None:
    """The few words for each chain requests raises: no known cause, an OS error with its
    message (or none), a cause urllib3 keeps in .reason, a cause after another."""
    assert connect_failure_reason(error) == reason


@pytest.mark.parametrize(("length", "reason"), [(20, "connection refused"), (21, "no connection")])
def test_connect_failure_reason_searches_twenty_causes(length: int, reason: str) -> None:
    """The search stops after twenty exceptions (a guard against cycles): a refused
    connection twentieth in the chain is found, twenty-first is not."""
    chain = [requests.ConnectionError(f"level {n}") for n in range(length - 1)]
    error = _chain(*chain, ConnectionRefusedError(111, "refused"))
    assert connect_failure_reason(error) == reason
