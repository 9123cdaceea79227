"""The errors the local SCIM server answers with (RFC 7644 §3.12).

The server raises scim2-models' own exception types: one class per ``scimType`` of RFC 7644
§3.12 Table 9 and per status of Table 8, each with ``status``, ``scim_type`` and ``detail``.
The client side models the same protocol with the same library, so a reader meets one
vocabulary. Four refusals this server makes at the HTTP level have no SCIM class, because
RFC 7644 Table 8 lists none of their statuses; they are ours, defined here on the same base.
The HTTP layer turns every one of them into a SCIM ``Error`` body in exactly one place
(:func:`.app.error_response`).

    scim2_models.SCIMException (400)
    ├── InvalidFilterException, TooManyException, InvalidSyntaxException,
    │   InvalidPathException, NoTargetException, InvalidValueException,
    │   InvalidVersionException, MutabilityException, SensitiveException   (400, scimType)
    ├── UnauthorizedException (401)       ─ with a WWW-Authenticate header
    ├── ForbiddenException (403)
    ├── NotFoundException (404)
    ├── MethodNotAllowed (405)            ─ ours, with an Allow header
    ├── ConflictException (409)
    │   └── UniquenessException (409, scimType uniqueness)
    ├── PreconditionFailedException (412)
    ├── PayloadTooLargeException (413)
    ├── URITooLong (414)                  ─ ours, from the HTTP layer (protocol.py)
    ├── UnsupportedMediaType (415)        ─ ours
    ├── HeadersTooLarge (431)             ─ ours, from the HTTP layer (protocol.py)
    └── NotImplementedException (501)

HTTP headers that go with an error (``WWW-Authenticate``, ``Allow``) are passed as
``headers=`` when it is raised: scim2-models keeps extra keyword arguments in
``exc.context``, and :func:`headers_of` reads them back.
"""

from __future__ import annotations

from typing import Any

from scim2_models import SCIMException

__all__ = [
    "HeadersTooLarge",
    "MethodNotAllowed",
    "URITooLong",
    "UnsupportedMediaType",
    "error_body",
    "headers_of",
]


class MethodNotAllowed(SCIMException):
    """405: the endpoint exists, the method does not (ours; RFC 7644 Table 8 has no 405)."""

    status = 405
    _default_detail = "This method is not allowed on this endpoint."


class UnsupportedMediaType(SCIMException):
    """415: the body is not JSON (ours; RFC 7644 §3.1 asks for application/scim+json)."""

    status = 415
    _default_detail = "Send the body as application/scim+json."


class URITooLong(SCIMException):
    """414: the request target is longer than the server reads (ours; RFC 9110 §15.5.15)."""

    status = 414
    _default_detail = "The URL is too long; send a long filter in the body of POST /.search."


class HeadersTooLarge(SCIMException):
    """431: the request line and headers are too large (ours; RFC 6585 §5)."""

    status = 431
    _default_detail = "The request line and headers are too large."


def error_body(exc: SCIMException) -> dict[str, Any]:
    """The SCIM ``Error`` body of ``exc``: ``status`` as a string, ``scimType`` if any."""
    body: dict[str, Any] = exc.to_error().model_dump(mode="json", exclude_none=True)
    return body


def headers_of(exc: SCIMException) -> dict[str, str]:
    """The HTTP headers ``exc`` was raised with, if any."""
    headers: dict[str, str] = exc.context.get("headers") or {}
    return headers
