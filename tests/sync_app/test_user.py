"""The User model (RFC 7643 §4.1): the learner's API, serialization, validation, round trips."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import scim2_models

from sync_app.errors import ValidationError
from sync_app.scim.resource import ResourceMeta, ResourceRef
from sync_app.scim.user import (
    ENTERPRISE_USER_SCHEMA,
    USER_SCHEMA,
    Address,
    Email,
    EnterpriseUser,
    Manager,
    Name,
    PhoneNumber,
    User,
)

CREATION = scim2_models.Context.RESOURCE_CREATION_REQUEST
REPLACEMENT = scim2_models.Context.RESOURCE_REPLACEMENT_REQUEST


def _cminer(**fields: Any) -> User:
    user_id = uuid.uuid5(uuid.NAMESPACE_X500, "uid=Charles.Miner,DC=dundermifflin,DC=com")
    defaults: dict[str, Any] = dict(
        meta=ResourceMeta.create_meta("User", f"https://duo.local/Users/{user_id}"),
        user_id=user_id,
        displayName="Charles Miner",
        active=True,
        userName="cminer",
        name=Name(formatted="Charles Miner", familyName="Miner", givenName="Charles"),
        emails=[Email(value="charles.miner@dundermifflin.com", type="work", primary=True)],
    )
    return User(**{**defaults, **fields})


def test_positional_order_of_the_course() -> None:
    """User(meta, user_id, displayName, active, userName, name, emails, groups) positionally."""
    user = User(None, "42", "Jim Halpert", True, "jhalpert", Name(givenName="Jim"), [], None)
    assert (user.user_id, user.displayName, user.active, user.userName) == (
        "42",
        "Jim Halpert",
        True,
        "jhalpert",
    )


def test_uuid_id_becomes_string() -> None:
    """A uuid5 user_id is kept as its string: SCIM ids are strings."""
    user = _cminer()
    assert user.user_id == "9e735efd-c5d0-5a51-8a60-9fa91422383f"
    assert user.id == user.user_id


def test_rfc7643_4_1_to_dict_names_attributes_as_the_rfc() -> None:
    """user_id is sent as id, ref as $ref, schemas filled in, None left out."""
    user = _cminer(groups=[ResourceRef(ref="https://x/Groups/g1", value="g1", display="DM")])
    data = user.to_dict()
    assert data["schemas"] == [USER_SCHEMA]
    assert data["id"] == user.user_id and "user_id" not in data
    assert data["groups"] == [{"$ref": "https://x/Groups/g1", "value": "g1", "display": "DM"}]
    assert "nickName" not in data and "password" not in data
    assert data["meta"]["resourceType"] == "User"
    assert data["meta"]["created"].endswith("Z")


def test_rfc7643_4_1_2_creation_leaves_out_read_only_attributes() -> None:
    """id, meta and groups are read-only: not in the payload of a POST or a PUT."""
    user = _cminer(groups=[ResourceRef(value="g1")], password="Bears-Beets-Battlestar")
    for context in (CREATION, REPLACEMENT):
        payload = user.to_scim(context)
        assert {"id", "meta", "groups"}.isdisjoint(payload)
        assert payload["userName"] == "cminer"
        assert payload["password"] == "Bears-Beets-Battlestar"


def test_rfc7643_4_3_enterprise_extension_adds_its_schema() -> None:
    """The enterprise extension goes under its URN, which joins schemas."""
    user = _cminer(enterprise=EnterpriseUser(employeeNumber="1", manager=Manager(value="m1")))
    data = user.to_dict()
    assert data["schemas"] == [USER_SCHEMA, ENTERPRISE_USER_SCHEMA]
    assert data[ENTERPRISE_USER_SCHEMA] == {"employeeNumber": "1", "manager": {"value": "m1"}}
    assert User.from_dict(data).enterprise == user.enterprise


def test_rfc7643_8_2_full_user_round_trip(sample: Callable[[str], Any]) -> None:
    """RFC 7643 §8.2's full User reads into the model and writes back unchanged."""
    data = sample("rfc7643-8.2-full-user")
    user = User.from_dict(data)
    assert user.name == Name(
        formatted="Ms. Barbara J Jensen, III",
        familyName="Jensen",
        givenName="Barbara",
        middleName="Jane",
        honorificPrefix="Ms.",
        honorificSuffix="III",
    )
    assert user.addresses and user.addresses[0].locality == "Hollywood"
    assert user.groups and user.groups[0].ref.endswith("e9e30dba-f08f-4109-8486-d5c6a331660a")
    assert user.enterprise and user.enterprise.manager == Manager(
        value="26118915-6090-4610-87e4-49d8ca9f808d",
        ref="../Users/26118915-6090-4610-87e4-49d8ca9f808d",
        displayName="John Smith",
    )
    assert user.version == 'W/"3694e05e9dff591"'
    assert user.to_dict() == data
    assert User.from_dict(user.to_dict()) == user


