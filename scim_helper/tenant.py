"""One learner's tenant as course support reads it: users and groups by name, every page at once.

Checks, ``course_setup``, the directory seed and the widgets all ask the same questions ("is
there a user ``cminer``?", "who is in Dunder Mifflin?"). They ask them here, through the course's
own client, so each question is one filtered request, paged by the client's own iterators
(``SCIMClient.iter_users`` / ``iter_groups``).
"""

from __future__ import annotations

import json
from itertools import islice
from typing import Any

from scim_helper.marker import is_course_resource
from sync_app.client import SCIMClient
from sync_app.errors import BadRequest, Forbidden
from sync_app.wirelog import Exchange

__all__ = ["Tenant", "quote"]

_PAGE = 200


def _page_size(limit: int | None) -> int:
    """Pages of 200; no more than ``limit`` asked for when only that many are wanted."""
    return _PAGE if limit is None else max(1, min(_PAGE, limit))


def quote(value: str) -> str:
    """A filter string literal (RFC 7644 §3.4.2.2: a JSON string)."""
    return json.dumps(value)


class Tenant:
    """Users and groups of the tenant a client's token opens."""

    def __init__(self, client: SCIMClient) -> None:
        self.client = client
        #: The client's wire log as it was before a check started reading (set by the checks).
        self.history: list[Exchange] | None = None

    def users(
        self,
        filter: str | None = None,
        *,
        limit: int | None = None,
        attributes: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Every user matching ``filter`` (all pages), as dicts."""
        found = self.client.iter_users(filter, page_size=_page_size(limit), attributes=attributes)
        return [user.to_dict() for user in islice(found, limit)]

    def groups(
        self,
        filter: str | None = None,
        *,
        limit: int | None = None,
        attributes: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Every group matching ``filter`` (all pages), as dicts."""
        found = self.client.iter_groups(filter, page_size=_page_size(limit), attributes=attributes)
        return [group.to_dict() for group in islice(found, limit)]

    def count(self, filter: str | None = None) -> int:
        """How many users match ``filter``, without downloading them (``count=0``)."""
        page = self.client.get_users(filter, count=0).to_dict()
        return int(page.get("totalResults", 0))

    def service_provider_config(self) -> dict[str, Any]:
        return self.client.service_provider_config().to_dict()

    def schema(self, urn: str) -> dict[str, Any]:
        """One schema from /Schemas by its id (an empty dict if the server lacks it)."""
        for schema in self.client.schemas().to_dict().get("Resources") or []:
            if schema.get("id") == urn:
                return dict(schema)
        return {}

    def user(self, user_name: str) -> dict[str, Any] | None:
        """The user with this userName, or None."""
        found = self.users(f"userName eq {quote(user_name)}", limit=1)
        return found[0] if found else None

    def group(self, display_name: str) -> dict[str, Any] | None:
        """The group with this displayName, or None."""
        found = self.groups(f"displayName eq {quote(display_name)}")
        exact = [g for g in found if g.get("displayName") == display_name]
        # displayName need not be unique (RFC 7643 §8.7.1: uniqueness "none"): on a shared
        # server the course's own group (marked by its externalId) comes first.
        ours = [g for g in exact if is_course_resource(g)]
        candidates = ours or exact or found
        return candidates[0] if candidates else None

    def members_of(self, group_id: str) -> set[str]:
        """The ids of a group's members, asked of the group itself (every server answers this)."""
        return self.member_ids(self.client.get_group(group_id).to_dict())

    def groups_of(self, user_id: str) -> list[dict[str, Any]]:
        """The groups that hold this user directly, whatever the server supports.

        ``User.groups`` is optional (RFC 7643 §4.1.2: some servers never fill it), and a filter
        on ``members`` is not something every server offers (RFC 7644 §3.4.2.2); so: the
        filter first, else every group's members, read page by page.
        """
        try:
            return self.groups(f"members[value eq {quote(user_id)}]")
        except (BadRequest, Forbidden):  # no filter on members here: ask every group
            return [g for g in self.groups() if user_id in self.member_ids(g)]

    def member_names(self, group: dict[str, Any] | None) -> dict[str, str]:
        """Member id → a name to show: the member's ``display``, else the user's own name.

        ``members.display`` is optional (RFC 7643 §2.4; scim2-server leaves it out), so missing
        names are read from the users themselves, a filter on ``id`` at a time (RFC 7644
        §3.4.2.2), else one GET each.
        """
        names: dict[str, str] = {}
        missing: list[str] = []
        for member in (group or {}).get("members") or []:
            value = str(member.get("value") or "")
            if not value:
                continue
            if member.get("display"):
                names[value] = str(member["display"])
            else:
                missing.append(value)
        for start in range(0, len(missing), 50):
            chunk = missing[start : start + 50]
            try:
                users = self.users(
                    " or ".join(f"id eq {quote(i)}" for i in chunk),
                    attributes=["userName", "displayName"],
                )
            except (BadRequest, Forbidden):
                users = [self.client.get_user(i).to_dict() for i in chunk]
            for user in users:
                names[str(user.get("id"))] = str(user.get("displayName") or user.get("userName"))
        for value in missing:
            names.setdefault(value, value)  # a group or an unreadable member: its id
        return names

    @staticmethod
    def member_ids(group: dict[str, Any] | None) -> set[str]:
        """The ids of a group's members (empty for a missing group)."""
        if not group:
            return set()
        return {str(m.get("value")) for m in group.get("members") or [] if m.get("value")}
