"""How a client reaches its server: URL, token, timeouts, retries."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sync_app.errors import ValidationError
from sync_app.wirelog import REDACTED

__all__ = ["ClientConfiguration"]


@dataclass
class ClientConfiguration:
    """Where the SCIM server is and how to talk to it.

    ``server_url`` is the SCIM base URL, with or without a trailing slash (e.g.
    ``http://127.0.0.1:8000/scim/v2``). The ``auth_token`` is sent as a bearer token and
    never shown: not in this object's repr, not in the wire log, not in a log line.
    """

    #: The SCIM base URL; endpoints such as ``/Users`` are appended to it.
    server_url: str
    #: The bearer token (RFC 6750) the server expects, or ``None`` for an open server.
    auth_token: str | None = field(default=None, repr=False)
    #: Seconds to wait for the connection and then for each answer.
    timeout: float = 10.0
    #: How many times to retry an idempotent request (GET, PUT, DELETE) answered 429 or 503.
    retries: int = 2
    #: The first wait between retries, in seconds; each retry doubles it.
    backoff_factor: float = 0.5
    #: The longest wait before a retry. A server asking for more (Retry-After) gets an error.
    max_backoff: float = 30.0
    #: The statuses worth a retry: the server is busy, not refusing.
    retry_statuses: frozenset[int] = frozenset({429, 503})
    #: Verify TLS certificates (or the path of a CA bundle), as in requests.
    verify: bool | str = True
    #: Check models against RFC 7643 before sending them.
    validate: bool = True
    #: How many exchanges the wire log keeps.
    wire_log_size: int = 50
    #: The page size iter_users() and iter_groups() ask for.
    page_size: int = 100
    #: The User-Agent header.
    user_agent: str = "sync_app (the Office SCIM course)"

    def __post_init__(self) -> None:
        if not isinstance(self.server_url, str):
            raise ValidationError(
                f"ClientConfiguration.server_url must be a string URL, not "
                f"{type(self.server_url).__name__}.",
                model="ClientConfiguration",
                field="server_url",
            )
        parts = urlsplit(self.server_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError(
                f"ClientConfiguration.server_url must be an http(s) URL such as "
                f"'http://127.0.0.1:8000/scim/v2', not {self.server_url!r}.",
                model="ClientConfiguration",
                field="server_url",
            )
        if self.auth_token is not None and not isinstance(self.auth_token, str):
            raise ValidationError(
                "ClientConfiguration.auth_token must be a string.",
                model="ClientConfiguration",
                field="auth_token",
            )
        for name in ("timeout", "backoff_factor", "max_backoff"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValidationError(
                    f"ClientConfiguration.{name} must be a number of seconds ≥ 0, not {value!r}.",
                    model="ClientConfiguration",
                    field=name,
                )
        for name in ("retries", "wire_log_size", "page_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValidationError(
                    f"ClientConfiguration.{name} must be an integer ≥ 0, not {value!r}.",
                    model="ClientConfiguration",
                    field=name,
                )
        self.retry_statuses = frozenset(self.retry_statuses)

    @property
    def base_url(self) -> str:
        """``server_url`` without its trailing slash."""
        return self.server_url.strip().rstrip("/")

    def __repr__(self) -> str:
        token = REDACTED if self.auth_token else None
        return (
            f"ClientConfiguration(server_url={self.server_url!r}, auth_token={token!r}, "
            f"timeout={self.timeout!r}, retries={self.retries!r})"
        )
