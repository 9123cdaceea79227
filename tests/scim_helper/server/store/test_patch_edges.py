"""PATCH beyond the happy path (RFC 7644 §3.5.2), found missing by the mutation run (issue 18).

Each test pins one behaviour a small wrong change to ``server/patch.py`` would break: whole
values of multi-valued attributes, values already present, readOnly sub-attributes, filters
inside a path, password-only changes and the ``primary`` rule.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from scim2_models import SCIMException
from sqlalchemy import select

from scim_helper.server.db import resource_table
from scim_helper.server.store import Store

from .builders import ENTERPRISE, group, user


def patch(store: Store, tenant: str, resource: dict, *ops: dict[str, Any]) -> dict[str, Any]:
    rtype = resource["meta"]["resourceType"]
    return store.patch(tenant, rtype, resource["id"], list(ops))


def refused(store: Store, tenant: str, resource: dict, *ops: dict[str, Any]) -> SCIMException:
    """The 400 a PATCH gets; the stored resource is unchanged."""
    with pytest.raises(SCIMException) as info:
        patch(store, tenant, resource, *ops)
    rtype = resource["meta"]["resourceType"]
    assert store.get(tenant, rtype, resource["id"]) == resource
    return info.value


@pytest.fixture
def pam(store: Store, tenant: str) -> dict[str, Any]:
    return user(
        store,
        tenant,
        "pbeesly",
        emails=[
            {"value": "pam@dundermifflin.com", "type": "work", "primary": True},
            {"value": "pam@home.example", "type": "home", "display": "Pam at home"},
        ],
        phoneNumbers=[{"value": "555-0100", "type": "work"}],
    )


# -- whole values of a multi-valued attribute ----------------------------------------------


def test_rfc7644_3_5_2_3_replace_whole_matched_value_drops_unsent_sub_attributes(
    store: Store, tenant: str, pam: dict
) -> None:
    """replace emails[type eq "home"] with an object replaces that whole value: its
    sub-attributes not sent (display) are gone, the other values are untouched."""
    result = patch(
        store,
        tenant,
        pam,
        {"op": "replace", "path": 'emails[type eq "home"]', "value": {"value": "p@b.example"}},
    )
    assert result["emails"] == [pam["emails"][0], {"value": "p@b.example"}]


def test_rfc7644_3_5_2_1_add_to_matched_value_merges_sub_attributes(
    store: Store, tenant: str, pam: dict
) -> None:
    """add emails[type eq "home"] with an object merges it into that value."""
    result = patch(
        store,
        tenant,
        pam,
        {"op": "add", "path": 'emails[type eq "home"]', "value": {"value": "p@b.example"}},
    )
    assert result["emails"][1] == {
        "value": "p@b.example",
        "type": "home",
        "display": "Pam at home",
    }
    assert result["emails"][0] == pam["emails"][0]


def test_rfc7644_3_5_2_3_replace_matched_value_needs_an_object(
    store: Store, tenant: str, pam: dict
) -> None:
    """replace emails[type eq "home"] with a string is 400 invalidValue."""
    error = refused(
        store,
        tenant,
        pam,
        {"op": "replace", "path": 'emails[type eq "home"]', "value": "p@b.example"},
    )
    assert error.scim_type == "invalidValue"
    assert "object of sub-attributes" in error.detail


def test_rfc7644_3_5_2_1_add_value_already_present_is_not_duplicated(
    store: Store, tenant: str, pam: dict
) -> None:
    """add of an email equal to one present keeps one copy and changes no version."""
    result = patch(store, tenant, pam, {"op": "add", "path": "emails", "value": [pam["emails"][1]]})
    assert result["emails"] == pam["emails"]
    assert result["meta"] == pam["meta"]


def test_rfc7644_3_5_2_1_add_a_single_object_appends_it(
    store: Store, tenant: str, pam: dict
) -> None:
    """add on emails with one object (not a list) appends that one value."""
    result = patch(
        store,
        tenant,
        pam,
        {"op": "add", "path": "emails", "value": {"value": "p@new.example", "type": "other"}},
    )
    assert result["emails"] == [*pam["emails"], {"value": "p@new.example", "type": "other"}]


def test_rfc7644_3_5_2_1_add_primary_value_clears_the_other_primary(
    store: Store, tenant: str, pam: dict
) -> None:
    """Adding a value with primary true sets primary false on the previous primary
    (RFC 7644 §3.5.2: "SHALL cause the server to automatically set primary to false")."""
    result = patch(
        store,
        tenant,
        pam,
        {"op": "add", "path": "emails", "value": [{"value": "p@x.example", "primary": True}]},
    )
    assert [e.get("primary") for e in result["emails"]] == [False, None, True]


def test_rfc7644_3_5_2_3_replace_primary_through_filter_moves_it(
    store: Store, tenant: str, pam: dict
) -> None:
    """replace emails[type eq "home"].primary with "True" makes the home email the only
    primary one; the string form is Entra ID's."""
    result = patch(
        store,
        tenant,
        pam,
        {"op": "replace", "path": 'emails[type eq "home"].primary', "value": "True"},
    )
    assert [e.get("primary") for e in result["emails"]] == [False, True]


