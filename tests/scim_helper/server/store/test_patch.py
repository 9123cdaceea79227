"""PATCH (RFC 7644 §3.5.2) through Store.patch: every form real clients send, atomically."""

from __future__ import annotations

from typing import Any

import pytest
from scim2_models import InvalidValueException, MutabilityException, SCIMException

from scim_helper.server.store import Store

from .builders import ENTERPRISE, group, user


def patch(store: Store, tenant: str, resource: dict, *ops: dict[str, Any]) -> dict[str, Any]:
    rtype = resource["meta"]["resourceType"]
    return store.patch(tenant, rtype, resource["id"], list(ops))


def member_ids(doc: dict[str, Any]) -> list[str]:
    return [m["value"] for m in doc.get("members", [])]


@pytest.fixture
def michael(store: Store, tenant: str) -> dict[str, Any]:
    return user(
        store,
        tenant,
        "mscott",
        title="Regional Manager",
        name={"givenName": "Michael", "familyName": "Scott"},
        emails=[
            {"value": "michael@dundermifflin.com", "type": "work", "primary": True},
            {"value": "mike@home.example", "type": "home"},
        ],
        **{ENTERPRISE: {"department": "Management"}},
    )


# -- add ---------------------------------------------------------------------------------


def test_rfc7644_3_5_2_1_add_simple_attribute(store: Store, tenant: str, michael: dict) -> None:
    """add with a path sets a single-valued attribute."""
    assert (
        patch(store, tenant, michael, {"op": "add", "path": "nickName", "value": "Mike"})[
            "nickName"
        ]
        == "Mike"
    )


def test_rfc7644_3_5_2_1_add_without_path_merges(store: Store, tenant: str, michael: dict) -> None:
    """add without a path sets each attribute of the value, extensions by URN."""
    result = patch(
        store,
        tenant,
        michael,
        {
            "op": "add",
            "value": {
                "nickName": "Mike",
                "name": {"middleName": "Gary"},
                ENTERPRISE: {"division": "Scranton"},
            },
        },
    )
    assert result["nickName"] == "Mike"
    assert result["name"] == {"givenName": "Michael", "familyName": "Scott", "middleName": "Gary"}
    assert result[ENTERPRISE] == {"department": "Management", "division": "Scranton"}


def test_rfc7644_3_5_2_1_add_to_multi_valued_appends(
    store: Store, tenant: str, michael: dict
) -> None:
    """add on a multi-valued attribute appends; a primary true clears the others."""
    result = patch(
        store,
        tenant,
        michael,
        {"op": "add", "path": "emails", "value": [{"value": "m@x.example", "primary": True}]},
    )
    assert [e["value"] for e in result["emails"]][-1] == "m@x.example"
    assert [e.get("primary") for e in result["emails"]] == [False, None, True]


def test_rfc7644_3_5_2_1_add_through_value_path_creates_value(store: Store, tenant: str) -> None:
    """add to emails[type eq "work"].value creates the work email when none exists (Entra)."""
    created = user(store, tenant, "pam")
    result = patch(
        store,
        tenant,
        created,
        {"op": "add", "path": 'emails[type eq "work"].value', "value": "pam@dm.example"},
    )
    assert result["emails"] == [{"type": "work", "value": "pam@dm.example"}]


def test_rfc7644_3_5_2_1_add_same_value_changes_nothing(
    store: Store, tenant: str, michael: dict
) -> None:
    """Adding a value already there changes neither version nor lastModified."""
    result = patch(
        store, tenant, michael, {"op": "add", "path": "title", "value": "Regional Manager"}
    )
    assert result["meta"] == michael["meta"]


# -- replace -----------------------------------------------------------------------------


def test_rfc7644_3_5_2_3_replace_with_path(store: Store, tenant: str, michael: dict) -> None:
    """replace with a path changes the attribute and moves the version on."""
    result = patch(store, tenant, michael, {"op": "replace", "path": "title", "value": "Boss"})
    assert result["title"] == "Boss"
    assert result["meta"]["version"] != michael["meta"]["version"]
    assert store.get(tenant, "User", michael["id"])["title"] == "Boss"


