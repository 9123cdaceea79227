"""ResourceMeta and ResourceRef (RFC 7643 §3.1)."""

from __future__ import annotations

import datetime as dt

import pytest

from sync_app.errors import ValidationError
from sync_app.scim.resource import RESOURCE_TYPES, ResourceMeta, ResourceRef


@pytest.mark.parametrize("resource_type", RESOURCE_TYPES)
def test_create_meta_for_the_five_resource_types(resource_type: str) -> None:
    """create_meta accepts User, Group, ServiceProviderConfig, ResourceType and Schema."""
    meta = ResourceMeta.create_meta(resource_type, "https://duo.local/x")
    assert meta.resourceType == resource_type
    assert meta.location == "https://duo.local/x"
    assert meta.created == meta.lastModified
    assert meta.created is not None and meta.created.tzinfo == dt.UTC


def test_create_meta_refuses_unknown_type_with_suggestion() -> None:
    """An unknown resource type raises a ValueError listing the five and the closest."""
    with pytest.raises(ValueError) as caught:
        ResourceMeta.create_meta("Users", "https://duo.local/Users/1")
    assert isinstance(caught.value, ValidationError)
    assert "Did you mean 'User'?" in str(caught.value)
    assert "User, Group, ServiceProviderConfig, ResourceType, Schema" in str(caught.value)


def test_meta_dates_round_trip_as_rfc3339() -> None:
    """created and lastModified are datetimes, written back as xsd:dateTime with Z."""
    data = {"resourceType": "User", "created": "2024-03-11T19:13:16Z", "version": 'W/"1"'}
    meta = ResourceMeta.from_dict(data)
    assert meta.created == dt.datetime(2024, 3, 11, 19, 13, 16, tzinfo=dt.UTC)
    assert meta.to_dict() == data


def test_bad_date_names_the_field() -> None:
    """A date that is not ISO 8601 names the field and shows the expected form."""
    with pytest.raises(ValidationError) as caught:
        ResourceMeta.from_dict({"created": "yesterday"})
    assert "ResourceMeta.created" in str(caught.value)


def test_resource_ref_serializes_ref_as_dollar_ref() -> None:
    """ResourceRef(ref=, value=, display=) is JSON with $ref."""
    ref = ResourceRef(ref="https://x/Groups/1", value="1", display="Dunder Mifflin")
    assert ref.to_dict() == {
        "$ref": "https://x/Groups/1",
        "value": "1",
        "display": "Dunder Mifflin",
    }
    assert ResourceRef.from_dict(ref.to_dict()) == ref
    assert repr(ref) == "<ResourceRef 1 'Dunder Mifflin'>"