def test_rfc7644_3_5_2_3_replace_primary_of_every_value_keeps_one(
    store: Store, tenant: str, pam: dict
) -> None:
    """replace emails.primary true without a filter leaves exactly one primary value."""
    result = patch(store, tenant, pam, {"op": "replace", "path": "emails.primary", "value": True})
    assert [e.get("primary") for e in result["emails"]] == [False, True]


def test_rfc7644_3_5_2_1_add_sub_attribute_to_empty_multi_valued_creates_value(
    store: Store, tenant: str
) -> None:
    """add of emails.value on a user without emails creates one email with that value."""
    created = user(store, tenant, "kkapoor")
    result = patch(store, tenant, created, {"op": "add", "path": "emails.value", "value": "k@x.y"})
    assert result["emails"] == [{"value": "k@x.y"}]


def test_rfc7644_3_5_2_2_remove_sub_attribute_of_every_value(
    store: Store, tenant: str, pam: dict
) -> None:
    """remove of emails.display drops that sub-attribute from every value, nothing else."""
    result = patch(store, tenant, pam, {"op": "remove", "path": "emails.display"})
    assert result["emails"] == [pam["emails"][0], {"value": "pam@home.example", "type": "home"}]


def test_rfc7644_3_5_2_2_remove_sub_attribute_through_filter(
    store: Store, tenant: str, pam: dict
) -> None:
    """remove of emails[type eq "home"].display drops it from the matching value only."""
    result = patch(store, tenant, pam, {"op": "remove", "path": 'emails[type eq "home"].display'})
    assert result["emails"] == [pam["emails"][0], {"value": "pam@home.example", "type": "home"}]


def test_rfc7644_3_5_2_2_remove_last_value_drops_the_attribute(
    store: Store, tenant: str, pam: dict
) -> None:
    """Removing the only phone number leaves no phoneNumbers attribute (not an empty list)."""
    result = patch(store, tenant, pam, {"op": "remove", "path": 'phoneNumbers[type eq "work"]'})
    assert "phoneNumbers" not in result


def test_rfc7644_3_5_2_2_remove_emails_by_value_list(store: Store, tenant: str, pam: dict) -> None:
    """remove on emails with a value list removes the listed values only (the Entra ID form
    for members, applied to any multi-valued attribute)."""
    result = patch(
        store,
        tenant,
        pam,
        {"op": "remove", "path": "emails", "value": [{"value": "pam@home.example"}]},
    )
    assert result["emails"] == [pam["emails"][0]]


def test_rfc7644_3_5_2_2_remove_emails_with_null_value_clears_them(
    store: Store, tenant: str, pam: dict
) -> None:
    """remove on emails with value null removes them all, like a remove without value."""
    result = patch(store, tenant, pam, {"op": "remove", "path": "emails", "value": None})
    assert "emails" not in result


def test_rfc7644_3_5_2_2_remove_a_value_that_is_no_string_is_invalid_value(
    store: Store, tenant: str, pam: dict
) -> None:
    """A remove naming a value by a number is 400 invalidValue with the accepted form."""
    error = refused(store, tenant, pam, {"op": "remove", "path": "emails", "value": [{"value": 7}]})
    assert error.scim_type == "invalidValue"
    assert '{"value": "…"}' in error.detail


# -- filters inside a path -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        'emails[type eq "HOME"].value',
        'emails[TYPE eq "home"].value',
        'Emails[Type Eq "Home"].Value',
        'emails[value eq "PAM@HOME.EXAMPLE"].value',
    ],
)
def test_rfc7644_3_4_2_2_value_filter_in_path_is_case_insensitive(
    store: Store, tenant: str, pam: dict, path: str
) -> None:
    """Attribute names and caseExact-false values compare without case inside a path."""
    result = patch(store, tenant, pam, {"op": "replace", "path": path, "value": "p@b.example"})
    assert [e["value"] for e in result["emails"]] == ["pam@dundermifflin.com", "p@b.example"]


@pytest.mark.parametrize(
    ("path", "selected"),
    [
        ('emails[type ne "home"]', ["pam@dundermifflin.com"]),
        ("emails[display pr]", ["pam@home.example"]),
        ('emails[not (type eq "home")]', ["pam@dundermifflin.com"]),
        ('emails[type eq "home" or type eq "work"]', ["pam@dundermifflin.com", "pam@home.example"]),
        ('emails[type eq "home" and value sw "pam@h"]', ["pam@home.example"]),
        ('emails[value co "@home"]', ["pam@home.example"]),
        ('emails[value ew ".com"]', ["pam@dundermifflin.com"]),
        ("emails[primary eq true]", ["pam@dundermifflin.com"]),
        ('emails[primary eq "true"]', ["pam@dundermifflin.com"]),
        ("emails[primary ne true]", ["pam@home.example"]),
        ("emails[display eq null]", ["pam@dundermifflin.com"]),
        ("emails[display ne null]", ["pam@home.example"]),
        ('emails[display ne "x"]', ["pam@dundermifflin.com", "pam@home.example"]),
        ('emails[value gt "pam@e"]', ["pam@home.example"]),
        ('emails[value ge "pam@home.example"]', ["pam@home.example"]),
        ('emails[value lt "pam@e"]', ["pam@dundermifflin.com"]),
        ('emails[value le "pam@dundermifflin.com"]', ["pam@dundermifflin.com"]),
        ("emails[value gt 3]", []),
    ],
)
def test_rfc7644_3_5_2_2_value_filter_operators_select_the_values(
    store: Store, tenant: str, pam: dict, path: str, selected: list[str]
) -> None:
    """Every filter operator inside brackets selects the values RFC 7644 §3.4.2.2 says;
    ``ne``/``pr`` treat an absent sub-attribute as unassigned. A remove shows the choice."""
    before = [e["value"] for e in pam["emails"]]
    if not selected:
        assert refused(store, tenant, pam, {"op": "remove", "path": path}).scim_type == "noTarget"
        return
    result = patch(store, tenant, pam, {"op": "remove", "path": path})
    assert [e["value"] for e in result.get("emails", [])] == [
        v for v in before if v not in selected
    ]


