"""Filters (RFC 7644 §3.4.2.2): the query language of GET /Users?filter=…"""

from __future__ import annotations

import json
from dataclasses import dataclass

import scim2_models

from sync_app.errors import ValidationError

__all__ = ["Filter"]


@dataclass(frozen=True)
class Filter:
    """A filter expression, checked for syntax before it is sent.

    >>> Filter(filter='userName eq "mscott"')
    Filter(filter='userName eq "mscott"')
    >>> Filter.eq("displayName", "Dunder Mifflin")
    Filter(filter='displayName eq "Dunder Mifflin"')
    """

    #: The expression, e.g. ``'displayName eq "Dunder Mifflin"'``.
    filter: str

    def __post_init__(self) -> None:
        if not isinstance(self.filter, str) or not self.filter.strip():
            raise ValidationError(
                "Filter(filter=...) needs a non-empty expression such as 'userName eq \"mscott\"'.",
                model="Filter",
                field="filter",
            )
        try:
            scim2_models.ScimFilter(self.filter)
        except scim2_models.InvalidFilterException as exc:
            raise ValidationError(
                f"Filter {self.filter!r} is not valid SCIM filter syntax: {exc}. "
                "Write attribute, operator, value: 'userName eq \"mscott\"', with strings in "
                "double quotes and operators such as eq, ne, co, sw, ew, pr, gt, lt.",
                model="Filter",
                field="filter",
            ) from None

    @classmethod
    def eq(cls, attribute: str, value: str | bool | int | None) -> Filter:
        """``attribute eq value``, with the value quoted and escaped as JSON."""
        return cls(filter=f"{attribute} eq {json.dumps(value)}")

    def __str__(self) -> str:
        return self.filter
