"""Bearer-token authentication (RFC 6750) and the tenant each token belongs to.

Every request under the base URL, except reading the discovery endpoints (RFC 7644 §4 describes
the service provider, not anyone's data), needs ``Authorization: Bearer <token>``. The store
compares tokens in constant time and keeps only their hashes; this module never logs a token,
and the tenant it finds is put in ``request.state.tenant`` for the endpoints.
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

from scim2_models import UnauthorizedException
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

CHALLENGE = 'Bearer realm="scim"'
_PUBLIC = ("/ServiceProviderConfig", "/ResourceTypes", "/Schemas")
_KNOWN_MAX = 1024  # tokens remembered per app; a workshop has far fewer


class TokenStore(Protocol):
    def tenant_for_token(self, token: str) -> str | None: ...


def bearer_token(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The token of an ``Authorization: Bearer`` header, or ``None`` if there is none."""
    for name, value in headers:
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            token = token.strip()
            if scheme.lower() == "bearer" and token and " " not in token:
                return token
            return None
    return None


class BearerAuth:
    """Find the tenant of a request's bearer token, or refuse it with a 401.

    Awaited by the app's one ASGI layer (:class:`.app.Boundary`) before the router.
    """

    def __init__(
        self,
        store: TokenStore,
        base_path: str,
        open_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.store = store
        self.public = tuple(base_path + path for path in _PUBLIC)
        # Paths outside SCIM that check their own credentials (the workshop's instructor
        # view, whose token is no tenant's token): passed through untouched.
        self.open_prefixes = open_prefixes
        self.known: dict[str, str] = {}  # token hash -> tenant

    def _is_public(self, scope: Scope) -> bool:
        path: str = scope["path"]
        if self.open_prefixes and path.startswith(self.open_prefixes):
            return True
        return scope["method"] in ("GET", "HEAD") and any(
            path == public or path.startswith(public + "/") for public in self.public
        )

    async def __call__(self, scope: Scope) -> None:
        """Put the tenant in ``scope["state"]``, or raise ``UnauthorizedException``."""
        if self._is_public(scope):
            return
        token = bearer_token(scope["headers"])
        if token is None:
            raise UnauthorizedException(
                detail="This request needs a bearer token: send 'Authorization: Bearer <token>'. "
                "'scim-course token' mints one.",
                headers={"WWW-Authenticate": CHALLENGE},
            )
        # A token's tenant never changes once bound (see Store.tenant_for_token), so a token
        # seen before is answered here, without a trip to a worker thread and the database.
        key = hashlib.sha256(token.encode()).hexdigest()
        tenant = self.known.get(key)
        if tenant is None:
            tenant = await run_in_threadpool(self.store.tenant_for_token, token)
            if tenant is not None:
                if len(self.known) >= _KNOWN_MAX:
                    self.known.clear()
                self.known[key] = tenant
        if tenant is None:
            raise UnauthorizedException(
                detail="The bearer token is not valid for this server. Check the token you were "
                "given, or mint a new one with 'scim-course token'.",
                headers={"WWW-Authenticate": f'{CHALLENGE}, error="invalid_token"'},
            )
        state: dict[str, Any] = scope.setdefault("state", {})
        state["tenant"] = tenant
