"""The HTTP/1.1 layer under the app, and the uvicorn settings every server of the course uses.

uvicorn parses HTTP with ``httptools`` (a C parser) where it is installed, which is about a
fifth of the server's CPU per request less than the pure-Python ``h11`` (bench/RESULTS.md,
"HTTP layer (session 4)"); ``h11`` stays the fallback. Either way, a request the parser
refuses never reaches the app, and uvicorn would answer it with a plain-text 400 of its own.
The two protocols here answer those with a SCIM ``Error`` (RFC 7644 §3.12), built by the
app's one mapping (:func:`.app.error_response`), and close the connection:

- an unknown method (``BREW /Users``; h11 passes it to the app, whose router answers 405) is
  a 405 with an ``Allow`` header, as the app answers a method an endpoint does not take;
- a request line or header the parser cannot read is a 400 that says what it stumbled on;
- a request line and headers longer than :data:`MAX_HEAD` bytes are a 431 (RFC 6585 §5; the
  limit is ours: httptools sets none, and h11 is given the same number, which it applies to a
  head that arrives in pieces), a URL longer than httptools reads (:data:`MAX_URL`) a 414.

:func:`uvicorn_settings` is the one place that chooses the protocol and the event loop (uvloop
where installed), for :class:`.runner.LocalServer`, ``scim-course workshop serve`` and
``bench/ceiling.py``.
"""

from __future__ import annotations

import http
import importlib.util
import re
import sys
from typing import Any

from scim2_models import SCIMException
from uvicorn.protocols.http.h11_impl import H11Protocol

from .app import access_log, error_response
from .errors import HeadersTooLarge, MethodNotAllowed, URITooLong

try:
    import httptools
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools is a dependency; h11 is the fallback
    httptools = None  # type: ignore[assignment]

#: The most bytes a request line and its headers may take (ours; the body's limit is in Limits).
MAX_HEAD = 131_072
#: The longest request target httptools' URL parser reads.
MAX_URL = 65_535
#: The methods the app answers (RFC 7644 §3.2), for the ``Allow`` header of an unknown one.
ALLOWED = "GET, HEAD, POST, PUT, PATCH, DELETE"
_TOKEN = re.compile(rb"\s*([!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}) ")


class _HeadTooLarge(Exception):
    """Raised in a parser callback to stop a request whose head is over MAX_HEAD."""


class _UrlTooLong(Exception):
    """Raised in a parser callback to stop a request whose target is over MAX_URL."""


def _answer(transport: Any, default_headers: list[tuple[bytes, bytes]], exc: SCIMException) -> None:
    """Write ``exc`` as a SCIM Error to ``transport`` and close it (the request was not read)."""
    response = error_response(exc)
    phrase = http.HTTPStatus(response.status_code).phrase.encode()
    head = [b"HTTP/1.1 %d %s\r\n" % (response.status_code, phrase)]
    for name, value in [*default_headers, *response.raw_headers, (b"connection", b"close")]:
        head.append(b"%s: %s\r\n" % (name, value))
    transport.write(b"".join([*head, b"\r\n", response.body]))
    transport.close()
    # The access log's line for a request that never reached the app: no path, it was not read.
    access_log.info("%s %s %d", "-", "[request not read]", response.status_code)


def unreadable(reason: str) -> SCIMException:
    """400: the request line or a header could not be parsed."""
    return SCIMException(
        detail=f"The server could not read this HTTP request ({reason}). Check the request "
        "line and the headers your client sends."
    )


def too_large_head() -> HeadersTooLarge:
    """431: the request line and headers are over :data:`MAX_HEAD` bytes."""
    return HeadersTooLarge(
        detail=f"The request line and headers are longer than {MAX_HEAD} bytes, this server's "
        "limit. A long filter fits in the body of POST /.search (RFC 7644 §3.4.3)."
    )


def too_long_url() -> URITooLong:
    """414: the request target is over :data:`MAX_URL` bytes."""
    return URITooLong(
        detail=f"The URL is longer than {MAX_URL} bytes, the most this server reads. A long "
        "filter fits in the body of POST /.search (RFC 7644 §3.4.3)."
    )


def unknown_method(method: str | None) -> SCIMException:
    """405: a method the parser does not know; named when it could be read."""
    named = f"{method} is not" if method else "The request's method is not"
    return MethodNotAllowed(
        detail=f"{named} an HTTP method this server answers; SCIM uses GET, POST, PUT, PATCH "
        "and DELETE (RFC 7644 §3.2).",
        headers={"Allow": ALLOWED},
    )