def test_rfc7644_3_5_2_2_present_ignores_empty_values(store: Store, tenant: str) -> None:
    """``pr`` inside brackets does not match a sub-attribute holding an empty string."""
    created = user(store, tenant, "abernard", emails=[{"value": "andy@x.example", "display": ""}])
    error = refused(store, tenant, created, {"op": "remove", "path": "emails[display pr]"})
    assert error.scim_type == "noTarget"


def test_rfc7644_3_5_2_value_filter_naming_no_sub_attribute_is_invalid_path(
    store: Store, tenant: str, pam: dict
) -> None:
    """A filter on an unknown sub-attribute inside brackets is 400 invalidPath."""
    error = refused(store, tenant, pam, {"op": "remove", "path": 'emails[colour eq "red"]'})
    assert error.scim_type == "invalidPath"
    assert "colour" in error.detail


def test_rfc7644_3_5_2_1_add_through_filter_with_and_creates_the_value(
    store: Store, tenant: str, pam: dict
) -> None:
    """add through a filter of equalities joined by and creates a value holding them."""
    result = patch(
        store,
        tenant,
        pam,
        {
            "op": "add",
            "path": 'phoneNumbers[type eq "mobile" and display eq "cell"].value',
            "value": "555-0199",
        },
    )
    assert result["phoneNumbers"][1] == {"type": "mobile", "display": "cell", "value": "555-0199"}


@pytest.mark.parametrize(
    "path",
    [
        'phoneNumbers[type ne "mobile"].value',
        'phoneNumbers[type eq "mobile" or type eq "fax"].value',
        'phoneNumbers[type.sub eq "mobile"].value',
    ],
)
def test_rfc7644_3_5_2_1_add_through_other_filters_without_match_is_no_target(
    store: Store, tenant: str, pam: dict, path: str
) -> None:
    """Only a plain conjunction of equalities says what value to create; other filters
    that match nothing are 400 noTarget (RFC 7644 §3.12) or invalidPath."""
    pam = patch(store, tenant, pam, {"op": "remove", "path": "phoneNumbers"})
    error = refused(store, tenant, pam, {"op": "add", "path": path, "value": "555-0199"})
    assert error.scim_type in ("noTarget", "invalidPath")


def test_rfc7644_3_5_2_filter_on_single_valued_attribute_is_invalid_path(
    store: Store, tenant: str, pam: dict
) -> None:
    """Brackets after a single-valued attribute select nothing: 400 invalidPath."""
    error = refused(
        store, tenant, pam, {"op": "replace", "path": 'name[givenName eq "Pam"]', "value": {}}
    )
    assert error.scim_type == "invalidPath"
    assert "not multi-valued" in error.detail


def test_rfc7644_3_5_2_unknown_sub_attribute_after_filter_is_invalid_path(
    store: Store, tenant: str, pam: dict
) -> None:
    """emails[…].colour names no sub-attribute of emails: 400 invalidPath."""
    error = refused(
        store, tenant, pam, {"op": "replace", "path": 'emails[type eq "work"].colour', "value": 1}
    )
    assert error.scim_type == "invalidPath"
    assert "'colour' is not a sub-attribute of emails" in error.detail


# -- readOnly and required ---------------------------------------------------------------------


def test_rfc7643_4_3_manager_display_name_is_read_only(store: Store, tenant: str) -> None:
    """manager.displayName is readOnly (RFC 7643 §4.3): a PATCH to it is 400 mutability."""
    created = user(store, tenant, "dphilbin", **{ENTERPRISE: {"manager": {"value": "x"}}})
    path = f"{ENTERPRISE}:manager.displayName"
    error = refused(store, tenant, created, {"op": "replace", "path": path, "value": "Boss"})
    assert error.scim_type == "mutability"
    assert "readOnly" in error.detail


def test_rfc7643_2_2_read_only_values_without_path_are_ignored(
    store: Store, tenant: str, pam: dict
) -> None:
    """readOnly attributes in a path-less value (id, meta) are ignored, the rest applied."""
    result = patch(
        store,
        tenant,
        pam,
        {"op": "replace", "value": {"id": "other", "meta": {"version": "x"}, "title": "Office"}},
    )
    assert result["id"] == pam["id"]
    assert result["title"] == "Office"


def test_rfc7644_3_5_2_groups_read_only_detail_points_to_members(
    store: Store, tenant: str, pam: dict
) -> None:
    """The mutability error for groups says where membership is changed."""
    error = refused(store, tenant, pam, {"op": "add", "path": "groups", "value": []})
    assert "change membership through the Group's members" in error.detail