def test_rfc7644_3_5_2_3_replace_capitalised_op_and_boolean_string(
    store: Store, tenant: str, michael: dict
) -> None:
    """ "Replace" with the value "False" deactivates the user (Entra ID sends this)."""
    result = patch(store, tenant, michael, {"op": "Replace", "path": "active", "value": "False"})
    assert result["active"] is False


def test_rfc7644_3_5_2_3_replace_without_path(store: Store, tenant: str, michael: dict) -> None:
    """replace without a path sets each attribute given, leaving the others alone."""
    result = patch(
        store,
        tenant,
        michael,
        {"op": "replace", "value": {"active": "True", "name": {"familyName": "Scarn"}}},
    )
    assert result["active"] is True
    assert result["name"] == {"givenName": "Michael", "familyName": "Scarn"}


def test_rfc7644_3_5_2_3_replace_sub_attribute(store: Store, tenant: str, michael: dict) -> None:
    """replace of name.familyName changes only that sub-attribute."""
    result = patch(
        store, tenant, michael, {"op": "replace", "path": "name.familyName", "value": "Scarn"}
    )
    assert result["name"] == {"givenName": "Michael", "familyName": "Scarn"}


def test_rfc7644_3_5_2_3_replace_value_path_sub_attribute(
    store: Store, tenant: str, michael: dict
) -> None:
    """replace of emails[type eq "work"].value changes only the work email."""
    result = patch(
        store,
        tenant,
        michael,
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "boss@dm.example"},
    )
    assert [e["value"] for e in result["emails"]] == ["boss@dm.example", "mike@home.example"]
    assert store.search(tenant, ["User"], filter='emails.value eq "boss@dm.example"')[0] == 1


def test_rfc7644_3_5_2_3_replace_sub_attribute_of_every_value(
    store: Store, tenant: str, michael: dict
) -> None:
    """replace of emails.value without a filter replaces the value of every email."""
    result = patch(
        store, tenant, michael, {"op": "replace", "path": "emails.value", "value": "one@x.example"}
    )
    assert [e["value"] for e in result["emails"]] == ["one@x.example", "one@x.example"]


def test_rfc7644_3_5_2_3_replace_whole_multi_valued(
    store: Store, tenant: str, michael: dict
) -> None:
    """replace of emails with a list replaces all emails."""
    result = patch(
        store, tenant, michael, {"op": "replace", "path": "emails", "value": [{"value": "a@b.c"}]}
    )
    assert result["emails"] == [{"value": "a@b.c"}]


def test_rfc7644_3_5_2_3_replace_value_path_without_match_is_no_target(
    store: Store, tenant: str, michael: dict
) -> None:
    """replace through a filter that matches nothing is 400 noTarget."""
    with pytest.raises(SCIMException) as info:
        patch(
            store,
            tenant,
            michael,
            {"op": "replace", "path": 'emails[type eq "other"].value', "value": "x@y.z"},
        )
    assert info.value.scim_type == "noTarget"


def test_rfc7644_3_5_2_3_replace_extension_attribute_by_urn_path(
    store: Store, tenant: str, michael: dict
) -> None:
    """A path qualified by the enterprise URN reaches the extension attribute."""
    result = patch(
        store,
        tenant,
        michael,
        {"op": "replace", "path": f"{ENTERPRISE}:department", "value": "Sales"},
        {"op": "add", "path": f"{ENTERPRISE}:manager.value", "value": "boss-id"},
    )
    assert result[ENTERPRISE] == {"department": "Sales", "manager": {"value": "boss-id"}}


def test_rfc7644_3_5_2_3_replace_extension_keyed_by_urn_without_path(
    store: Store, tenant: str, michael: dict
) -> None:
    """Without a path, "urn:…:User:department" keys and URN objects both work (Entra)."""
    result = patch(
        store,
        tenant,
        michael,
        {"op": "replace", "value": {f"{ENTERPRISE}:department": "Sales"}},
    )
    assert result[ENTERPRISE]["department"] == "Sales"


def test_rfc7644_3_5_2_1_add_by_extension_urn_path_merges(
    store: Store, tenant: str, michael: dict
) -> None:
    """add with the extension URN as path adds its attributes and keeps the others."""
    result = patch(
        store, tenant, michael, {"op": "add", "path": ENTERPRISE, "value": {"employeeNumber": "42"}}
    )
    assert result[ENTERPRISE] == {"department": "Management", "employeeNumber": "42"}
    assert store.get(tenant, "User", michael["id"]) == result


