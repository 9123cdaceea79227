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
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
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


def _routing_error(exc: HTTPException, scope: Scope, base: str) -> SCIMException:
    """Starlette's routing errors (no such endpoint, wrong method) as SCIM errors."""
    path = scope["path"]
    error: SCIMException
    if exc.status_code == 404:
        error = NotFoundException(
            detail=f"There is no endpoint {path}. The SCIM endpoints are under {base}: /Users, "
            "/Groups, /.search, /Bulk, /ServiceProviderConfig, /ResourceTypes, /Schemas."
        )
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        error = MethodNotAllowed(
            detail=f"{scope['method']} is not allowed on {path}; use {allowed}.",
            headers={"Allow": allowed},
        )
    else:
        error = SCIMException(detail=exc.detail, headers=dict(exc.headers or {}))
        error.status = exc.status_code
    return error


def _redact(text: str, scope: Scope) -> str:
    token = bearer_token(scope.get("headers", []))
    return text.replace(token, "[redacted]") if token else text


class Boundary:
    """The one ASGI layer between uvicorn and the router: access log, bearer token, errors.

    - **Access log**: one line per request with method, path and status, nothing more. Query
      strings and headers stay out of it, so a token pasted in the wrong place does not end up
      in it (uvicorn's own access log, which prints query strings, is switched off). For the
      same reason the request's own token is blanked out of the path, and an unauthenticated
      request (401) logs only its endpoint: its path may hold anything, a token included.
    - **Authentication**: :class:`.auth.BearerAuth` finds the request's tenant, or refuses it.
    - **Errors**: whatever escapes the router (a SCIM error, Starlette's 404 and 405, a bug) is
      answered through :func:`error_response`; a bug is logged with its traceback, any bearer
      token blanked out.
    - **Headers** every response carries (``headers``: a workshop server's, see ``workshop.py``).

    One layer instead of five (Starlette's ServerErrorMiddleware and ExceptionMiddleware and
    three of ours): every middleware wraps ``send`` once more for every response.
    """

    def __init__(
        self,
        app: ASGIApp,
        auth: BearerAuth,
        base_path: str = BASE_PATH,
        headers: Sequence[tuple[bytes, bytes]] = (),
    ) -> None:
        self.app = app
        self.auth = auth
        self.base_path = base_path.rstrip("/")
        self.headers = list(headers)

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

    def _log(self, scope: Scope, status: int) -> None:
        if access_log.isEnabledFor(logging.INFO):
            access_log.info("%s %s %d", scope["method"], self._shown_path(scope, status), status)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0  # the response's, once it has started

        async def send_logging(message: Message) -> None:
            nonlocal status
            # Logged before the response leaves, not after: a client (or a test reading the
            # log) that has its answer can count on the line being written.
            if message["type"] == "http.response.start" and not status:
                status = message["status"]
                self._log(scope, status)
                if self.headers:
                    message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        try:
            await self.auth(scope)
            await self.app(scope, receive, send_logging)
        except Exception as exc:
            if isinstance(exc, HTTPException):
                exc = _routing_error(exc, scope, self.base_path)
            elif not isinstance(exc, SCIMException):
                incident = uuid.uuid4().hex[:12]
                details = "".join(traceback.format_exception(exc))
                log.error(
                    "Unhandled error %s in %s %s:\n%s",
                    incident,
                    scope["method"],
                    _redact(scope["path"], scope),
                    _redact(details, scope),
                )
            if not status:
                await error_response(exc)(scope, receive, send_logging)
        finally:
            if not status:
                self._log(scope, 0)


class ScimApp(Starlette):
    """Starlette whose middleware stack is :class:`Boundary` and the router, nothing else.

    Middleware added with ``add_middleware`` still wraps the whole.
    """

    def __init__(
        self,
        routes: Sequence[BaseRoute],
        auth: BearerAuth,
        base_path: str,
        headers: Sequence[tuple[bytes, bytes]] = (),
    ) -> None:
        super().__init__(routes=routes)
        self._auth = auth
        self._base_path = base_path
        self._headers = headers

    def build_middleware_stack(self) -> ASGIApp:
        app: ASGIApp = Boundary(self.router, self._auth, self._base_path, self._headers)
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        return app


def create_app(
    store: Store,
    *,
    limits: Limits | None = None,
    base_path: str = BASE_PATH,
    public_url: str | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    open_prefixes: tuple[str, ...] = (),
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> ScimApp:
    """The SCIM service provider for ``store``, served under ``base_path``.

    ``public_url`` fixes the base URL used in ``meta.location`` and ``$ref`` (behind a proxy);
    by default it is built from the address each request was sent to. ``extra_routes`` come
    first (a workshop's, see ``workshop.py``); paths under ``open_prefixes`` authenticate
    themselves, the bearer-token check leaves them alone; ``headers`` go on every response.
    """
    prefix = base_path.rstrip("/")
    # The SCIM routes under the base path, each with its full path: one router to try them in
    # turn, rather than a Mount and a router of its own (one match and one scope copy less).
    scim = [
        Route(prefix + route.path, route.endpoint, methods=route.methods, name=route.name)
        for route in (*discovery.routes, *routes.routes, *routes_bulk.routes)
        if isinstance(route, Route)
    ]
    # The root itself, without its final slash (scim2-client sends "/scim/v2/"; others the
    # base URL as given): answered here rather than by a redirect a client may not follow.
    root = [Route(prefix, routes.query_everything, methods=["GET"])] if prefix else []
    auth = BearerAuth(store, base_path=base_path, open_prefixes=open_prefixes)
    app = ScimApp([*extra_routes, *root, *scim], auth, base_path, headers)
    app.state.store = store
    app.state.limits = limits or Limits()
    app.state.base_path = base_path
    app.state.public_url = public_url.rstrip("/") if public_url else None
    return app
