"""The Error message (RFC 7644 §3.12): how a server says what went wrong."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sync_app.scim import urns
from sync_app.scim.base import SCIMObject

__all__ = ["ERROR_SCHEMA", "Error"]

ERROR_SCHEMA = urns.ERROR


@dataclass
class Error(SCIMObject):
    """An error body: the HTTP ``status`` (a string in JSON), a ``scimType`` and a ``detail``."""

    #: The HTTP status code, as a string (e.g. ``"409"``).
    status: str | None = None
    #: The RFC 7644 §3.12 error keyword, e.g. ``"uniqueness"``.
    scimType: str | None = None
    #: A human-readable explanation.
    detail: str | None = None

    _id_fields: ClassVar[frozenset[str]] = frozenset()

    def _coerce(self) -> None:
        # Some servers send the status as a number; RFC 7644 says string.
        if isinstance(self.status, int):
            self.status = str(self.status)
        super()._coerce()

    def to_dict(self) -> dict[str, Any]:
        return {"schemas": [ERROR_SCHEMA], **super().to_dict()}