def test_rfc7644_3_5_2_1_add_by_extension_urn_path_assigns_the_extension(
    store: Store, tenant: str
) -> None:
    """add with the extension URN as path on a user without it adds it and its schema."""
    toby = user(store, tenant, "tflenderson")
    result = patch(
        store, tenant, toby, {"op": "add", "path": ENTERPRISE, "value": {"division": "HR"}}
    )
    assert result[ENTERPRISE] == {"division": "HR"}
    assert ENTERPRISE in result["schemas"]


def test_rfc7644_3_5_2_3_replace_by_extension_urn_path_leaves_others_unchanged(
    store: Store, tenant: str, michael: dict
) -> None:
    """replace with the extension URN as path replaces the given attributes only."""
    value = {"schemas": [ENTERPRISE], "department": "Sales", "manager": {"value": "boss-id"}}
    result = patch(store, tenant, michael, {"op": "replace", "path": ENTERPRISE, "value": value})
    assert result[ENTERPRISE] == {"department": "Sales", "manager": {"value": "boss-id"}}
    result = patch(
        store, tenant, michael, {"op": "replace", "path": ENTERPRISE, "value": {"division": "X"}}
    )
    assert result[ENTERPRISE] == {
        "department": "Sales",
        "manager": {"value": "boss-id"},
        "division": "X",
    }


# -- remove ------------------------------------------------------------------------------


def test_rfc7644_3_5_2_2_remove_attribute(store: Store, tenant: str, michael: dict) -> None:
    """remove with a path unassigns the attribute."""
    assert "title" not in patch(store, tenant, michael, {"op": "Remove", "path": "title"})


def test_rfc7644_3_5_2_2_remove_value_path(store: Store, tenant: str, michael: dict) -> None:
    """remove with a value filter removes only the matching values."""
    result = patch(store, tenant, michael, {"op": "remove", "path": 'emails[type eq "home"]'})
    assert [e["type"] for e in result["emails"]] == ["work"]


def test_rfc7644_3_5_2_2_remove_without_path_is_no_target(
    store: Store, tenant: str, michael: dict
) -> None:
    """remove without a path is 400 noTarget."""
    with pytest.raises(SCIMException) as info:
        patch(store, tenant, michael, {"op": "remove"})
    assert info.value.scim_type == "noTarget"


def test_rfc7644_3_5_2_2_remove_extension_attribute(
    store: Store, tenant: str, michael: dict
) -> None:
    """Removing the last extension attribute drops the extension and its schema."""
    result = patch(store, tenant, michael, {"op": "remove", "path": f"{ENTERPRISE}:department"})
    assert ENTERPRISE not in result and ENTERPRISE not in result["schemas"]


def test_rfc7644_3_5_2_2_remove_by_extension_urn_path(
    store: Store, tenant: str, michael: dict
) -> None:
    """remove with the extension URN as path removes the extension and its schema."""
    result = patch(store, tenant, michael, {"op": "remove", "path": ENTERPRISE})
    assert ENTERPRISE not in result and ENTERPRISE not in result["schemas"]
    assert store.get(tenant, "User", michael["id"]) == result


# -- members -----------------------------------------------------------------------------


@pytest.fixture
def staff(store: Store, tenant: str) -> dict[str, Any]:
    a, b, c = (user(store, tenant, n) for n in ("dwight", "jim", "pam"))
    return {"a": a, "b": b, "c": c, "group": group(store, tenant, "Sales", a, b)}


def test_rfc7644_3_5_2_1_add_member(store: Store, tenant: str, staff: dict) -> None:
    """add to members adds the user; its groups show the group."""
    result = patch(
        store,
        tenant,
        staff["group"],
        {"op": "add", "path": "members", "value": [{"value": staff["c"]["id"]}]},
    )
    assert member_ids(result) == [staff["a"]["id"], staff["b"]["id"], staff["c"]["id"]]
    assert store.get(tenant, "User", staff["c"]["id"])["groups"][0]["value"] == staff["group"]["id"]


