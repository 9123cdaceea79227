"""One HTTP exchange with retries, timing, the wire log and error mapping.

The only module that calls ``requests``: the client above it deals in SCIM, not HTTP.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from sync_app.config import ClientConfiguration
from sync_app.errors import (
    ConnectError,
    Timeout,
    TransportError,
    error_for_response,
    malformed_response,
)
from sync_app.wirelog import Exchange, WireLog, redact_body, redact_headers, redact_json

__all__ = ["IDEMPOTENT_METHODS", "Transport", "retry_after_seconds"]

logger = logging.getLogger("sync_app")

#: The methods a retry cannot turn into a duplicate (RFC 9110 §9.2.2). POST and PATCH are
#: not: a retried POST may create the user twice, a retried PATCH add a member twice.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})
SCIM_MEDIA_TYPE = "application/scim+json"
_MAX_LOGGED_TEXT = 4000


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Read a Retry-After header (RFC 9110 §10.2.3): seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


def _decode(response: requests.Response) -> tuple[Any, str | None]:
    """The JSON body and, when it is not a JSON object, why."""
    if response.status_code == 204 or not response.content:
        return None, None
    try:
        body = response.json()
    except ValueError:
        return None, "not JSON"
    if not isinstance(body, dict):
        return body, f"a JSON {type(body).__name__}, not an object"
    return body, None


class Transport:
    """Sends requests through one ``requests.Session`` for one configuration."""

    def __init__(self, config: ClientConfiguration, session: requests.Session) -> None:
        self.config = config
        self.session = session
        self.wire_log = WireLog(config.wire_log_size)
        #: Patched by tests to record waits instead of sleeping.
        self.sleep: Callable[[float], None] = time.sleep

    def _headers(self, method: str, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = {
            "Accept": f"{SCIM_MEDIA_TYPE}, application/json",
            "User-Agent": self.config.user_agent,
        }
        if method in ("POST", "PUT", "PATCH"):
            headers["Content-Type"] = SCIM_MEDIA_TYPE
        if self.config.auth_token:
            headers["Authorization"] = f"Bearer {self.config.auth_token}"
        headers.update(extra or {})
        return headers

    def _delay(self, response: requests.Response, attempt: int) -> float | None:
        """Seconds to wait before retrying, or ``None`` not to retry."""
        if attempt > self.config.retries:
            return None
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        if asked is not None:
            # A server asking for a longer wait than we accept gets its error, not a
            # retry it said would fail.
            return asked if asked <= self.config.max_backoff else None
        return float(min(self.config.backoff_factor * 2 ** (attempt - 1), self.config.max_backoff))

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[requests.Response, Any, Exchange]:
        """Send one request, retrying if allowed; return the response, its JSON and exchange.

        Raises a :class:`~sync_app.errors.TransportError` when there is no answer and a
        :class:`~sync_app.errors.ProtocolError` for an error status or a body that is not
        a JSON object.
        """
        url = self.config.base_url + path
        data = json.dumps(body).encode() if body is not None else None
        sent_headers = self._headers(method, headers)
        attempt = 1
        while True:
            prepared = self.session.prepare_request(
                requests.Request(method, url, params=params, data=data, headers=sent_headers)
            )
            sent_url = prepared.url or url
            exchange = Exchange(
                method=method,
                url=sent_url,
                path=path + (f"?{urlsplit(sent_url).query}" if params else ""),
                request_headers=redact_headers({k: str(v) for k, v in prepared.headers.items()}),
                request_body=redact_body(body),
                attempt=attempt,
            )
            started = time.perf_counter()
            try:
                response = self.session.send(
                    prepared,
                    timeout=self.config.timeout,
                    verify=self.config.verify,
                    allow_redirects=True,
                )
            except requests.RequestException as exc:
                exchange.elapsed_ms = (time.perf_counter() - started) * 1000
                # Not chained: urllib3's three nested tracebacks say less than the message.
                # The original stays on the error as .original (and __context__).
                raise self._transport_error(exc, exchange) from None
            exchange.elapsed_ms = (time.perf_counter() - started) * 1000
            decoded, problem = _decode(response)
            exchange.status = response.status_code
            exchange.response_headers = redact_headers(dict(response.headers))
            exchange.response_body = (
                redact_json(decoded, response.content)
                if problem is None
                else response.text[:_MAX_LOGGED_TEXT]
            )
            self._record(exchange)
            if response.status_code in self.config.retry_statuses and method in IDEMPOTENT_METHODS:
                delay = self._delay(response, attempt)
                if delay is not None:
                    logger.debug("retrying %s %s in %.2f s", method, url, delay)
                    self.sleep(delay)
                    attempt += 1
                    continue
            if response.status_code >= 400:
                error = error_for_response(
                    response, exchange, body=decoded if problem is None else None
                )
                if attempt > 1:
                    error.args = (f"{error.args[0]} (Gave up after {attempt} attempts.)",)
                raise error
            if problem is not None:
                raise malformed_response(response, exchange, problem)
            return response, decoded, exchange

    def _record(self, exchange: Exchange) -> None:
        self.wire_log.record(exchange)
        outcome = exchange.status if exchange.status is not None else exchange.error
        logger.debug(
            "%s %s -> %s (%.0f ms)", exchange.method, exchange.url, outcome, exchange.elapsed_ms
        )

    def _transport_error(
        self, exc: requests.RequestException, exchange: Exchange
    ) -> TransportError:
        where = self.config.base_url
        error: TransportError
        if isinstance(exc, requests.Timeout):
            exchange.error = f"Timeout after {self.config.timeout} s"
            error = Timeout(
                f"{exchange.method} {exchange.path}: the server at {where} did not answer "
                f"within {self.config.timeout} s. It may be busy or stuck: try again, or "
                "raise ClientConfiguration(timeout=...).",
                request=exchange,
                original=exc,
            )
        elif isinstance(exc, requests.ConnectionError):
            reason = connect_failure_reason(exc)
            exchange.error = f"ConnectError: {reason}"
            error = ConnectError(where, reason, request=exchange, original=exc)
        else:
            exchange.error = f"{type(exc).__name__}"
            error = TransportError(
                f"{exchange.method} {exchange.path} failed before the server answered "
                f"({type(exc).__name__}). Check server_url, then try again.",
                request=exchange,
                original=exc,
            )
        self._record(exchange)
        return error


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and every one it wraps (urllib3 nests its reasons in args and .reason)."""
    found: list[BaseException] = []
    pending: list[BaseException] = [exc]
    while pending and len(found) < 20:
        current = pending.pop(0)
        if current in found:
            continue
        found.append(current)
        reason = getattr(current, "reason", None)
        nested = [a for a in (*current.args, reason) if isinstance(a, BaseException)]
        pending += [*nested, *(c for c in (current.__cause__, current.__context__) if c)]
    return found


def connect_failure_reason(exc: BaseException) -> str:
    """A few words on why a connection failed: refused, host not found, TLS…"""
    causes = _causes(exc)
    if any(isinstance(c, ssl.SSLCertVerificationError) for c in causes):
        return (
            "its TLS certificate is not trusted here; for a server with a certificate "
            "authority of its own, pass ClientConfiguration(verify='/path/to/ca.pem')"
        )
    if any(isinstance(c, requests.exceptions.SSLError | ssl.SSLError) for c in causes):
        return "the TLS handshake failed"
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused"
    if any(isinstance(c, socket.gaierror) for c in causes):
        return "host not found"
    if any(isinstance(c, ConnectionResetError | ConnectionAbortedError) for c in causes):
        return "the connection was closed before an answer"
    if any(isinstance(c, OSError) and c.errno is not None for c in causes):
        error = next(c for c in causes if isinstance(c, OSError) and c.errno is not None)
        return (error.strerror or "network error").lower()
    return "no connection"