def test_rfc7644_3_5_2_required_error_names_the_attribute(
    store: Store, tenant: str, pam: dict
) -> None:
    """The mutability error for a removed userName names it and the operation."""
    error = refused(
        store,
        tenant,
        pam,
        {"op": "replace", "path": "title", "value": "x"},
        {"op": "remove", "path": "userName"},
    )
    assert error.detail.startswith("Operation 2: userName is required for a User")


@pytest.mark.parametrize("blank", ["", "   "])
def test_rfc7644_3_5_2_blank_path_means_no_path(store: Store, tenant: str, blank: str) -> None:
    """An empty or whitespace-only path is treated as absent: the value's attributes apply."""
    created = user(store, tenant, "tflenderson")
    result = patch(
        store, tenant, created, {"op": "replace", "path": blank, "value": {"title": "HR"}}
    )
    assert result["title"] == "HR"


# -- password ----------------------------------------------------------------------------------


def test_rfc7644_3_5_2_3_patch_only_the_password(store: Store, tenant: str, pam: dict) -> None:
    """A PATCH that only replaces the password stores its new hash and moves version and
    lastModified on, although the returned document (password is returned "never",
    RFC 7643 §4.1.1) shows no other change."""
    result = patch(store, tenant, pam, {"op": "replace", "path": "password", "value": "s3cret!"})
    assert "password" not in result
    assert result["meta"]["version"] != pam["meta"]["version"]
    assert {k: v for k, v in result.items() if k != "meta"} == {
        k: v for k, v in pam.items() if k != "meta"
    }
    with store.engine.connect() as conn:
        stored = conn.execute(
            select(resource_table.c.password_hash).where(resource_table.c.id == pam["id"])
        ).scalar_one()
    assert stored == hashlib.sha256(b"s3cret!").hexdigest()


# -- operations and values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operations", "scim_type", "detail"),
    [
        ([], "invalidValue", 'non-empty "Operations" list'),
        ("replace", "invalidValue", 'non-empty "Operations" list'),
        (["replace"], "invalidSyntax", "must be a JSON object"),
        ([{"op": 1, "path": "title"}], "invalidSyntax", "has op 1"),
        ([{"op": "replace", "path": 5, "value": "x"}], "invalidPath", "path must be a string"),
        ([{"op": "replace", "path": "title"}], "invalidValue", "replace needs a value"),
        ([{"op": "add", "value": "x"}], "invalidValue", "without a path, value must be"),
        ([{"op": "replace", "path": 'title eq "x"', "value": 1}], "invalidPath", "is a filter"),
        ([{"op": "add", "value": {ENTERPRISE: "x"}}], "invalidValue", "must hold an object"),
        ([{"op": "add", "value": {"emails[type": 1}}], "invalidSyntax", "not an attribute name"),
        ([{"op": "replace", "path": "name", "value": "Pam"}], "invalidValue", "is complex"),
    ],
)
def test_rfc7644_3_5_2_malformed_operations(
    store: Store, tenant: str, pam: dict, operations: Any, scim_type: str, detail: str
) -> None:
    """Each malformed PatchOp gets its scimType and a detail naming what to send."""
    with pytest.raises(SCIMException) as info:
        store.patch(tenant, "User", pam["id"], operations)
    assert info.value.scim_type == scim_type
    assert detail in info.value.detail


def test_rfc7644_3_5_2_op_and_field_names_are_case_insensitive(
    store: Store, tenant: str, pam: dict
) -> None:
    """ "OP", "Path" and "VALUE" keys are read like op, path and value."""
    result = patch(store, tenant, pam, {"OP": "ADD", "Path": "nickName", "VALUE": "Pammy"})
    assert result["nickName"] == "Pammy"


def test_rfc7644_3_5_2_without_path_schemas_key_is_skipped(
    store: Store, tenant: str, pam: dict
) -> None:
    """A path-less value carrying "schemas" changes the attributes, not the schemas."""
    result = patch(
        store,
        tenant,
        pam,
        {"op": "replace", "value": {"schemas": ["urn:x"], "nickName": "P"}},
    )
    assert result["nickName"] == "P"
    assert result["schemas"] == pam["schemas"]


def test_rfc7644_3_5_2_3_replace_with_null_removes_the_attribute(
    store: Store, tenant: str, pam: dict
) -> None:
    """replace of title with null leaves the user without a title."""
    pam = patch(store, tenant, pam, {"op": "add", "path": "title", "value": "Receptionist"})
    result = patch(store, tenant, pam, {"op": "replace", "path": "title", "value": None})
    assert "title" not in result


def test_rfc7644_3_5_2_3_replace_sub_attribute_with_null_removes_it(
    store: Store, tenant: str
) -> None:
    """replace of name.givenName with null drops that sub-attribute only."""
    created = user(store, tenant, "ehannon", name={"givenName": "Erin", "familyName": "Hannon"})
    result = patch(
        store, tenant, created, {"op": "replace", "path": "name.givenName", "value": None}
    )
    assert result["name"] == {"familyName": "Hannon"}


def test_rfc7644_3_5_2_1_add_sub_attribute_creates_the_complex_value(
    store: Store, tenant: str
) -> None:
    """add of name.givenName on a user without name creates name with it."""
    created = user(store, tenant, "gwalsh")
    result = patch(store, tenant, created, {"op": "add", "path": "name.givenName", "value": "Gabe"})
    assert result["name"] == {"givenName": "Gabe"}