def test_rfc7644_3_5_2_1_add_unknown_member_is_invalid_value(
    store: Store, tenant: str, staff: dict
) -> None:
    """Adding an id that does not exist is 400 invalidValue."""
    with pytest.raises(SCIMException) as info:
        patch(
            store,
            tenant,
            staff["group"],
            {"op": "add", "path": "members", "value": [{"value": "ghost"}]},
        )
    assert info.value.scim_type == "invalidValue"


def test_rfc7644_3_5_2_2_remove_member_by_value_filter(
    store: Store, tenant: str, staff: dict
) -> None:
    """remove members[value eq "id"] removes just that member."""
    result = patch(
        store,
        tenant,
        staff["group"],
        {"op": "remove", "path": f'members[value eq "{staff["a"]["id"]}"]'},
    )
    assert member_ids(result) == [staff["b"]["id"]]


def test_rfc7644_3_5_2_2_remove_member_filter_without_match_is_no_target(
    store: Store, tenant: str, staff: dict
) -> None:
    """A member filter that matches nobody is 400 noTarget."""
    with pytest.raises(SCIMException) as info:
        patch(
            store,
            tenant,
            staff["group"],
            {"op": "remove", "path": f'members[value eq "{staff["c"]["id"]}"]'},
        )
    assert info.value.scim_type == "noTarget"


def test_entra_remove_members_with_value_list(store: Store, tenant: str, staff: dict) -> None:
    """Entra ID's remove with a value list removes only the listed members."""
    result = patch(
        store,
        tenant,
        staff["group"],
        {"op": "Remove", "path": "members", "value": [{"value": staff["b"]["id"]}]},
    )
    assert member_ids(result) == [staff["a"]["id"]]


def test_transcript_remove_member_with_bare_id(store: Store, tenant: str, staff: dict) -> None:
    """The transcript's remove with a bare id string removes only that member."""
    result = patch(
        store,
        tenant,
        staff["group"],
        {"op": "remove", "path": "members", "value": staff["a"]["id"]},
    )
    assert member_ids(result) == [staff["b"]["id"]]


def test_rfc7644_3_5_2_2_remove_members_without_value_clears(
    store: Store, tenant: str, staff: dict
) -> None:
    """remove on members with neither filter nor value removes every member."""
    result = patch(store, tenant, staff["group"], {"op": "remove", "path": "members"})
    assert "members" not in result
    assert "groups" not in store.get(tenant, "User", staff["a"]["id"])


def test_rfc7644_3_5_2_3_replace_members(store: Store, tenant: str, staff: dict) -> None:
    """replace on members sets exactly the given members."""
    result = patch(
        store,
        tenant,
        staff["group"],
        {"op": "replace", "path": "members", "value": [{"value": staff["c"]["id"]}]},
    )
    assert member_ids(result) == [staff["c"]["id"]]


def test_rfc7644_3_5_2_replace_display_name_and_members_without_path(
    store: Store, tenant: str, staff: dict
) -> None:
    """replace without a path may rename the group and set members together."""
    result = patch(
        store,
        tenant,
        staff["group"],
        {
            "op": "replace",
            "value": {"displayName": "Sales Team", "members": [{"value": staff["b"]["id"]}]},
        },
    )
    assert result["displayName"] == "Sales Team"
    assert member_ids(result) == [staff["b"]["id"]]


def test_rfc7644_3_5_2_1_add_member_keeps_sent_display(
    store: Store, tenant: str, staff: dict
) -> None:
    """add to members keeps the display the client sent (readWrite, RFC 7643 §4.2)."""
    c = staff["c"]["id"]
    value = [{"value": c, "type": "User", "display": "Pam B."}]
    result = patch(store, tenant, staff["group"], {"op": "add", "path": "members", "value": value})
    assert result["members"][-1] == {"value": c, "display": "Pam B.", "type": "User"}
    assert result["members"][0]["display"] == "dwight"
    assert store.get(tenant, "Group", staff["group"]["id"]) == result


def test_rfc7644_3_5_2_1_add_present_member_with_display_updates_it(
    store: Store, tenant: str, staff: dict
) -> None:
    """add naming a present member with a display changes that display, and the version."""
    a = staff["a"]["id"]
    value = [{"value": a, "display": "Dwight K. Schrute"}]
    result = patch(store, tenant, staff["group"], {"op": "add", "path": "members", "value": value})
    assert result["members"][0]["display"] == "Dwight K. Schrute"
    assert result["meta"]["version"] != staff["group"]["meta"]["version"]
    again = patch(store, tenant, result, {"op": "add", "path": "members", "value": [{"value": a}]})
    assert again == result


