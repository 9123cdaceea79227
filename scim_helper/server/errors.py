"""The errors the local SCIM server answers with (RFC 7644 §3.12).

Every failure inside the server is a :class:`ScimError`. The HTTP layer turns it into a SCIM
``Error`` body in exactly one place (``app.py``), so a learner always sees ``status`` (a
string), ``scimType`` where the RFC defines one, and a ``detail`` that says what to do next.

    ScimError
    ├── BadRequest (400)     scimType: invalidFilter, tooMany, invalidSyntax, invalidPath,
    │                        noTarget, invalidValue, invalidVers, mutability, sensitive
    ├── Unauthorized (401)
    ├── Forbidden (403)
    ├── NotFound (404)
    ├── MethodNotAllowed (405)
    ├── Conflict (409)       scimType: uniqueness
    ├── PreconditionFailed (412)
    ├── PayloadTooLarge (413)
    ├── UnsupportedMediaType (415)
    └── NotImplementedYet (501)
"""

from __future__ import annotations

from typing import Any

from sync_app.scim.urns import ERROR as ERROR_SCHEMA

# RFC 7644 §3.12, Table 9: every scimType and the status it goes with.
SCIM_TYPES: dict[str, int] = {
    "invalidFilter": 400,
    "tooMany": 400,
    "uniqueness": 409,
    "mutability": 400,
    "invalidSyntax": 400,
    "invalidPath": 400,
    "noTarget": 400,
    "invalidValue": 400,
    "invalidVers": 400,
    "sensitive": 400,
}


class ScimError(Exception):
    """A failure to be answered with a SCIM Error body."""

    status: int = 500

    def __init__(
        self,
        detail: str,
        *,
        scim_type: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.scim_type = scim_type
        if status is not None:
            self.status = status
        self.headers = headers or {}

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(self.status)}
        if self.scim_type:
            body["scimType"] = self.scim_type
        body["detail"] = self.detail
        return body


class BadRequest(ScimError):
    status = 400


class Unauthorized(ScimError):
    status = 401


class Forbidden(ScimError):
    status = 403


class NotFound(ScimError):
    status = 404


class MethodNotAllowed(ScimError):
    status = 405


class Conflict(ScimError):
    status = 409


class PreconditionFailed(ScimError):
    status = 412


class PayloadTooLarge(ScimError):
    status = 413


class UnsupportedMediaType(ScimError):
    status = 415


class NotImplementedYet(ScimError):
    status = 501


def invalid_filter(detail: str) -> BadRequest:
    return BadRequest(detail, scim_type="invalidFilter")


def invalid_value(detail: str) -> BadRequest:
    return BadRequest(detail, scim_type="invalidValue")


def invalid_path(detail: str) -> BadRequest:
    return BadRequest(detail, scim_type="invalidPath")


def invalid_syntax(detail: str) -> BadRequest:
    return BadRequest(detail, scim_type="invalidSyntax")


def no_target(detail: str) -> BadRequest:
    return BadRequest(detail, scim_type="noTarget")


def mutability(detail: str) -> BadRequest:
    return BadRequest(detail, scim_type="mutability")


def uniqueness(detail: str) -> Conflict:
    return Conflict(detail, scim_type="uniqueness")
