"""Every exception the client raises, rooted in :class:`SCIMError`.

Three families, so that ``except`` clauses say what they mean: the model a learner built is
wrong (nothing was sent), the request never got an answer (transport), or the server answered
with an error (protocol; one class per HTTP status family and one per RFC 7644 §3.12 ``scimType``).

    SCIMError
    ├── ValidationError (also ValueError)       a model or argument is wrong; nothing was sent
    ├── TransportError                          no HTTP answer at all
    │   ├── ConnectError                        refused, unreachable, DNS, TLS
    │   └── Timeout                             no answer within ClientConfiguration.timeout
    └── ProtocolError                           the server answered, and it is an error
        ├── MalformedResponse                   the body is not the JSON SCIM promises
        ├── BadRequest (400)
        │   ├── InvalidFilter       scimType invalidFilter
        │   ├── TooMany             scimType tooMany
        │   ├── Mutability          scimType mutability
        │   ├── InvalidSyntax       scimType invalidSyntax
        │   ├── InvalidPath         scimType invalidPath
        │   ├── NoTarget            scimType noTarget
        │   ├── InvalidValue        scimType invalidValue
        │   ├── InvalidVersion      scimType invalidVers
        │   └── Sensitive           scimType sensitive
        ├── Unauthorized (401)
        ├── Forbidden (403)
        ├── NotFound (404)
        ├── Conflict (409)
        │   └── Uniqueness          scimType uniqueness
        ├── PreconditionFailed (412)
        ├── PayloadTooLarge (413)
        ├── TooManyRequests (429)
        └── ServerError (5xx)

Any other error status (405, 415, 501…) is raised as a plain :class:`ProtocolError`.
:func:`error_for_response` is the one place that turns an HTTP answer into one of these.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import requests

    from sync_app.wirelog import Exchange

__all__ = [
    "BadRequest",
    "Conflict",
    "ConnectError",
    "Forbidden",
    "InvalidFilter",
    "InvalidPath",
    "InvalidSyntax",
    "InvalidValue",
    "InvalidVersion",
    "MalformedResponse",
    "Mutability",
    "NoTarget",
    "NotFound",
    "PayloadTooLarge",
    "PreconditionFailed",
    "ProtocolError",
    "SCIMError",
    "Sensitive",
    "ServerError",
    "Timeout",
    "TooMany",
    "TooManyRequests",
    "TransportError",
    "Unauthorized",
    "Uniqueness",
    "ValidationError",
    "error_for_response",
]


class SCIMError(Exception):
    """The root of every exception raised by ``sync_app``.

    A message says what happened, then what to try next. ``hint`` is that general advice;
    :attr:`summary` is the message without it, for a caller that knows the situation better
    (the course knows where its server URL and token came from) and gives its own.
    """

    #: What to try next, in general; the message ends with it.
    hint: ClassVar[str] = ""

    @property
    def summary(self) -> str:
        """What happened: the message without the general :attr:`hint` at its end."""
        message = str(self.args[0]) if self.args else ""
        hint = type(self).hint
        if hint and message.endswith(hint):
            return message[: -len(hint)].rstrip()
        return message


class ValidationError(SCIMError, ValueError):
    """A model or an argument a learner built is not valid SCIM; nothing was sent.

    ``field`` names the attribute at fault the way it is written in Python
    (``"emails[0].value"``), ``model`` the class holding it (``"User"``).
    """

    def __init__(self, message: str, *, model: str = "", field: str = "") -> None:
        super().__init__(message)
        self.model = model
        self.field = field


class TransportError(SCIMError):
    """The request got no HTTP answer at all.

    ``request`` is the redacted :class:`~sync_app.wirelog.Exchange` of the attempt;
    ``original`` the exception ``requests`` raised, for debugging. It is not chained
    (``raise ... from None``): its urllib3 traceback tells a reader nothing the message does not.
    """

    def __init__(
        self,
        message: str,
        *,
        request: Exchange | None = None,
        original: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        self.request = request
        self.original = original


class ConnectError(TransportError):
    """The connection was refused or the host could not be reached.

    ``url`` is the server's base URL and ``reason`` a few words on why (``"connection
    refused"``, ``"host not found"``…).
    """

    hint = "Check that the server is running and that server_url is right."

    def __init__(
        self,
        url: str,
        reason: str,
        *,
        request: Exchange | None = None,
        original: BaseException | None = None,
    ) -> None:
        super().__init__(
            f"Could not connect to {url} ({reason}). {self.hint}",
            request=request,
            original=original,
        )
        self.url = url
        self.reason = reason


class Timeout(TransportError):
    """The server did not answer within the configured timeout."""


class ProtocolError(SCIMError):
    """The server answered with an error status, or with a body that is not SCIM JSON.

    Attributes:
        status: the HTTP status code (an ``int``).
        scim_type: the RFC 7644 §3.12 ``scimType`` the server sent, or ``None``.
        detail: the server's ``detail`` text, or ``None``.
        request: the redacted :class:`~sync_app.wirelog.Exchange` that failed.
        response: the :class:`requests.Response`.
    """

    status: int = 0
    scim_type: str | None = None
    #: What to try next; formatted with the names given by :func:`error_for_response`.
    hint: ClassVar[str] = "See the detail above and the wire log (client.wire_log)."

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        scim_type: str | None = None,
        detail: str | None = None,
        request: Exchange | None = None,
        response: requests.Response | None = None,
    ) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status
        if scim_type is not None:
            self.scim_type = scim_type
        self.detail = detail
        self.request = request
        self.response = response


class MalformedResponse(ProtocolError):
    """The server's body is not the JSON object SCIM promises."""

    hint = (
        "Check that server_url points at the SCIM base URL (the one ending in /v2 or "
        "/scim/v2), not at a web page."
    )


