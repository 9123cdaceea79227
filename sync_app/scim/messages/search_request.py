"""The SearchRequest message (RFC 7644 §3.4.3): a query sent with POST /.search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sync_app.errors import ValidationError
from sync_app.scim import urns
from sync_app.scim.base import SCIMObject

__all__ = ["SEARCH_REQUEST_SCHEMA", "SearchRequest"]

SEARCH_REQUEST_SCHEMA = urns.SEARCH_REQUEST


@dataclass
class SearchRequest(SCIMObject):
    """A query in a body rather than a URL, so that filters on personal data stay out of logs."""

    #: Return only these attributes, e.g. ``["userName", "emails"]``.
    attributes: list[str] | None = None
    #: Return all default attributes except these.
    excludedAttributes: list[str] | None = None
    #: A filter expression (RFC 7644 §3.4.2.2), e.g. ``'userName eq "mscott"'``.
    filter: str | None = None
    #: The attribute to sort by, e.g. ``"userName"``.
    sortBy: str | None = None
    #: ``"ascending"`` or ``"descending"``.
    sortOrder: str | None = None
    #: The 1-based index of the first result.
    startIndex: int | None = None
    #: The maximum number of results per page.
    count: int | None = None

    _id_fields: ClassVar[frozenset[str]] = frozenset()

    def _check_types(self, where: str) -> None:
        super()._check_types(where)
        if self.sortOrder is not None and self.sortOrder not in ("ascending", "descending"):
            raise ValidationError(
                f"{where}.sortOrder must be 'ascending' or 'descending', not {self.sortOrder!r}.",
                model="SearchRequest",
                field="sortOrder",
            )

    def to_dict(self) -> dict[str, Any]:
        return {"schemas": [SEARCH_REQUEST_SCHEMA], **super().to_dict()}
