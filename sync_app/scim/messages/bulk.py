"""Bulk messages (RFC 7644 §3.7): many operations in one request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import scim2_models

from sync_app.errors import ValidationError
from sync_app.scim import urns
from sync_app.scim.base import SCIMObject, dump_value
from sync_app.scim.patchop import PatchOp
from sync_app.scim.resource import Resource

__all__ = [
    "BULK_REQUEST_SCHEMA",
    "BULK_RESPONSE_SCHEMA",
    "BulkOperation",
    "BulkRequest",
    "BulkResponse",
]

BULK_REQUEST_SCHEMA = urns.BULK_REQUEST
BULK_RESPONSE_SCHEMA = urns.BULK_RESPONSE
_METHODS = ("POST", "PUT", "PATCH", "DELETE")
_CONTEXTS = {
    "POST": scim2_models.Context.RESOURCE_CREATION_REQUEST,
    "PUT": scim2_models.Context.RESOURCE_REPLACEMENT_REQUEST,
}


@dataclass
class BulkOperation(SCIMObject):
    """One operation of a bulk request, or its outcome in a bulk response.

    In a request: ``method``, ``path`` (``"/Users"``, ``"/Groups/<id>"``), ``bulkId`` for a
    POST (other operations may refer to the new resource as ``"bulkId:<bulkId>"``), ``data``
    (a User, Group, PatchOp or dict) and ``version`` for If-Match. In a response:
    ``location``, ``status`` and, on failure, ``response`` (an Error body).
    """

    method: str
    path: str | None = None
    bulkId: str | None = None
    version: str | None = None
    data: Any = None
    location: str | None = None
    status: str | None = None
    response: Any = None

    _id_fields: ClassVar[frozenset[str]] = frozenset()

    def _coerce(self) -> None:
        if isinstance(self.method, str):
            self.method = self.method.upper()
        if isinstance(self.status, int):
            self.status = str(self.status)
        super()._coerce()

    def _check_types(self, where: str) -> None:
        if self.method not in _METHODS:
            raise ValidationError(
                f"{where}.method must be one of {', '.join(_METHODS)}, not {self.method!r}.",
                model="BulkOperation",
                field="method",
            )
        super()._check_types(where)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        if isinstance(self.data, Resource):
            context = _CONTEXTS.get(self.method, scim2_models.Context.DEFAULT)
            out["data"] = self.data.to_scim(context)
        elif isinstance(self.data, PatchOp):
            out["data"] = self.data.to_dict()
        elif self.data is not None:
            out["data"] = dump_value(self.data)
        return out

    @property
    def status_code(self) -> int | None:
        """``status`` as an int (RFC 7644 sends it as a string)."""
        return int(self.status) if self.status and str(self.status).isdigit() else None


@dataclass
class BulkRequest(SCIMObject):
    """A bulk request: operations in order; stop after ``failOnErrors`` failures."""

    operations: list[BulkOperation] = field(default_factory=list)
    failOnErrors: int | None = None

    _aliases: ClassVar[Mapping[str, str]] = {"operations": "Operations"}
    _id_fields: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"schemas": [BULK_REQUEST_SCHEMA]}
        if self.failOnErrors is not None:
            out["failOnErrors"] = self.failOnErrors
        out["Operations"] = [op.to_dict() for op in self.operations]
        return out


@dataclass
class BulkResponse(SCIMObject):
    """The outcome of each operation of a bulk request, in order."""

    operations: list[BulkOperation] = field(default_factory=list)

    _aliases: ClassVar[Mapping[str, str]] = {"operations": "Operations"}
    _id_fields: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        return {"schemas": [BULK_RESPONSE_SCHEMA], **super().to_dict()}

    def __repr__(self) -> str:
        statuses = ", ".join(f"{op.method} {op.status}" for op in self.operations)
        return f"<BulkResponse [{statuses}]>"