class BadRequest(ProtocolError):
    """400: the server could not accept the request as sent."""

    status = 400
    hint = "Check the request against the detail, and compare it with client.wire_log[-1]."


class InvalidFilter(BadRequest):
    """400 invalidFilter: the filter syntax is wrong or names an unknown attribute."""

    scim_type = "invalidFilter"
    hint = (
        "Check the attribute name, the operator (eq, ne, co, sw, pr…) and the double quotes "
        "around strings, as in Filter(filter='userName eq \"mscott\"')."
    )


class TooMany(BadRequest):
    """400 tooMany: the query matches more results than the server will return."""

    scim_type = "tooMany"
    hint = "Narrow the filter, or page through the results with start_index and count."


class Mutability(BadRequest):
    """400 mutability: the request tried to change an attribute that cannot change."""

    scim_type = "mutability"
    hint = "Leave read-only and immutable attributes (id, meta, groups…) out of the request."


class InvalidSyntax(BadRequest):
    """400 invalidSyntax: the request body is not a valid SCIM message."""

    scim_type = "invalidSyntax"
    hint = "Compare the body in client.wire_log[-1] with the RFC 7644 message it should be."


class InvalidPath(BadRequest):
    """400 invalidPath: a PATCH path is malformed or names an unknown attribute."""

    scim_type = "invalidPath"
    hint = 'Check the path of each Operation (e.g. "active", "emails.value", "members").'


class NoTarget(BadRequest):
    """400 noTarget: a PATCH path matched nothing."""

    scim_type = "noTarget"
    hint = "Fetch the resource again: the value your path selects is not there (any more)."


class InvalidValue(BadRequest):
    """400 invalidValue: a value is missing, of the wrong type, or not allowed."""

    scim_type = "invalidValue"
    hint = "Check the values you sent against the detail and the resource's schema."


class InvalidVersion(BadRequest):
    """400 invalidVers: the SCIM protocol version is not supported."""

    scim_type = "invalidVers"
    hint = "Point server_url at the server's SCIM 2.0 base URL."


class Sensitive(BadRequest):
    """400 sensitive: personal information was put where it may leak (e.g. a URL)."""

    scim_type = "sensitive"
    hint = "Use search() (POST /.search) instead of a filter in the URL."


class Unauthorized(ProtocolError):
    """401: the server did not accept the credentials."""

    status = 401
    hint = "The bearer token the client sent is missing, wrong or expired for this server."


class Forbidden(ProtocolError):
    """403: the credentials are valid but do not allow this operation."""

    status = 403
    hint = "Use a token that is allowed to do this, or ask the server's administrator."


class NotFound(ProtocolError):
    """404: there is no resource at that URL."""

    status = 404
    hint = "It may have been deleted, or the id is wrong: list them with {lister} to find it."


class Conflict(ProtocolError):
    """409: the request conflicts with the server's current state."""

    status = 409
    hint = "Fetch the resource again and retry with its current state."


class Uniqueness(Conflict):
    """409 uniqueness: a value that must be unique is already taken."""

    scim_type = "uniqueness"
    hint = "Find the existing one with {lookup}, or delete it first to start over."


class PreconditionFailed(ProtocolError):
    """412: the resource changed since the version given in If-Match."""

    status = 412
    hint = "Fetch it again to get its current version (meta.version), then retry."


class PayloadTooLarge(ProtocolError):
    """413: the request body is larger than the server accepts."""

    status = 413
    hint = "Send fewer operations per request (see service_provider_config().bulk)."


class TooManyRequests(ProtocolError):
    """429: the server is rate limiting this client."""

    status = 429
    hint = "Wait a little and try again, or raise ClientConfiguration(retries=...)."


class ServerError(ProtocolError):
    """5xx: the server failed; the request itself may be fine."""

    status = 500
    hint = "This is the server's failure, not your request's: try again, or read the server log."


_BY_STATUS: dict[int, type[ProtocolError]] = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        PreconditionFailed,
        PayloadTooLarge,
        TooManyRequests,
    )
}
_BY_SCIM_TYPE: dict[str, type[ProtocolError]] = {
    cls.scim_type: cls
    for cls in (
        InvalidFilter,
        TooMany,
        Mutability,
        InvalidSyntax,
        InvalidPath,
        NoTarget,
        InvalidValue,
        InvalidVersion,
        Sensitive,
        Uniqueness,
    )
    if cls.scim_type
}

# The resource named by the first segment of a URL path, for the messages.
_KINDS = {"Users": "User", "Groups": "Group"}