def test_rfc7644_3_5_2_2_remove_last_extension_attribute_drops_the_extension(
    store: Store, tenant: str
) -> None:
    """Removing the only enterprise attribute removes the extension object and its URN."""
    created = user(store, tenant, "rhoward", **{ENTERPRISE: {"department": "Temp"}})
    result = patch(store, tenant, created, {"op": "remove", "path": f"{ENTERPRISE}:department"})
    assert ENTERPRISE not in result
    assert ENTERPRISE not in result["schemas"]


def test_rfc7644_3_5_2_2_remove_from_absent_extension_changes_nothing(
    store: Store, tenant: str, pam: dict
) -> None:
    """Removing an extension attribute the user does not have leaves it unchanged."""
    result = patch(store, tenant, pam, {"op": "remove", "path": f"{ENTERPRISE}:department"})
    assert result == pam


def test_rfc7644_3_5_2_without_path_extension_keys_are_canonical(
    store: Store, tenant: str, pam: dict
) -> None:
    """A path-less value with the extension object sets its attributes by schema spelling."""
    result = patch(store, tenant, pam, {"op": "add", "value": {ENTERPRISE: {"DEPARTMENT": "Q"}}})
    assert result[ENTERPRISE] == {"department": "Q"}


# -- group members -------------------------------------------------------------------------


@pytest.fixture
def sales(store: Store, tenant: str) -> dict[str, Any]:
    jim = user(store, tenant, "jhalpert")
    dwight = user(store, tenant, "dschrute")
    return {"jim": jim, "dwight": dwight, "group": group(store, tenant, "Sales", jim, dwight)}


def test_rfc7644_3_5_2_1_add_member_with_filter_is_invalid_path(
    store: Store, tenant: str, sales: dict
) -> None:
    """add does not take a member filter: 400 invalidPath with the form that works."""
    path = f'members[value eq "{sales["jim"]["id"]}"]'
    error = refused(store, tenant, sales["group"], {"op": "add", "path": path, "value": {}})
    assert error.scim_type == "invalidPath"
    assert '"path": "members"' in error.detail


def test_rfc7644_3_5_2_member_value_is_immutable(store: Store, tenant: str, sales: dict) -> None:
    """members.value cannot be replaced in place: 400 mutability that says what to do."""
    path = f'members[value eq "{sales["jim"]["id"]}"].value'
    error = refused(store, tenant, sales["group"], {"op": "replace", "path": path, "value": "x"})
    assert error.scim_type == "mutability"
    assert "remove the member and add the right one" in error.detail


def test_rfc7644_3_5_2_member_display_filter_without_match_is_no_target(
    store: Store, tenant: str, sales: dict
) -> None:
    """Setting the display of a member that is not there is 400 noTarget."""
    path = 'members[value eq "ghost"].display'
    error = refused(store, tenant, sales["group"], {"op": "replace", "path": path, "value": "x"})
    assert error.scim_type == "noTarget"


def test_rfc7644_3_5_2_2_remove_members_with_empty_value_clears_them(
    store: Store, tenant: str, sales: dict
) -> None:
    """remove members with value [] or "" removes all members, as without a value."""
    for empty in ([], ""):
        result = patch(
            store, tenant, sales["group"], {"op": "remove", "path": "members", "value": empty}
        )
        assert "members" not in result


def test_rfc7644_3_5_2_1_add_one_member_object_without_list(
    store: Store, tenant: str, sales: dict
) -> None:
    """add members with a single object (not a list) adds that member."""
    kevin = user(store, tenant, "kmalone")
    result = patch(
        store,
        tenant,
        sales["group"],
        {"op": "add", "path": "members", "value": {"value": kevin["id"]}},
    )
    assert kevin["id"] in [m["value"] for m in result["members"]]
    assert len(result["members"]) == 3


# -- found by the second mutation run ------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "detail"),
    [
        (
            {"op": "add", "value": "x"},
            "Operation 1: without a path, value must be an object of attributes to set, e.g. "
            '{"title": "Manager"}.',
        ),
        (
            {"op": "add", "path": ENTERPRISE, "value": "42"},
            f"Operation 1: the path {ENTERPRISE} takes an object of its attributes, e.g. "
            '{"employeeNumber": "42"}.',
        ),
        (
            {"op": "add", "value": {"favouriteColour": "blue"}},
            "Operation 1: 'favouriteColour' is not an attribute of a User.",
        ),
        (
            {"op": "add", "path": "emails", "value": [{"value": "x@y.z", "colour": "red"}]},
            "Operation 1: 'colour' is not a sub-attribute of emails.",
        ),
        (
            {"op": "replace", "path": 'emails[type eq "work"]', "value": {"colour": "red"}},
            "Operation 1: 'colour' is not a sub-attribute of emails.",
        ),
        (
            {"op": "add", "path": 'emails[type eq "other"]', "value": {"colour": "red"}},
            "Operation 1: 'colour' is not a sub-attribute of emails.",
        ),
    ],
)
def test_rfc7644_3_5_2_error_details_in_full(
    store: Store, tenant: str, pam: dict, operation: dict, detail: str
) -> None:
    """Each refusal names the operation and says what to send instead."""
    assert refused(store, tenant, pam, operation).detail == detail


def test_rfc7644_3_5_2_without_path_extension_first_then_core(
    store: Store, tenant: str, pam: dict
) -> None:
    """A path-less value whose extension object comes first still applies the rest."""
    result = patch(
        store,
        tenant,
        pam,
        {"op": "add", "value": {ENTERPRISE: {"department": "Reception"}, "nickName": "Pammy"}},
    )
    assert result[ENTERPRISE] == {"department": "Reception"}
    assert result["nickName"] == "Pammy"


