"""The ListResponse message (RFC 7644 §3.4.2): one page of query results."""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from sync_app.scim import urns
from sync_app.scim.base import SCIMObject
from sync_app.scim.group import GROUP_SCHEMA, Group
from sync_app.scim.resource import Resource
from sync_app.scim.user import USER_SCHEMA, User

__all__ = ["LIST_RESPONSE_SCHEMA", "ListResponse", "resource_from_dict"]

LIST_RESPONSE_SCHEMA = urns.LIST_RESPONSE
_BY_SCHEMA: dict[str, type[Resource]] = {USER_SCHEMA: User, GROUP_SCHEMA: Group}


def resource_from_dict(data: Mapping[str, Any]) -> Resource | dict[str, Any]:
    """Build a User or a Group from its JSON, by its ``schemas``; other resources stay dicts."""
    for schema in data.get("schemas") or []:
        cls = _BY_SCHEMA.get(schema)
        if cls is not None:
            return cls.from_dict(data)
    return dict(data)


@dataclass
class ListResponse(SCIMObject):
    """A page of results: ``resources`` (``Resources`` in JSON) and where the page sits."""

    #: How many resources match the query in all pages.
    totalResults: int | None = None
    #: This page's resources: Users, Groups, or dicts for other resource types.
    resources: list[Any] = field(default_factory=list)
    #: The 1-based index of this page's first result.
    startIndex: int | None = None
    #: How many resources this page holds.
    itemsPerPage: int | None = None

    _aliases: ClassVar[Mapping[str, str]] = {"resources": "Resources"}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        page = super().from_dict(data)
        page.resources = [
            resource_from_dict(r) if isinstance(r, Mapping) else r for r in page.resources
        ]
        return page

    def to_dict(self) -> dict[str, Any]:
        return {"schemas": [LIST_RESPONSE_SCHEMA], **super().to_dict()}

    def __iter__(self) -> Iterator[Any]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def __getitem__(self, index: int) -> Any:
        return self.resources[index]

    def __repr__(self) -> str:
        shown = ", ".join(repr(r) for r in self.resources[:3])
        more = ", …" if len(self.resources) > 3 else ""
        return f"<ListResponse {len(self.resources)} of {self.totalResults}: [{shown}{more}]>"

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{html.escape(repr(r))}</td></tr>" for r in self.resources)
        return f"<table><caption>{html.escape(repr(self))}</caption>{rows}</table>"
