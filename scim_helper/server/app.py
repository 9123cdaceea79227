"""The ASGI application: routes under the base URL, authentication, and the one error mapping.

Every failure, wherever it happens (a ``scim2_models.SCIMException`` from the store,
Starlette's own 404 and 405, a bad token, a bug), leaves through :func:`error_response` as a
SCIM ``Error`` body with ``application/scim+json`` (RFC 7644 §3.12). Unexpected exceptions
become a 500 with a generic detail; the traceback goes to the server log with any bearer token
blanked out.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from scim2_models import NotFoundException, SCIMException
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import discovery, routes, routes_bulk
from .auth import BearerAuth, bearer_token
from .errors import MethodNotAllowed, error_body, headers_of
from .limits import Limits
from .responses import ScimJSONResponse

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

BASE_PATH = "/scim/v2"

#: The endpoints an unauthenticated request's log line may name (anything else is not shown).
_ENDPOINTS = {"", "Users", "Groups", "Bulk", ".search", "Me", "Workshop"}
_ENDPOINTS |= {"ServiceProviderConfig", "ResourceTypes", "Schemas"}

log = logging.getLogger("scim_helper.server")
access_log = logging.getLogger("scim_helper.server.access")


def error_response(exc: BaseException) -> Response:
    """The SCIM Error response for any exception: the only place errors become HTTP."""
    if not isinstance(exc, SCIMException):
        exc = SCIMException(
            detail="The server failed to handle this request. The failure is in the server log; "
            "the request may be retried."
        )
        exc.status = 500
    headers = {
        key: value for key, value in headers_of(exc).items() if key.lower() != "content-type"
    }
    return ScimJSONResponse(error_body(exc), status_code=exc.status, headers=headers)


async def _http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's routing errors (no such endpoint, wrong method) as SCIM errors."""
    assert isinstance(exc, HTTPException)
    path = request.url.path
    base = request.app.state.base_path
    error: SCIMException
    if exc.status_code == 404:
        error = NotFoundException(
            detail=f"There is no endpoint {path}. The SCIM endpoints are under {base}: /Users, "
            "/Groups, /.search, /Bulk, /ServiceProviderConfig, /ResourceTypes, /Schemas."
        )
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        error = MethodNotAllowed(
            detail=f"{request.method} is not allowed on {path}; use {allowed}.",
            headers={"Allow": allowed},
        )
    else:
        error = SCIMException(detail=exc.detail, headers=dict(exc.headers or {}))
        error.status = exc.status_code
    return error_response(error)


def _redact(text: str, scope: Scope) -> str:
    token = bearer_token(scope.get("headers", []))
    return text.replace(token, "[redacted]") if token else text


class ErrorBoundary:
    """ASGI middleware: whatever escapes the app is answered with a SCIM Error and logged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception as exc:
            if not isinstance(exc, SCIMException):
                incident = uuid.uuid4().hex[:12]
                details = "".join(traceback.format_exception(exc))
                log.error(
                    "Unhandled error %s in %s %s:\n%s",
                    incident,
                    scope["method"],
                    _redact(scope["path"], scope),
                    _redact(details, scope),
                )
            if started:
                return
            await error_response(exc)(scope, receive, send)


class AccessLog:
    """ASGI middleware: one log line per request with method, path and status, nothing more.

    Query strings and headers stay out of the log, so a token pasted in the wrong place does not
    end up in it (uvicorn's own access log, which prints query strings, is switched off). For
    the same reason the request's own token is blanked out of the path, and an unauthenticated
    request (401) logs only its endpoint: its path may hold anything, a token included.
    """

    def __init__(self, app: ASGIApp, base_path: str = BASE_PATH) -> None:
        self.app = app
        self.base_path = base_path.rstrip("/")

    def _shown_path(self, scope: Scope, status: int) -> str:
        path: str = _redact(scope["path"], scope)
        if status != 401:
            return path
        rest = path.removeprefix(self.base_path)
        if rest == path:
            return "[outside the base URL]"
        endpoint, _, more = rest.lstrip("/").partition("/")
        if endpoint not in _ENDPOINTS:  # "/scim/v2/<a token pasted as the path>"
            endpoint = "[...]"
        return f"{self.base_path}/{endpoint}" + ("/[...]" if more else "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        logged = False

        def log(status: int) -> None:
            nonlocal logged
            logged = True
            access_log.info("%s %s %d", scope["method"], self._shown_path(scope, status), status)

        async def send_logging(message: Message) -> None:
            # Logged before the response leaves, not after: a client (or a test reading the
            # log) that has its answer can count on the line being written.
            if message["type"] == "http.response.start" and not logged:
                log(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_logging)
        finally:
            if not logged:
                log(0)


def create_app(
    store: Store,
    *,
    limits: Limits | None = None,
    base_path: str = BASE_PATH,
    public_url: str | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    open_prefixes: tuple[str, ...] = (),
) -> Starlette:
    """The SCIM service provider for ``store``, served under ``base_path``.

    ``public_url`` fixes the base URL used in ``meta.location`` and ``$ref`` (behind a proxy);
    by default it is built from the address each request was sent to. ``extra_routes`` come
    first (a workshop's, see ``workshop.py``); paths under ``open_prefixes`` authenticate
    themselves, the bearer-token check leaves them alone.
    """
    mounted = Mount(base_path, routes=[*discovery.routes, *routes.routes, *routes_bulk.routes])
    # The root itself, without its final slash (scim2-client sends "/scim/v2/"; others the
    # base URL as given): answered here rather than by a redirect a client may not follow.
    root = [Route(base_path.rstrip("/"), routes.query_everything, methods=["GET"])]
    app = Starlette(
        routes=[*extra_routes, *(root if base_path.rstrip("/") else []), mounted],
        middleware=[
            Middleware(AccessLog, base_path=base_path),
            Middleware(ErrorBoundary),
            Middleware(BearerAuth, store=store, base_path=base_path, open_prefixes=open_prefixes),
        ],
        exception_handlers={HTTPException: _http_exception},
    )
    app.state.store = store
    app.state.limits = limits or Limits()
    app.state.base_path = base_path
    app.state.public_url = public_url.rstrip("/") if public_url else None
    return app