@pytest.mark.parametrize(
    "path", ["name.middleName", 'emails[type eq "work"].display', "emails.display", ENTERPRISE]
)
def test_rfc7644_3_5_2_2_removing_what_is_not_there_changes_nothing(
    store: Store, tenant: str, pam: dict, path: str
) -> None:
    """Removing a sub-attribute, or an extension, that the user does not have is a no-op
    (RFC 7644 §3.5.2.2: the target is unassigned either way)."""
    pam = patch(store, tenant, pam, {"op": "add", "path": "name", "value": {"givenName": "Pam"}})
    pam = patch(store, tenant, pam, {"op": "remove", "path": "emails.display"})
    assert patch(store, tenant, pam, {"op": "remove", "path": path}) == pam


def test_rfc7644_3_5_2_2_remove_sub_attribute_with_a_value_still_removes(
    store: Store, tenant: str
) -> None:
    """A remove of name.givenName that carries a value removes it; it never sets it."""
    created = user(store, tenant, "ehannon", name={"givenName": "Erin", "familyName": "Hannon"})
    result = patch(
        store, tenant, created, {"op": "remove", "path": "name.givenName", "value": "Kelly"}
    )
    assert result["name"] == {"familyName": "Hannon"}


def test_rfc7644_3_5_2_1_add_values_with_sub_attribute_names_in_any_case(
    store: Store, tenant: str, pam: dict
) -> None:
    """Sub-attribute names in an added value are stored with the schema's spelling."""
    result = patch(
        store,
        tenant,
        pam,
        {"op": "add", "path": "emails", "value": [{"VALUE": "p@x.example", "Type": "other"}]},
    )
    assert result["emails"][-1] == {"value": "p@x.example", "type": "other"}


def test_rfc7644_3_5_2_1_add_through_filter_with_object_creates_the_value(
    store: Store, tenant: str, pam: dict
) -> None:
    """add emails[type eq "other"] with an object creates {type: other, …the object}; a
    primary one takes primary from the others."""
    result = patch(
        store,
        tenant,
        pam,
        {
            "op": "add",
            "path": 'emails[type eq "other"]',
            "value": {"value": "p@o.example", "primary": True},
        },
    )
    assert result["emails"][-1] == {"type": "other", "value": "p@o.example", "primary": True}
    assert result["emails"][0]["primary"] is False


@pytest.mark.parametrize(
    ("path", "selected"),
    [
        ('emails[type eq "home" and value eq "pam@dundermifflin.com"]', []),
        ("emails[primary eq false]", []),
        ("emails[primary eq null]", ["pam@home.example"]),
        ('emails[primary sw "t"]', []),
        ('emails[value sw "zzz"]', []),
        ('emails[value gt "pam@home.example"]', []),
        ('emails[value lt "pam@dundermifflin.com"]', []),
    ],
)
def test_rfc7644_3_4_2_2_value_filter_edges_in_a_path(
    store: Store, tenant: str, pam: dict, path: str, selected: list[str]
) -> None:
    """and needs both; an absent boolean is neither true nor false but null; sw on a
    boolean and gt/lt against the value itself select nothing."""
    if not selected:
        assert refused(store, tenant, pam, {"op": "remove", "path": path}).scim_type == "noTarget"
        return
    result = patch(store, tenant, pam, {"op": "remove", "path": path})
    assert [e["value"] for e in result["emails"]] == [
        e["value"] for e in pam["emails"] if e["value"] not in selected
    ]


def test_rfc7644_3_5_2_value_filter_with_a_sub_sub_attribute_is_invalid_path(
    store: Store, tenant: str, pam: dict
) -> None:
    """emails[value.sub eq "x"] names no sub-attribute of emails: 400 invalidPath."""
    error = refused(store, tenant, pam, {"op": "remove", "path": 'emails[value.sub eq "x"]'})
    assert error.scim_type == "invalidPath"


def test_rfc7644_3_5_2_2_remove_sub_attribute_of_every_value_ignores_a_value(
    store: Store, tenant: str, pam: dict
) -> None:
    """remove emails.display with a value still removes display from every email."""
    result = patch(store, tenant, pam, {"op": "remove", "path": "emails.display", "value": "x"})
    assert all("display" not in e for e in result["emails"])


@pytest.mark.parametrize("path", ["title", f"{ENTERPRISE}:department"])
def test_rfc7644_3_5_2_2_remove_with_a_value_still_removes(
    store: Store, tenant: str, path: str
) -> None:
    """A remove of a simple attribute that carries a value removes it; it never sets it."""
    created = user(store, tenant, "abernard", title="Sales", **{ENTERPRISE: {"department": "S"}})
    result = patch(store, tenant, created, {"op": "remove", "path": path, "value": "other"})
    assert "title" not in result if path == "title" else ENTERPRISE not in result


def test_rfc7644_3_5_2_2_remove_member_display_through_filter(store: Store, tenant: str) -> None:
    """remove members[value eq …].display unsets that member's display (its name shows)."""
    jim = user(store, tenant, "jhalpert")
    sales = store.create(
        tenant, "Group", {"displayName": "Sales", "members": [{"value": jim["id"], "display": "B"}]}
    )
    path = f'members[value eq "{jim["id"]}"].display'
    result = store.patch(tenant, "Group", sales["id"], [{"op": "remove", "path": path}])
    assert result["members"][0]["display"] == "jhalpert"