class ScimH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, answering what h11 cannot parse with a SCIM Error."""

    def send_400_response(self, msg: str) -> None:
        # Called by uvicorn inside its ``except h11.RemoteProtocolError``. h11's message quotes
        # the line it refused, which may hold a token: only its status hint is used.
        hint = getattr(sys.exc_info()[1], "error_status_hint", 400)
        refusal = (
            too_large_head() if hint == 431 else unreadable("a malformed request line or header")
        )
        _answer(self.transport, self.server_state.default_headers, refusal)


if httptools is not None:

    class ScimHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, answering what the parser refuses with a SCIM Error."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._in_message = False  # between on_message_begin and on_message_complete
            self._head_read = False  # the current request's headers are complete
            self._head_size = 0  # bytes read while the head was incomplete
            self._head_bytes = 0  # the request line's and headers' length, as parsed
            self._completed = 0  # requests completed by the data being parsed
            self._refusal: SCIMException | None = None  # waiting for earlier responses

        def on_message_begin(self) -> None:
            self._in_message, self._head_read, self._head_bytes = True, False, 0
            super().on_message_begin()

        def on_url(self, url: bytes) -> None:
            self._head_bytes += len(url)
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._head_bytes += len(name) + len(value) + 4
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._head_read = True
            # Raised here, they stop the parser: the request never reaches the app.
            if self._head_bytes > MAX_HEAD:
                raise _HeadTooLarge
            if len(self.url) > MAX_URL:
                raise _UrlTooLong
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._in_message, self._head_read, self._head_size = False, False, 0
            self._completed += 1
            super().on_message_complete()

        def data_received(self, data: bytes) -> None:
            if self._refusal is not None:  # refused already, answered once the others are
                return
            self._unset_keepalive_if_required()
            starts_request = not self._in_message
            head_in_progress = self._in_message and not self._head_read
            self._completed = 0
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserUpgrade:
                # As uvicorn: the request was already handed to the app (no WebSocket here).
                if self._should_upgrade():  # pragma: no cover - ws="none"
                    self.handle_websocket_upgrade()
                else:
                    self._unsupported_upgrade_warning()
            except httptools.HttpParserInvalidMethodError:
                # Named only when the refused method is the first word of this data: the data
                # began a request, and no earlier request in it was completed (pipelining).
                named = starts_request and not self._completed
                self._refuse(self._unknown_method(data) if named else unknown_method(None))
                return
            except httptools.HttpParserError as exc:
                if isinstance(exc.__context__, _HeadTooLarge):
                    self._refuse(too_large_head())
                elif isinstance(exc.__context__, _UrlTooLong):
                    self._refuse(too_long_url())
                else:
                    self._refuse(unreadable(str(exc).rstrip(".").lower() or "malformed"))
                return
            # Counted only for data that continued a head and did not finish it: a read that
            # began a request may also hold the end of the one before it (pipelining), so it
            # is not counted, and the parser holds at most one read more than MAX_HEAD.
            if head_in_progress and self._in_message and not self._head_read:
                self._head_size += len(data)
                if self._head_size > MAX_HEAD:
                    self._refuse(too_large_head())

        @staticmethod
        def _unknown_method(data: bytes) -> SCIMException:
            token = _TOKEN.match(data)
            if token is None:  # not "METHOD " at all: a request line the parser cannot read
                return unreadable("no method and path on the request line")
            return unknown_method(token.group(1).decode("ascii"))

        def _refuse(self, exc: SCIMException) -> None:
            busy = self.pipeline or (self.cycle is not None and not self.cycle.response_complete)
            if busy:
                # Answered after the responses to the requests before it, which keep their
                # order (RFC 9112 §9.3.2); nothing more is read from this connection.
                self._refusal = exc
                self.flow.pause_reading()
                return
            _answer(self.transport, self.server_state.default_headers, exc)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self._refusal is not None and not self.pipeline and self.cycle.response_complete:
                refusal, self._refusal = self._refusal, None
                self._refuse(refusal)

    HTTP_PROTOCOL = f"{__name__}:ScimHttpToolsProtocol"
else:  # pragma: no cover
    HTTP_PROTOCOL = f"{__name__}:ScimH11Protocol"


#: uvloop where it is installed (a dependency except on Windows, which it does not support):
#: 10-15% less server CPU per request than asyncio's loop (bench/RESULTS.md, session 4).
LOOP = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"


def uvicorn_settings() -> dict[str, Any]:
    """The keyword arguments of ``uvicorn.Config`` every server of the course runs with.

    Our own access log replaces uvicorn's (which prints query strings), there is no lifespan
    (``workshop serve`` turns it on: its workers close their store) and no WebSocket, the HTTP
    protocol is :data:`HTTP_PROTOCOL` (an import string, so that ``workshop serve``'s worker
    processes load it too) and the event loop :data:`LOOP`.
    """
    return {
        "http": HTTP_PROTOCOL,
        "loop": LOOP,
        "log_config": None,
        "access_log": False,
        "lifespan": "off",
        "ws": "none",
        "h11_max_incomplete_event_size": MAX_HEAD,  # the fallback's limit, the same number
    }