def test_rfc7644_3_5_2_3_replace_members_takes_sent_display(
    store: Store, tenant: str, staff: dict
) -> None:
    """replace on members sets each member's display to the one sent, or its own name."""
    a, c = staff["a"]["id"], staff["c"]["id"]
    value = [{"value": a, "display": "D."}, {"value": c}]
    result = patch(
        store, tenant, staff["group"], {"op": "replace", "path": "members", "value": value}
    )
    assert [m["display"] for m in result["members"]] == ["D.", "pam"]
    value = [{"value": a}, {"value": c, "display": "P."}]
    result = patch(store, tenant, result, {"op": "replace", "path": "members", "value": value})
    assert [m["display"] for m in result["members"]] == ["dwight", "P."]


def test_rfc7644_3_5_2_2_remove_member_by_sent_display(
    store: Store, tenant: str, staff: dict
) -> None:
    """A member filter on display matches the display the client sent."""
    value = [{"value": staff["c"]["id"], "display": "Pam B."}]
    patch(store, tenant, staff["group"], {"op": "add", "path": "members", "value": value})
    result = patch(
        store, tenant, staff["group"], {"op": "remove", "path": 'members[display eq "pam b."]'}
    )
    assert member_ids(result) == [staff["a"]["id"], staff["b"]["id"]]


def test_rfc7644_3_5_2_3_replace_member_display_by_value_path(
    store: Store, tenant: str, staff: dict
) -> None:
    """members[value eq "id"].display is readWrite: replace sets it, remove unsets it."""
    path = f'members[value eq "{staff["b"]["id"]}"].display'
    result = patch(store, tenant, staff["group"], {"op": "replace", "path": path, "value": "Jim"})
    assert [m["display"] for m in result["members"]] == ["dwight", "Jim"]
    assert result["meta"]["version"] != staff["group"]["meta"]["version"]
    result = patch(store, tenant, result, {"op": "remove", "path": path})
    assert [m["display"] for m in result["members"]] == ["dwight", "jim"]


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    [
        ({"op": "replace", "path": 'members[value eq "ghost"].display', "value": "x"}, "noTarget"),
        ({"op": "replace", "path": "members.display", "value": 7}, "invalidValue"),
        ({"op": "replace", "path": "members.value", "value": "x"}, "mutability"),
    ],
)
def test_rfc7644_3_5_2_member_sub_attribute_errors(
    store: Store, tenant: str, staff: dict, operation: dict, scim_type: str
) -> None:
    """Only a member's display can be changed in place, and only on members that exist."""
    with pytest.raises(SCIMException) as info:
        patch(store, tenant, staff["group"], operation)
    assert info.value.scim_type == scim_type
    assert store.get(tenant, "Group", staff["group"]["id"]) == staff["group"]


@pytest.mark.parametrize("display", [None, "Sent by the client"])
def test_member_add_cost_does_not_grow_with_group_size(
    store: Store, tenant: str, display: str | None
) -> None:
    """Adding a member, with or without a display, writes one row: the list is never rewritten."""
    from sqlalchemy import event

    users = [user(store, tenant, f"u{i}") for i in range(60)]
    big = group(store, tenant, "Big", *users[:50])
    statements: list[str] = []
    member = {"value": users[55]["id"]} | ({"display": display} if display else {})

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        patch(
            store,
            tenant,
            big,
            {"op": "add", "path": "members", "value": [member]},
        )
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "DELETE"))]
    assert len(writes) == 1
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE MEMBERSHIPS")]