# -- found by the fourth mutation run ------------------------------------------------------


def test_rfc7644_3_5_2_without_path_extension_value_must_be_an_object(
    store: Store, tenant: str, pam: dict
) -> None:
    """Without a path, an extension's key holds an object of its attributes: a string there
    is 400 invalidValue naming the key."""
    error = refused(store, tenant, pam, {"op": "add", "value": {ENTERPRISE: "Sales"}})
    assert (error.scim_type, error.detail) == (
        "invalidValue",
        f"Operation 1: {ENTERPRISE} must hold an object of its attributes.",
    )


def test_rfc7644_3_12_replace_through_filter_without_match_names_attribute_and_path(
    store: Store, tenant: str, pam: dict
) -> None:
    """replace emails[type eq "other"].value matches nothing: 400 noTarget, detail in full."""
    path = 'emails[type eq "other"].display'
    error = refused(store, tenant, pam, {"op": "replace", "path": path, "value": "x"})
    assert (error.scim_type, error.detail) == (
        "noTarget",
        f"Operation 1: no value of emails matches {path!r}.",
    )


def test_rfc7644_3_5_2_1_add_through_filter_takes_an_object_detail_in_full(
    store: Store, tenant: str, pam: dict
) -> None:
    """add emails[type eq "home"] with a string: 400 invalidValue naming the operation."""
    error = refused(
        store, tenant, pam, {"op": "add", "path": 'emails[type eq "home"]', "value": "x"}
    )
    assert (error.scim_type, error.detail) == (
        "invalidValue",
        "Operation 1: a value of emails is an object of sub-attributes.",
    )


def test_rfc7644_3_5_2_member_details_in_full(store: Store, tenant: str, sales: dict) -> None:
    """The three member refusals, word for word: an immutable value, an add through a filter,
    and display of a member that is not there (RFC 7644 §3.12 noTarget)."""
    jim = sales["jim"]["id"]
    value_path = f'members[value eq "{jim}"].value'
    error = refused(
        store, tenant, sales["group"], {"op": "replace", "path": value_path, "value": "x"}
    )
    assert error.detail == (
        "Operation 1: members.value cannot be changed; remove the member and add the right one."
    )
    add_path = f'members[value eq "{jim}"]'
    error = refused(store, tenant, sales["group"], {"op": "add", "path": add_path, "value": {}})
    assert error.detail == (
        "Operation 1: add does not take a member filter; add members with "
        '{"op": "add", "path": "members", "value": [{"value": id}]}.'
    )
    ghost = 'members[value eq "ghost"].display'
    error = refused(store, tenant, sales["group"], {"op": "replace", "path": ghost, "value": "x"})
    assert error.detail == f"Operation 1: no member matches {ghost!r}."


def test_rfc7644_3_12_remove_member_through_filter_without_match_is_no_target(
    store: Store, tenant: str, sales: dict
) -> None:
    """remove members[value eq "ghost"]: no member matches, 400 noTarget, detail in full."""
    path = 'members[value eq "ghost"]'
    error = refused(store, tenant, sales["group"], {"op": "remove", "path": path})
    assert (error.scim_type, error.detail) == (
        "noTarget",
        f"Operation 1: no member matches {path!r}.",
    )


def test_rfc7644_3_5_2_2_remove_member_display_with_a_value_still_unsets_it(
    store: Store, tenant: str
) -> None:
    """A remove of members[…].display that carries a value unsets the display; it never sets
    it to that value."""
    jim = user(store, tenant, "jhalpert")
    sales = store.create(
        tenant, "Group", {"displayName": "Sales", "members": [{"value": jim["id"], "display": "B"}]}
    )
    path = f'members[value eq "{jim["id"]}"].display'
    op = {"op": "remove", "path": path, "value": "Big Tuna"}
    result = store.patch(tenant, "Group", sales["id"], [op])
    assert result["members"][0]["display"] == "jhalpert"


@pytest.mark.parametrize("empty", [[], ""])
def test_rfc7644_3_5_2_2_remove_members_with_one_empty_value_clears_them(
    store: Store, tenant: str, sales: dict, empty: Any
) -> None:
    """Each empty value on its own ([] and "") removes every member, as no value does."""
    op = {"op": "remove", "path": "members", "value": empty}
    assert "members" not in patch(store, tenant, sales["group"], op)


def test_rfc7644_3_5_2_3_replace_members_with_one_object_without_list(
    store: Store, tenant: str, sales: dict
) -> None:
    """replace members with a single object (not a list): that member alone remains."""
    kevin = user(store, tenant, "kmalone")
    op = {"op": "replace", "path": "members", "value": {"value": kevin["id"]}}
    result = patch(store, tenant, sales["group"], op)
    assert [m["value"] for m in result["members"]] == [kevin["id"]]


