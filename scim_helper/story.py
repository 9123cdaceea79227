"""The story so far: what earlier chapters did, replayed for a chapter that continues from it.

Every chapter starts from ``course_setup(reset=True)``: the fifteen Scranton staff, all active,
all in "Dunder Mifflin". Some chapters pick the story up later. Chapter 4 needs Michael gone
(chapter 3); chapters 5 and 8 also need the Michael Scott Paper Company (chapter 4). Rather than
a screenful of requests at the top of those chapters, one call replays the earlier chapters'
main steps and says what it did::

    story = story_so_far(client, chapter=5)
    michael_scott_paper_company_id = story.michael_scott_paper_company_id

Each step is checked before it is sent, so running the call again changes nothing. ``Roster``
is the pair of helpers the group chapters share: make a group of some of the staff, and list a
group's members by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_X500, uuid4, uuid5

from scim_helper.marker import course_external_id, is_course_resource
from scim_helper.staff import (
    DUNDER_MIFFLIN,
    GROUP_EXTERNAL_ID,
    PAPER_COMPANY,
    PAPER_COMPANY_EXTERNAL_ID,
    staff_member,
)
from scim_helper.tenant import Tenant, quote
from sync_app.client import SCIMClient
from sync_app.scim.group import Group
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.resource import ResourceMeta

__all__ = [
    "FOUNDERS",
    "PAPER_COMPANY_DN",
    "Roster",
    "StorySoFar",
    "group_external_id",
    "story_so_far",
]

#: Who leaves Dunder Mifflin for the Michael Scott Paper Company, in the order they go.
FOUNDERS = ("Michael Scott", "Pam Beesly", "Ryan Howard")
#: The directory name chapter 4 derives the Paper Company's client-side uuid5 from.
PAPER_COMPANY_DN = "cn=MichaelScott,DC=PaperCompany,DC=com"
_CHAPTERS = range(1, 9)


@dataclass(frozen=True)
class StorySoFar:
    """What ``story_so_far`` left on the server, read back after the replay."""

    chapter: int
    steps: tuple[str, ...] = ()
    michael_scott_paper_company_id: str | None = None
    dunder_mifflin_members: int = 0

    def __str__(self) -> str:
        if not self.steps:
            return f"Chapter {self.chapter} starts from course_setup: nothing to replay."
        lines = [f"Before chapter {self.chapter}:"] + [f"- {step}" for step in self.steps]
        lines.append(f"Dunder Mifflin has {self.dunder_mifflin_members} members.")
        return "\n".join(lines)


def story_so_far(client: SCIMClient, chapter: int) -> StorySoFar:
    """Replay what the chapters before ``chapter`` did that it builds on; safe to run again.

    - after chapter 3: Michael is inactive and no longer in Dunder Mifflin;
    - after chapter 4: the Michael Scott Paper Company holds Michael, Pam and Ryan, and Pam and
      Ryan have left Dunder Mifflin too.

    Expects the staff and the Dunder Mifflin group of ``course_setup``.
    """
    if chapter not in _CHAPTERS:
        raise ValueError(f"The course has chapters 1 to 8, not {chapter}.")
    tenant = Tenant(client)
    ids = {name: _user_id(tenant, name) for name in FOUNDERS}
    dunder_mifflin = _course_group(tenant, DUNDER_MIFFLIN, GROUP_EXTERNAL_ID)
    if dunder_mifflin is None:
        raise LookupError(
            f"There is no {DUNDER_MIFFLIN!r} group. Run course_setup(reset=True) first."
        )
    steps: list[str] = []
    paper_company_id = None
    leavers: tuple[str, ...] = ()
    if chapter > 3:
        _patch_user(
            client, ids["Michael Scott"], Operation(op="replace", path="active", value=False)
        )
        steps.append("chapter 3: Michael Scott is inactive and has left Dunder Mifflin")
        leavers = FOUNDERS[:1]
    if chapter > 4:
        paper_company_id = _paper_company(client, tenant, [ids[name] for name in FOUNDERS])
        steps.append("chapter 4: Michael, Pam and Ryan are the Michael Scott Paper Company")
        leavers = FOUNDERS
    _leave(client, dunder_mifflin, [ids[name] for name in leavers])
    members = Tenant.member_ids(client.get_group(dunder_mifflin["id"]).to_dict())
    return StorySoFar(chapter, tuple(steps), paper_company_id, len(members))


class Roster:
    """Group helpers for chapters about membership, speaking in the staff's names.

    ``user_ids`` is the name → id dictionary ``course_setup`` returns.
    """

    def __init__(self, client: SCIMClient, user_ids: dict[str, str]) -> None:
        self.client = client
        self.user_ids = user_ids
        self.names_by_id = {user_id: name for name, user_id in user_ids.items()}

    def make_group(self, display_name: str, names: list[str]) -> str:
        """A group holding exactly the named staff (created, or reset if it exists); its id.

        The group carries the course's mark (``office-course:group:<slug>``), so reset deletes it
        on any server; a group of that name that is not the course's is never reused.
        """
        members = [{"value": self.user_ids[name]} for name in names]
        external_id = group_external_id(display_name)
        existing = _course_group(Tenant(self.client), display_name, external_id)
        if existing is not None:
            group_id = str(existing["id"])
            operation = Operation(op="replace", path="members", value=members)
        else:
            meta = ResourceMeta.create_meta("Group", f"https://duo.local/Groups/{uuid4()}")
            group = Group(
                displayName=display_name,
                externalId=external_id,
                group_id=str(uuid4()),
                meta=meta,
            )
            group_id = str(self.client.create_group(group).to_dict()["id"])
            operation = Operation(op="add", path="members", value=members)
        if members or existing is not None:
            self.client.update_group(id=group_id, ops=PatchOp(operations=[operation]))
        return group_id

    def members_of(self, group_id: str) -> list[str]:
        """The names of a group's members, sorted (an id when the person is not on the roster)."""
        group = self.client.get_group(group_id).to_dict()
        return sorted(
            self.names_by_id.get(member["value"], member["value"])
            for member in group.get("members") or []
        )