# -- errors and atomicity ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    [
        ({"op": "replace", "path": "id", "value": "x"}, "mutability"),
        ({"op": "replace", "path": "meta.created", "value": "x"}, "mutability"),
        ({"op": "add", "path": "groups", "value": [{"value": "g"}]}, "mutability"),
        ({"op": "replace", "path": "favouriteColour", "value": "x"}, "invalidPath"),
        ({"op": "replace", "path": "emails[type eq", "value": "x"}, "invalidPath"),
        ({"op": "replace", "path": "name.nonsense", "value": "x"}, "invalidPath"),
        ({"op": "replace", "path": "active", "value": "maybe"}, "invalidValue"),
        ({"op": "replace", "path": "emails", "value": "not-a-list"}, "invalidValue"),
        ({"op": "replace", "path": "userName", "value": 12}, "invalidValue"),
        ({"op": "remove", "path": "userName"}, "mutability"),
        ({"op": "replace", "path": "userName", "value": ""}, "invalidValue"),
        ({"op": "frobnicate", "path": "title", "value": "x"}, "invalidSyntax"),
        ({"op": "add", "value": {"unknownThing": 1}}, "invalidSyntax"),
        ({"op": "add", "path": ENTERPRISE, "value": "42"}, "invalidValue"),
        ({"op": "replace", "path": ENTERPRISE, "value": {"nonsense": 1}}, "invalidSyntax"),
    ],
)
def test_rfc7644_3_5_2_errors(
    store: Store, tenant: str, michael: dict, operation: dict, scim_type: str
) -> None:
    """Bad paths, readOnly targets and wrong values each get their scimType."""
    with pytest.raises(SCIMException) as info:
        patch(store, tenant, michael, operation)
    assert info.value.scim_type == scim_type
    assert store.get(tenant, "User", michael["id"]) == michael


@pytest.mark.parametrize(
    ("rtype", "operation"),
    [
        ("User", {"op": "remove", "path": "userName"}),
        ("User", {"op": "Remove", "path": "USERNAME"}),
        ("User", {"op": "remove", "path": "urn:ietf:params:scim:schemas:core:2.0:User:userName"}),
        ("User", {"op": "replace", "path": "userName", "value": None}),
        ("User", {"op": "replace", "value": {"userName": None}}),
        ("Group", {"op": "remove", "path": "displayName"}),
        ("Group", {"op": "replace", "path": "displayName", "value": None}),
        ("Group", {"op": "replace", "value": {"displayName": None, "members": []}}),
    ],
)
def test_rfc7644_3_5_2_removing_a_required_attribute_is_mutability(
    store: Store, tenant: str, rtype: str, operation: dict
) -> None:
    """A PATCH that removes a required attribute, or sets it to null, is 400 mutability
    (RFC 7644 §3.5.2: "removed or becomes unassigned ... required ... mutability")."""
    resource = user(store, tenant, "mscott") if rtype == "User" else group(store, tenant, "Sales")
    with pytest.raises(SCIMException) as info:
        patch(store, tenant, resource, operation)
    assert info.value.scim_type == "mutability"
    assert "required" in info.value.detail
    assert store.get(tenant, rtype, resource["id"]) == resource


def test_rfc7644_3_5_2_patch_is_atomic(store: Store, tenant: str, michael: dict) -> None:
    """A failing second operation leaves the first unapplied in the stored data."""
    with pytest.raises(MutabilityException):
        patch(
            store,
            tenant,
            michael,
            {"op": "replace", "path": "title", "value": "Changed"},
            {"op": "replace", "path": "id", "value": "nope"},
        )
    assert store.get(tenant, "User", michael["id"]) == michael


def test_rfc7644_3_5_2_member_patch_is_atomic(store: Store, tenant: str, staff: dict) -> None:
    """Members added before a failing operation are not kept."""
    with pytest.raises(InvalidValueException):
        patch(
            store,
            tenant,
            staff["group"],
            {"op": "add", "path": "members", "value": [{"value": staff["c"]["id"]}]},
            {"op": "add", "path": "members", "value": [{"value": "ghost"}]},
        )
    assert store.get(tenant, "Group", staff["group"]["id"]) == staff["group"]
    assert "groups" not in store.get(tenant, "User", staff["c"]["id"])


def test_rfc7644_3_5_2_rename_to_taken_user_name_is_409(
    store: Store, tenant: str, michael: dict
) -> None:
    """A PATCH onto another user's userName is a uniqueness conflict."""
    user(store, tenant, "dwight")
    from scim2_models import ConflictException

    with pytest.raises(ConflictException):
        patch(store, tenant, michael, {"op": "replace", "path": "userName", "value": "Dwight"})
