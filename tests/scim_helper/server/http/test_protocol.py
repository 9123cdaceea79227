"""The HTTP/1.1 layer (``protocol.py``): what the parser refuses is a SCIM Error too.

Raw sockets, since a client library would not send these requests. Each behaviour is checked
with httptools (what the server runs) and with h11 (the fallback, and the server before), as
far as the two agree; where they differ, the test says which one it is about.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from scim_helper.server import protocol
from scim_helper.server.runner import LocalServer

ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
HTTPTOOLS = "scim_helper.server.protocol:ScimHttpToolsProtocol"
H11 = "scim_helper.server.protocol:ScimH11Protocol"
SPC = b"GET /scim/v2/ServiceProviderConfig HTTP/1.1\r\nHost: t\r\n\r\n"


@pytest.fixture(scope="module", params=[HTTPTOOLS, H11], ids=["httptools", "h11"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalServer]:
    """The course's server on each protocol."""
    db = tmp_path_factory.mktemp("protocol") / "scim.db"
    with LocalServer(db, http=request.param) as running:
        yield running


@pytest.fixture(scope="module")
def httptools_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """The course's server as it runs by default (httptools)."""
    assert protocol.HTTP_PROTOCOL == HTTPTOOLS
    with LocalServer(tmp_path_factory.mktemp("protocol") / "scim.db") as running:
        yield running


class Answer:
    """One HTTP response read off a socket."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body)


def _connect(server: LocalServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _read(sock: socket.socket, buffer: bytearray, head: bool = False) -> Answer:
    """The next response on ``sock`` (``head``: an answer to HEAD, without a body)."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before a response: {bytes(buffer)!r}"
        buffer += chunk
    raw, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    lines = raw.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    length = 0 if head or status in (100, 204) else int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed inside a body"
        rest += chunk
    buffer[:] = rest[length:]
    return Answer(status, headers, rest[:length])


def _exchange(server: LocalServer, data: bytes, answers: int = 1) -> list[Answer]:
    with _connect(server) as sock:
        sock.sendall(data)
        buffer = bytearray()
        return [_read(sock, buffer) for _ in range(answers)]


def _closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def _check_error(answer: Answer, status: int) -> dict[str, Any]:
    assert answer.status == status, answer.body
    assert answer.headers["content-type"] == "application/scim+json"
    body: dict[str, Any] = answer.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert body["detail"].strip()
    return body


MALFORMED = [
    pytest.param(b"GARBAGE\r\n\r\n", id="no-method-and-path"),
    pytest.param(b"GET /scim/v2/Users x HTTP/1.1\r\nHost: t\r\n\r\n", id="space-in-target"),
    pytest.param(b"GET /scim/\x00v2/Users HTTP/1.1\r\nHost: t\r\n\r\n", id="nul-in-target"),
    pytest.param(b"GET /scim/v2/Users HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n", id="bad-name"),
    pytest.param(b"GET /scim/v2/Users HTTP/1.1\r\nHost: t\r\nNoColon\r\n\r\n", id="no-colon"),
    pytest.param(
        b"POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\nContent-Length: ten\r\n\r\n", id="cl-letters"
    ),
    pytest.param(
        b"POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", id="cl-negative"
    ),
    pytest.param(
        b"POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n"
        b"\r\nab",
        id="cl-twice",
    ),
]


@pytest.mark.parametrize("request_bytes", MALFORMED)
def test_rfc7644_3_12_unreadable_request_is_scim_400_and_closes(
    server: LocalServer, request_bytes: bytes
) -> None:
    """A request line or header the parser refuses is a SCIM 400, and the connection closes."""
    with _connect(server) as sock:
        sock.sendall(request_bytes)
        answer = _read(sock, bytearray())
        body = _check_error(answer, 400)
        assert "could not read this HTTP request" in body["detail"]
        assert answer.headers["connection"] == "close"
        assert _closed(sock)


