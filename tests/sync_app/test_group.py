"""The Group model (RFC 7643 §4.2)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import scim2_models

from sync_app.errors import ValidationError
from sync_app.scim.group import GROUP_SCHEMA, Group, Member
from sync_app.scim.resource import ResourceMeta


def test_group_as_the_course_builds_it() -> None:
    """Group(displayName=, group_id=, meta=) with a uuid5 id."""
    group_id = uuid.uuid5(uuid.NAMESPACE_X500, "cn=MichaelScott,DC=PaperCompany,DC=com")
    group = Group(
        displayName="Michael Scott Paper Company",
        group_id=group_id,
        meta=ResourceMeta.create_meta("Group", f"https://duo.local/Groups/{group_id}"),
    )
    assert group.group_id == str(group_id)
    assert group.to_dict()["id"] == str(group_id)
    assert repr(group) == "<Group 'Michael Scott Paper Company' 0 members>"


def test_rfc7643_4_2_members_serialize_ref_as_dollar_ref() -> None:
    """Member.ref is sent as $ref; the creation payload keeps members but not id/meta."""
    group = Group(
        displayName="Dunder Mifflin",
        group_id="g1",
        members=[Member(value="u1", display="Jim", ref="https://x/Users/u1", type="User")],
        externalId="dm",
    )
    payload = group.to_scim(scim2_models.Context.RESOURCE_CREATION_REQUEST)
    assert payload == {
        "schemas": [GROUP_SCHEMA],
        "externalId": "dm",
        "displayName": "Dunder Mifflin",
        "members": [
            {"value": "u1", "$ref": "https://x/Users/u1", "type": "User", "display": "Jim"}
        ],
    }


def test_rfc7643_8_4_group_round_trip(sample: Callable[[str], Any]) -> None:
    """RFC 7643 §8.4's Group reads into the model and writes back unchanged."""
    data = sample("rfc7643-8.4-group")
    group = Group.from_dict(data)
    assert [m.display for m in group.members or []] == ["Babs Jensen", "Mandy Pepperidge"]
    assert group.to_dict() == data
    assert Group.from_dict(group.to_dict()) == group


def test_display_name_is_required_to_create() -> None:
    """A Group needs a displayName before it is sent."""
    with pytest.raises(ValidationError) as caught:
        Group().to_scim(scim2_models.Context.RESOURCE_CREATION_REQUEST)
    assert caught.value.field == "displayName"


def test_members_must_be_members() -> None:
    """Members are Member objects or dicts; other values name the field."""
    assert Group(displayName="x", members=[{"value": "u1"}]).members == [Member(value="u1")]
    with pytest.raises(ValidationError) as caught:
        Group(displayName="x", members=[42])  # type: ignore[list-item]
    assert "Group.members[0] must be a Member(...)" in str(caught.value)


def test_extra_attributes_of_a_server_are_kept() -> None:
    """A server's non-standard attribute (api.scim.dev sends "name") survives a round trip."""
    data = {"schemas": [GROUP_SCHEMA], "id": "g", "displayName": "DM", "name": "DM"}
    group = Group.from_dict(data)
    assert group.extra == {"name": "DM"}
    assert group.to_dict() == data
