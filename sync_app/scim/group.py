"""The Group resource (RFC 7643 §4.2): a name and a list of members."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, ClassVar

import scim2_models

from sync_app.scim import urns
from sync_app.scim.base import SCIMObject
from sync_app.scim.resource import Resource, ResourceMeta

__all__ = ["GROUP_SCHEMA", "Group", "Member"]

GROUP_SCHEMA = urns.GROUP


@dataclass(repr=False)
class Member(SCIMObject):
    """A member of a Group: a User or a Group, by ``id`` (RFC 7643 §4.2)."""

    #: The ``id`` of the member resource.
    value: str | None = None
    #: A human-readable name, e.g. the user's displayName.
    display: str | None = None
    #: The URI of the member resource (``$ref`` in JSON).
    ref: str | None = None
    #: ``"User"`` or ``"Group"``.
    type: str | None = None

    _scim_model: ClassVar[Any] = scim2_models.GroupMember

    def __repr__(self) -> str:
        label = f" {self.display!r}" if self.display else ""
        return f"<Member {self.value}{label}>"


@dataclass(repr=False)
class Group(Resource):
    """A collection of Users or Groups, e.g. "Dunder Mifflin" (RFC 7643 §4.2).

    Membership lives here, in ``members``; ``User.groups`` is computed from it.

    Attributes:
        displayName: the name of the Group, e.g. "Dunder Mifflin". Required.
        group_id: the ``id`` the server assigned; sent as ``id``.
        meta: resource metadata (ResourceMeta), assigned by the server.
        members: the members (Member: value is the member's id, display, ref, type).
        externalId: the provisioning client's own id for the Group.
        extra: attributes this client does not model, kept as the server sent them.
    """

    #: The name of the Group, suitable for display. REQUIRED.
    displayName: str | None = None
    #: The ``id``, assigned by the server; a UUID is accepted and kept as its string.
    group_id: str | None = None
    #: Resource metadata, assigned by the server.
    meta: ResourceMeta | None = None
    #: The members of the Group.
    members: list[Member] | None = None
    #: The provisioning client's own identifier for the Group.
    externalId: str | None = None
    #: Attributes this client does not model, kept as received.
    extra: dict[str, Any] = field(default_factory=dict)

    schema: ClassVar[str] = GROUP_SCHEMA
    endpoint: ClassVar[str] = "/Groups"
    id_field: ClassVar[str] = "group_id"
    _aliases: ClassVar[dict[str, str]] = {"group_id": "id"}
    _id_fields: ClassVar[frozenset[str]] = frozenset({"group_id"})
    _scim_model: ClassVar[Any] = scim2_models.Group

    def __post_init__(self) -> None:
        if isinstance(self.group_id, uuid.UUID):
            self.group_id = str(self.group_id)
        super().__post_init__()

    def __repr__(self) -> str:
        count = len(self.members or [])
        plural = "" if count == 1 else "s"
        return f"<Group {self.displayName!r} {count} member{plural}>"