def test_rfc7644_3_12_an_unreadable_request_never_echoes_a_token(server: LocalServer) -> None:
    """The 400 for a malformed header does not repeat the line, which may hold a token."""
    token = "tok-" + "s3cr3t" * 4
    answer = _exchange(
        server, f"GET / HTTP/1.1\r\nHost: t\r\nAuthorization Bearer {token}\r\n\r\n".encode()
    )
    assert token.encode() not in answer[0].body
    _check_error(answer[0], 400)


def test_rfc7644_3_12_unknown_method_is_scim_405_on_both_protocols(server: LocalServer) -> None:
    """BREW is a SCIM 405 with an Allow header, whether the parser or the router refuses it."""
    auth = f"Authorization: Bearer {server.token}\r\n".encode()  # h11: the router's 405
    answer = _exchange(server, b"BREW /scim/v2/Users HTTP/1.1\r\nHost: t\r\n" + auth + b"\r\n")[0]
    body = _check_error(answer, 405)
    assert "GET" in answer.headers["allow"]
    assert "BREW" in body["detail"] or server.http == H11


def test_rfc7644_3_2_unknown_method_names_the_method_and_the_scim_ones(
    httptools_server: LocalServer,
) -> None:
    """httptools' refusal of a method names it and the methods SCIM uses (RFC 7644 §3.2)."""
    answer = _exchange(httptools_server, b"BREW /scim/v2/Users HTTP/1.1\r\nHost: t\r\n\r\n")[0]
    body = _check_error(answer, 405)
    assert body["detail"].startswith("BREW is not an HTTP method")
    assert "GET, POST, PUT, PATCH and DELETE" in body["detail"]
    assert answer.headers["allow"] == protocol.ALLOWED


def test_rfc9112_9_3_2_pipelined_answers_keep_their_order_up_to_a_refused_method(
    server: LocalServer,
) -> None:
    """Two pipelined requests are answered in order; a refused method after one comes last."""
    answers = _exchange(server, SPC + SPC + b"BREW /scim/v2/Users HTTP/1.1\r\nHost: t\r\n\r\n", 3)
    assert [answer.status for answer in answers[:2]] == [200, 200]
    assert answers[0].json()["schemas"] == answers[1].json()["schemas"]
    _check_error(answers[2], 405 if server.http == HTTPTOOLS else 401)


def test_rfc9112_9_3_keep_alive_answers_requests_one_after_another(server: LocalServer) -> None:
    """One connection serves several requests sent one after the other."""
    with _connect(server) as sock:
        buffer = bytearray()
        for _ in range(3):
            sock.sendall(SPC)
            assert _read(sock, buffer).status == 200


def test_rfc9110_9_3_2_head_has_the_get_headers_and_no_body(server: LocalServer) -> None:
    """HEAD answers the status and Content-Length of GET, and no body follows."""
    with _connect(server) as sock:
        buffer = bytearray()
        sock.sendall(SPC.replace(b"GET", b"HEAD", 1))
        head = _read(sock, buffer, head=True)
        sock.sendall(SPC)
        get = _read(sock, buffer)
    assert head.status == get.status == 200
    assert int(head.headers["content-length"]) == len(get.body)


def test_rfc9110_10_1_1_expect_100_continue_gets_continue_before_the_body(
    server: LocalServer,
) -> None:
    """A request with Expect: 100-continue is told to go on, then answered."""
    body = json.dumps({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}).encode()
    head = (
        "POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
        f"{server.token}\r\nContent-Type: application/scim+json\r\n"
        f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"
    )
    with _connect(server) as sock:
        buffer = bytearray()
        sock.sendall(head.encode())
        assert _read(sock, buffer).status == 100
        sock.sendall(body)
        # No userName: the app read the body and refused it (RFC 7643 §4.1.1).
        body_answer = _check_error(_read(sock, buffer), 400)
    assert body_answer["scimType"] == "invalidValue"