# -- the replayed steps ---------------------------------------------------------------------------


def group_external_id(display_name: str) -> str:
    """The course's mark for a group it makes: ``office-course:group:`` + a slug of the name."""
    slug = re.sub(r"[^a-z0-9]+", "-", display_name.lower()).strip("-")
    return course_external_id(f"group:{slug}")


def _course_group(tenant: Tenant, display_name: str, external_id: str) -> dict[str, Any] | None:
    """The course's group of this name: marked with ``external_id``, else any course-marked one.

    A group of the same name that the course did not create is never returned (nor changed).
    """
    query = f"externalId eq {quote(external_id)} or displayName eq {quote(display_name)}"
    found = tenant.groups(query)
    exact = [g for g in found if g.get("externalId") == external_id]
    named = [g for g in found if g.get("displayName") == display_name and is_course_resource(g)]
    candidates = exact or named
    return candidates[0] if candidates else None


def _user_id(tenant: Tenant, name: str) -> str:
    user = tenant.user(staff_member(name).user_name)
    if user is None:
        raise LookupError(f"{name} is not on the server. Run course_setup(reset=True) first.")
    return str(user["id"])


def _patch_user(client: SCIMClient, user_id: str, operation: Operation) -> None:
    client.update_user(id=user_id, ops=PatchOp(operations=[operation]))


def _leave(client: SCIMClient, group: dict[str, Any], user_ids: list[str]) -> None:
    """Remove these users from the group, the RFC way; only those still in it (no noTarget)."""
    present = Tenant.member_ids(group)
    operations = [
        Operation(op="remove", path=f"members[value eq {quote(user_id)}]")
        for user_id in user_ids
        if user_id in present
    ]
    if operations:
        client.update_group(id=group["id"], ops=PatchOp(operations=operations))


def _paper_company(client: SCIMClient, tenant: Tenant, member_ids: list[str]) -> str:
    """The Michael Scott Paper Company, created as chapter 4 does, holding these users; its id."""
    group = _course_group(tenant, PAPER_COMPANY, PAPER_COMPANY_EXTERNAL_ID)
    namesake = tenant.group(PAPER_COMPANY) if group is None else None
    if namesake is not None and namesake.get("displayName") == PAPER_COMPANY:
        raise LookupError(
            f"There is already a group {PAPER_COMPANY!r} that the course did not create (its "
            f"externalId is not {PAPER_COMPANY_EXTERNAL_ID!r}), so story_so_far leaves it alone. "
            f"If you made it yourself, delete it (client.delete_group({namesake['id']!r})) "
            "and run this cell again."
        )
    if group is None:
        client_id = uuid5(NAMESPACE_X500, PAPER_COMPANY_DN)
        meta = ResourceMeta.create_meta("Group", f"https://duo.local/Groups/{client_id}")
        created = client.create_group(
            Group(
                displayName=PAPER_COMPANY,
                externalId=PAPER_COMPANY_EXTERNAL_ID,
                group_id=str(client_id),
                meta=meta,
            )
        )
        group = created.to_dict()
    missing = [user_id for user_id in member_ids if user_id not in Tenant.member_ids(group)]
    if missing:
        value = [{"value": user_id} for user_id in missing]
        client.update_group(
            id=group["id"],
            ops=PatchOp(operations=[Operation(op="add", path="members", value=value)]),
        )
    return str(group["id"])