def test_unknown_attributes_are_kept_in_extra() -> None:
    """Attributes the model does not know survive a round trip (e.g. a custom extension)."""
    data = {"schemas": [USER_SCHEMA], "userName": "creed", "urn:example:custom:1.0": {"quabity": 1}}
    user = User.from_dict(data)
    assert user.extra == {"urn:example:custom:1.0": {"quabity": 1}}
    assert user.to_dict() == data


def test_learner_dicts_become_models() -> None:
    """Dicts for complex attributes are accepted and turned into their dataclasses."""
    user = User(userName="kkapoor", emails=[{"value": "kelly@dundermifflin.com", "type": "work"}])
    assert user.emails == [Email(value="kelly@dundermifflin.com", type="work")]


def test_empty_username_is_rejected() -> None:
    """RFC 7643 §4.1.1: userName is non-empty; the error names the field."""
    with pytest.raises(ValidationError) as caught:
        User(userName="")
    assert caught.value.field == "userName"
    assert "User.userName must not be empty" in str(caught.value)


def test_missing_username_is_rejected_before_sending() -> None:
    """A User without userName can be built (from a projection) but not created."""
    user = User(displayName="Nobody")
    with pytest.raises(ValidationError) as caught:
        user.to_scim(CREATION)
    assert caught.value.field == "userName"
    assert "User.userName is required" in str(caught.value)


@pytest.mark.parametrize("active", ["yes", "False", 1, 0])
def test_active_must_be_a_bool(active: Any) -> None:
    """active is True or False: "False" or 1 are refused, not silently coerced."""
    with pytest.raises(ValidationError) as caught:
        User(userName="mscott", active=active)
    assert caught.value.field == "active"
    assert "User.active must be True or False" in str(caught.value)


def test_email_value_must_be_a_string() -> None:
    """An email value that is not a string is refused, naming the field."""
    with pytest.raises(ValidationError) as caught:
        Email(value=42)  # type: ignore[arg-type]
    assert (caught.value.model, caught.value.field) == ("Email", "value")
    assert "Email.value must be a string, not int (42)" in str(caught.value)


def test_email_value_must_be_an_address() -> None:
    """The RFC 7643 email syntax is checked (by scim2-models)."""
    with pytest.raises(ValidationError) as caught:
        Email(value="dwight-at-schrute-farms")
    assert caught.value.field == "value"
    assert "not a valid email address" in str(caught.value)


def test_nested_fault_names_its_path() -> None:
    """A fault changed after construction names the full path when the User is checked."""
    user = _cminer()
    assert user.emails is not None
    user.emails[0].primary = "yes"  # type: ignore[assignment]
    with pytest.raises(ValidationError) as caught:
        user.validate()
    assert "User.emails[0].primary must be True or False" in str(caught.value)


def test_emails_must_be_email_objects() -> None:
    """A bare string in emails is refused with the class to use."""
    with pytest.raises(ValidationError) as caught:
        User(userName="pbeesly", emails=["pam@dundermifflin.com"])  # type: ignore[list-item]
    assert "User.emails[0] must be an Email(...)" in str(caught.value)


def test_photo_value_must_be_a_uri() -> None:
    """URIs are checked (by scim2-models), naming the field in Python terms."""
    with pytest.raises(ValidationError) as caught:
        User(userName="x", profileUrl="not a url")
    assert caught.value.field == "profileUrl"


def test_repr_is_short() -> None:
    """repr shows the userName and status, not a wall of fields."""
    assert repr(_cminer()) == "<User cminer active>"
    assert repr(User(userName="mscott", active=False)) == "<User mscott inactive (not created yet)>"


def test_repr_html_is_a_small_table() -> None:
    """The notebook display is a table of the attributes that are set."""
    html = _cminer(phoneNumbers=[PhoneNumber(value="570-555-0100")])._repr_html_()
    assert html.startswith("<table>") and "cminer" in html and "570-555-0100" in html
    assert "&lt;User cminer active&gt;" in html
    assert "nickName" not in html


def test_equality_compares_every_field() -> None:
    """Two Users are equal when every attribute is."""
    assert _cminer() == _cminer(meta=_cminer().meta)
    assert _cminer() != _cminer(addresses=[Address(locality="Scranton")])