def _error_class(status: int, scim_type: str | None) -> type[ProtocolError]:
    by_type = _BY_SCIM_TYPE.get(scim_type or "")
    # A scimType only picks its class when the status agrees, so that `except NotFound`
    # and `except BadRequest` always match the status the server really sent.
    if by_type is not None and by_type.status == status:
        return by_type
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ProtocolError)


def _what(exchange: Exchange | None) -> tuple[str, str, str]:
    """The resource a request was about, how to look it up, and the filter that finds it.

    ``("User 'mscott'", "get_users(filter=...)", 'userName eq "mscott"')``; the filter is
    ``""`` when the request names no resource by its unique attribute.
    """
    if exchange is None:
        return "The resource", "get_users() or get_groups()", ""
    segments = [s for s in exchange.path.split("/") if s]
    kind = next((_KINDS[s] for s in segments if s in _KINDS), "")
    lister = {"User": "get_users()", "Group": "get_groups()"}.get(
        kind, "get_users() or get_groups()"
    )
    body = exchange.request_body if isinstance(exchange.request_body, dict) else {}
    name_attr = {"User": "userName", "Group": "displayName"}.get(kind, "")
    name = body.get(name_attr) if name_attr else None
    if kind and isinstance(name, str):
        expression = f"{name_attr} eq {json.dumps(name)}"
        lookup = f"{lister[:-1]}filter=Filter(filter='{expression}'))"
        return f"{kind} {name!r}", lookup, expression
    if kind and len(segments) >= 2 and segments[-2] in _KINDS:
        return f"{kind} {segments[-1]!r}", lister, ""
    return (f"The {kind}" if kind else "The resource"), lister, ""


def _message(
    cls: type[ProtocolError],
    status: int,
    scim_type: str | None,
    detail: str | None,
    exchange: Exchange | None,
) -> str:
    what, lookup, expression = _what(exchange)
    code = f"{status} {scim_type}" if scim_type else str(status)
    hint = cls.hint.format(lister=lookup, lookup=lookup)
    if detail:
        # Servers often repeat the status in their detail; the message gives it once.
        detail = re.sub(rf"\s*\({re.escape(code)}\)", "", detail, flags=re.IGNORECASE)
        detail = detail.strip().rstrip(".")
    method = exchange.method if exchange else "The request"
    path = f" {exchange.path}" if exchange else ""
    if detail and cls is Unauthorized and "token" in detail.lower():
        # The server says why it refused the token (and what to do): no echo of it.
        return f"The server refused the credentials ({code}): {detail}."
    if detail and cls is Uniqueness:
        # The server's detail says what is taken; the client adds the call that finds it,
        # and only the call when the detail already gives the filter.
        if expression and expression.lower() in detail.lower():
            hint = f"In Python: {lookup}."
        return f"{method}{path} was refused ({code}). The server says: {detail}. {hint}"
    if cls is Uniqueness:
        head = f"{what} already exists ({code})."
    elif cls is NotFound:
        head = f"{what} was not found ({code})."
    elif cls is PreconditionFailed:
        head = f"{what} changed on the server since you read it ({code})."
    elif cls is Unauthorized:
        head = f"The server refused the credentials ({code})."
    elif cls is TooManyRequests:
        head = f"The server is rate limiting requests ({code})."
    elif cls is ServerError:
        head = f"The server failed while handling the request ({code})."
    else:
        head = f"{method}{path} was refused ({code})."
    if detail:
        head += f" The server says: {detail}."
    return f"{head} {hint}"


def error_for_response(
    response: requests.Response,
    exchange: Exchange | None = None,
    *,
    body: Any = None,
) -> ProtocolError:
    """Build the exception for an error answer: the one place responses become exceptions.

    ``body`` is the decoded JSON when the caller already has it.
    """
    status = response.status_code
    if body is None:
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
    scim_type = detail = None
    if isinstance(body, dict):
        raw_type = body.get("scimType")
        scim_type = raw_type if isinstance(raw_type, str) else None
        raw_detail = body.get("detail")
        detail = raw_detail if isinstance(raw_detail, str) else None
    elif response.text:
        # Not a SCIM Error body (a proxy's HTML page…): keep a short excerpt as the detail.
        detail = " ".join(response.text.split())[:120]
    cls = _error_class(status, scim_type)
    return cls(
        _message(cls, status, scim_type, detail, exchange),
        status=status,
        scim_type=scim_type,
        detail=detail,
        request=exchange,
        response=response,
    )


def malformed_response(
    response: requests.Response, exchange: Exchange | None, reason: str
) -> MalformedResponse:
    """Build the exception for a success status whose body is not a JSON object."""
    excerpt = " ".join(response.text.split())[:80]
    where = f"{exchange.method} {exchange.path}" if exchange else "The request"
    message = (
        f"{where} answered {response.status_code} with a body that is not SCIM JSON "
        f"({reason}): {excerpt!r}. {MalformedResponse.hint}"
    )
    return MalformedResponse(
        message,
        status=response.status_code,
        detail=reason,
        request=exchange,
        response=response,
    )