@pytest.mark.parametrize(
    ("operation", "scim_type", "detail"),
    [
        (
            {"op": "replace", "path": "favouriteColour", "value": "blue"},
            "invalidPath",
            "Operation 1: 'favouriteColour' is not an attribute of a User (see /Schemas). "
            "Extension attributes take their schema URN as prefix.",
        ),
        (
            {"op": "add", "path": "groups", "value": []},
            "mutability",
            "Operation 1: groups is readOnly and cannot be changed; change membership through "
            "the Group's members.",
        ),
        (
            {"op": "replace", "path": "id", "value": "x"},
            "mutability",
            "Operation 1: id is readOnly and cannot be changed.",
        ),
        (
            {"op": "remove", "path": "userName"},
            "mutability",
            "Operation 1: userName is required for a User and cannot be removed or set to "
            "null; replace it with a new value instead.",
        ),
    ],
)
def test_rfc7644_3_5_2_path_refusals_in_full(
    store: Store, tenant: str, pam: dict, operation: dict, scim_type: str, detail: str
) -> None:
    """An unknown path (400 invalidPath), a readOnly attribute and a required one (400
    mutability, RFC 7644 §3.5.2): each detail word for word; only groups points to members."""
    error = refused(store, tenant, pam, operation)
    assert (error.scim_type, error.detail) == (scim_type, detail)


@pytest.mark.parametrize("path", ["name.givenName", f"{ENTERPRISE}:manager.value"])
def test_rfc7644_3_5_2_2_remove_sub_attribute_of_absent_complex_changes_nothing(
    store: Store, tenant: str, path: str
) -> None:
    """remove of a sub-attribute whose complex attribute is absent: 200, nothing changes."""
    created = user(store, tenant, "tflenderson")
    result = patch(store, tenant, created, {"op": "remove", "path": path})
    assert {k: v for k, v in result.items() if k != "meta"} == {
        k: v for k, v in created.items() if k != "meta"
    }


def test_rfc7644_3_5_2_complex_value_refusals_in_full(store: Store, tenant: str, pam: dict) -> None:
    """replace name with a string: 400 invalidValue listing name's sub-attributes; with an
    unknown sub-attribute: 400 invalidSyntax naming it and the operation."""
    error = refused(store, tenant, pam, {"op": "replace", "path": "name", "value": "Pam"})
    assert (error.scim_type, error.detail) == (
        "invalidValue",
        "Operation 1: name is complex: its value is an object of sub-attributes (formatted, "
        "familyName, givenName, middleName, honorificPrefix, honorificSuffix).",
    )
    error = refused(store, tenant, pam, {"op": "replace", "path": "name", "value": {"colour": 1}})
    assert (error.scim_type, error.detail) == (
        "invalidSyntax",
        "Operation 1: 'colour' is not a sub-attribute of name.",
    )


@pytest.mark.parametrize("op", ["remove", "Remove"])
def test_rfc7644_3_5_2_2_remove_a_whole_complex_attribute(
    store: Store, tenant: str, pam: dict, op: str
) -> None:
    """remove name (in any case of "remove") removes the whole complex attribute."""
    created = user(store, tenant, "kkapoor", name={"givenName": "Kelly", "familyName": "Kapoor"})
    assert "name" not in patch(store, tenant, created, {"op": op, "path": "name"})


def test_rfc7644_3_5_2_3_replace_absent_attribute_with_null_changes_nothing(
    store: Store, tenant: str, pam: dict
) -> None:
    """replace title with null on a user without a title: 200, nothing to remove."""
    result = patch(store, tenant, pam, {"op": "replace", "path": "title", "value": None})
    assert "title" not in result
    assert result["emails"] == pam["emails"]


@pytest.mark.parametrize(
    ("operations", "scim_type", "detail"),
    [
        ([], "invalidValue", 'A PatchOp needs a non-empty "Operations" list (RFC 7644 §3.5.2).'),
        (
            [{"op": "replace", "path": 'title eq "x"', "value": 1}],
            "invalidPath",
            "Operation 1: 'title eq \"x\"' is a filter, not a path; select values with brackets, "
            'e.g. emails[type eq "work"].',
        ),
        (
            [{"op": "replace", "path": "emails[type eq", "value": 1}],
            "invalidPath",
            "Operation 1: the path 'emails[type eq' is not a valid SCIM path (invalid syntax at "
            'column 13). Examples: title, name.familyName, emails[type eq "work"].value, '
            'members[value eq "<id>"].',
        ),
    ],
)
def test_rfc7644_3_5_2_malformed_operations_in_full(
    store: Store, tenant: str, pam: dict, operations: list, scim_type: str, detail: str
) -> None:
    """An empty PatchOp, a filter where a path goes, a path that does not parse: each
    detail word for word (it is what a learner reads)."""
    with pytest.raises(SCIMException) as info:
        store.patch(tenant, "User", pam["id"], operations)
    assert (info.value.scim_type, info.value.detail) == (scim_type, detail)


# -- found by the ninth mutation run -------------------------------------------------------


@pytest.mark.parametrize("op", ["add", "replace"])
def test_ours_add_or_replace_members_with_a_bare_id_names_it(
    store: Store, tenant: str, sales: dict, op: str
) -> None:
    """add or replace members with a bare id string (as a remove may name one): 400
    invalidValue naming that string as a member that is not an object, word for word."""
    kevin = user(store, tenant, "kmalone")
    operation = {"op": op, "path": "members", "value": kevin["id"]}
    error = refused(store, tenant, sales["group"], operation)
    assert (error.scim_type, error.detail) == (
        "invalidValue",
        f'A member must be an object with a "value" id, not {kevin["id"]!r}.',
    )