def _send_in_pieces(sock: socket.socket, data: bytes, pieces: int) -> None:
    """Send ``data`` in ``pieces`` writes, stopping if the server has answered and closed."""
    size = -(-len(data) // pieces)
    for start in range(0, len(data), size):
        try:
            sock.sendall(data[start : start + size])
        except (BrokenPipeError, ConnectionResetError):
            return
        time.sleep(0.005)


@pytest.mark.parametrize("pieces", [1, 20])
def test_rfc6585_5_head_over_the_limit_is_scim_431(
    httptools_server: LocalServer, pieces: int
) -> None:
    """A request line longer than MAX_HEAD is a SCIM 431, in one piece or many (h11, the
    fallback, applies the same number only to a head that arrives in pieces)."""
    server = httptools_server
    request = (
        b"GET /scim/v2/Users?filter=" + b"x" * protocol.MAX_HEAD + b" HTTP/1.1\r\nHost: t\r\n\r\n"
    )
    with _connect(server) as sock:
        _send_in_pieces(sock, request, pieces)
        body = _check_error(_read(sock, bytearray()), 431)
    assert str(protocol.MAX_HEAD) in body["detail"]
    assert "POST /.search" in body["detail"]


def test_rfc6585_5_header_that_never_ends_is_refused_while_it_comes(
    httptools_server: LocalServer,
) -> None:
    """A header line that never ends is refused once past MAX_HEAD, not buffered forever."""
    with _connect(httptools_server) as sock:
        sock.sendall(b"GET /scim/v2/Users HTTP/1.1\r\nHost: t\r\nX-Long: ")
        sent = 0
        with pytest.raises((BrokenPipeError, ConnectionResetError)):
            while sent < 20 * protocol.MAX_HEAD:
                sock.sendall(b"y" * 16384)
                sent += 16384
                time.sleep(0.001)
        assert sent < 20 * protocol.MAX_HEAD


def test_rfc7644_3_4_2_long_url_under_the_limit_reaches_the_app(server: LocalServer) -> None:
    """A URL just under MAX_URL, sent in pieces, is the app's to answer."""
    filter_ = quote('userName eq "' + "x" * (protocol.MAX_URL - 300) + '"')
    request = (
        f"GET /scim/v2/Users?filter={filter_} HTTP/1.1\r\nHost: t\r\n"
        f"Authorization: Bearer {server.token}\r\n\r\n"
    ).encode()
    with _connect(server) as sock:
        _send_in_pieces(sock, request, 20)
        answer = _read(sock, bytearray())
    assert answer.status == 200, answer.body  # the app's answer: no such user
    assert answer.json()["totalResults"] == 0


@pytest.mark.parametrize("pieces", [1, 20])
def test_rfc9110_15_5_15_url_over_the_limit_is_scim_414(
    httptools_server: LocalServer, pieces: int
) -> None:
    """A URL longer than MAX_URL is a SCIM 414 that points to POST /.search."""
    request = (
        b"GET /scim/v2/Users?filter=" + b"x" * protocol.MAX_URL + b" HTTP/1.1\r\nHost: t\r\n\r\n"
    )
    with _connect(httptools_server) as sock:
        _send_in_pieces(sock, request, pieces)
        body = _check_error(_read(sock, bytearray()), 414)
    assert str(protocol.MAX_URL) in body["detail"]
    assert "POST /.search" in body["detail"]


def test_rfc7644_3_12_body_larger_than_the_head_limit_is_not_a_431(server: LocalServer) -> None:
    """A body of several times MAX_HEAD, sent with its head in one write, reaches the app."""
    body = json.dumps(
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "long-body",
            "nickName": "n" * (3 * protocol.MAX_HEAD),
        }
    ).encode()
    head = (
        "POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
        f"{server.token}\r\nContent-Type: application/scim+json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    answer = _exchange(server, head.encode() + body)[0]
    assert _check_error(answer, 400)["scimType"] == "invalidValue"  # nickName too long


def test_access_log_has_a_line_for_a_request_that_was_not_read(
    httptools_server: LocalServer, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """A refused request leaves one access-log line, with its status and without its path."""
    with caplog.at_level("INFO", logger="scim_helper.server.access"):
        _exchange(httptools_server, b"GET /scim/v2/secret x HTTP/1.1\r\nHost: t\r\n\r\n")
        deadline = time.monotonic() + 5
        while "400" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.01)
    assert "- [request not read] 400" in caplog.text
    assert "secret" not in caplog.text
