"""Group members at their edges (RFC 7643 §4.2, RFC 7644 §3.5.2; issue 18): member types,
displays, the versions of the members whose ``groups`` change, and no-op changes."""

from __future__ import annotations

from typing import Any

import pytest
from scim2_models import SCIMException

from scim_helper.server.store import Store

from .builders import group, user


def patch_group(store: Store, tenant: str, g: dict, *ops: dict[str, Any]) -> dict[str, Any]:
    return store.patch(tenant, "Group", g["id"], list(ops))


def refused(store: Store, tenant: str, g: dict, *ops: dict[str, Any]) -> SCIMException:
    with pytest.raises(SCIMException) as info:
        patch_group(store, tenant, g, *ops)
    assert store.get(tenant, "Group", g["id"]) == g
    return info.value


@pytest.fixture
def office(store: Store, tenant: str) -> dict[str, Any]:
    jim = user(store, tenant, "jhalpert", displayName="Jim Halpert")
    pam = user(store, tenant, "pbeesly")
    sales = group(store, tenant, "Sales", jim)
    return {"jim": jim, "pam": pam, "sales": sales}


def displays(doc: dict[str, Any]) -> dict[str, str | None]:
    return {m["value"]: m.get("display") for m in doc.get("members", [])}


def test_rfc7643_4_1_adding_a_member_moves_the_members_version_on(
    store: Store, tenant: str, office: dict
) -> None:
    """A new member's User.groups changes, so its version and lastModified move on; a
    member left alone keeps its own."""
    jim_before = store.get(tenant, "User", office["jim"]["id"])
    patch_group(
        store,
        tenant,
        office["sales"],
        {"op": "add", "path": "members", "value": [{"value": office["pam"]["id"]}]},
    )
    pam = store.get(tenant, "User", office["pam"]["id"])
    assert pam["meta"]["version"] != office["pam"]["meta"]["version"]
    assert pam["groups"][0]["value"] == office["sales"]["id"]
    assert store.get(tenant, "User", office["jim"]["id"])["meta"] == jim_before["meta"]


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "remove", "path": "members"},
        {"op": "replace", "path": "members", "value": []},
    ],
)
def test_rfc7643_4_1_removing_a_member_moves_the_members_version_on(
    store: Store, tenant: str, office: dict, operation: dict
) -> None:
    """A member removed (or replaced away) loses the group and its version moves on."""
    patch_group(store, tenant, office["sales"], operation)
    jim = store.get(tenant, "User", office["jim"]["id"])
    assert "groups" not in jim
    assert jim["meta"]["version"] != office["jim"]["meta"]["version"]


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "remove", "path": "members", "value": [{"value": "not-a-member"}]},
        {"op": "add", "path": "members", "value": []},
    ],
)
def test_rfc7644_3_5_2_member_changes_that_change_nothing_keep_the_version(
    store: Store, tenant: str, office: dict, operation: dict
) -> None:
    """Removing an id that is no member, or adding no one, changes no version (RFC 7644
    §3.5.2.1: a PATCH that changes nothing does not change the modify timestamp)."""
    result = patch_group(store, tenant, office["sales"], operation)
    assert result["meta"] == office["sales"]["meta"]


def test_rfc7644_3_5_2_clear_of_an_empty_group_changes_nothing(store: Store, tenant: str) -> None:
    """Removing all members of a group that has none keeps its version."""
    empty = group(store, tenant, "Empty")
    assert patch_group(store, tenant, empty, {"op": "remove", "path": "members"}) == empty


def test_rfc7643_4_2_member_type_must_match(store: Store, tenant: str, office: dict) -> None:
    """A member sent with type "Group" that is a User is 400 invalidValue naming both."""
    jim = office["pam"]["id"]
    error = refused(
        store,
        tenant,
        office["sales"],
        {"op": "add", "path": "members", "value": [{"value": jim, "type": "Group"}]},
    )
    assert error.scim_type == "invalidValue"
    assert error.detail == f"'{jim}' is a User, not a Group: fix its type."


def test_rfc7643_4_2_member_type_that_matches_is_accepted(
    store: Store, tenant: str, office: dict
) -> None:
    """A member sent with its right type is added, and a group can hold a group."""
    board = group(store, tenant, "Board")
    result = patch_group(
        store,
        tenant,
        office["sales"],
        {
            "op": "add",
            "path": "members",
            "value": [
                {"value": office["pam"]["id"], "type": "User"},
                {"value": board["id"], "type": "Group"},
            ],
        },
    )
    types = {m["value"]: m["type"] for m in result["members"]}
    assert types == {office["jim"]["id"]: "User", office["pam"]["id"]: "User", board["id"]: "Group"}


def test_rfc7643_4_2_a_group_cannot_be_its_own_member(
    store: Store, tenant: str, office: dict
) -> None:
    """Adding a group to itself is 400 invalidValue."""
    sales = office["sales"]
    error = refused(
        store, tenant, sales, {"op": "add", "path": "members", "value": [{"value": sales["id"]}]}
    )
    assert error.detail == "A group cannot be a member of itself."


def test_rfc7644_3_5_2_1_unknown_member_detail(store: Store, tenant: str, office: dict) -> None:
    """An unknown member id is 400 invalidValue that says to create it first."""
    error = refused(
        store,
        tenant,
        office["sales"],
        {"op": "add", "path": "members", "value": [{"value": "ghost"}]},
    )
    assert error.detail == (
        "No User or Group with id 'ghost' in your tenant: a member must be an existing "
        "resource (400 invalidValue). Create it first, then add it."
    )


def test_rfc7644_3_5_2_1_add_present_member_without_display_keeps_its_display(
    store: Store, tenant: str, office: dict
) -> None:
    """Adding a present member again without display leaves its sent display alone."""
    jim = office["jim"]["id"]
    sales = patch_group(
        store,
        tenant,
        office["sales"],
        {"op": "add", "path": "members", "value": [{"value": jim, "display": "Big Tuna"}]},
    )
    result = patch_group(
        store, tenant, sales, {"op": "add", "path": "members", "value": [{"value": jim}]}
    )
    assert displays(result) == {jim: "Big Tuna"}
    assert result["meta"] == sales["meta"]


def test_rfc7644_3_5_2_1_add_the_same_member_twice_in_one_list(
    store: Store, tenant: str, office: dict
) -> None:
    """A member named twice in one add is added once."""
    pam = office["pam"]["id"]
    result = patch_group(
        store,
        tenant,
        office["sales"],
        {"op": "add", "path": "members", "value": [{"value": pam}, {"value": pam}]},
    )
    assert [m["value"] for m in result["members"]].count(pam) == 1


def test_rfc7644_3_5_2_3_replace_members_resets_displays_not_sent(
    store: Store, tenant: str, office: dict
) -> None:
    """replace of members replaces the values: a kept member sent without display shows its
    own name again; one sent with a display shows that."""
    jim, pam = office["jim"]["id"], office["pam"]["id"]
    sales = patch_group(
        store,
        tenant,
        office["sales"],
        {"op": "add", "path": "members", "value": [{"value": jim, "display": "Big Tuna"}]},
    )
    result = patch_group(
        store,
        tenant,
        sales,
        {
            "op": "replace",
            "path": "members",
            "value": [{"value": jim}, {"value": pam, "display": "Pam B"}],
        },
    )
    assert displays(result) == {jim: "Jim Halpert", pam: "Pam B"}


def test_rfc7644_3_5_2_3_replace_display_of_every_member_and_remove_it(
    store: Store, tenant: str, office: dict
) -> None:
    """members.display without a filter sets every member's display; remove unsets it."""
    jim, pam = office["jim"]["id"], office["pam"]["id"]
    sales = patch_group(
        store, tenant, office["sales"], {"op": "add", "path": "members", "value": [{"value": pam}]}
    )
    named = patch_group(
        store, tenant, sales, {"op": "replace", "path": "members.display", "value": "Sales rep"}
    )
    assert displays(named) == {jim: "Sales rep", pam: "Sales rep"}
    assert store.search(tenant, ["Group"], filter='members.display eq "SALES REP"')[0] == 1
    cleared = patch_group(store, tenant, named, {"op": "remove", "path": "members.display"})
    assert displays(cleared) == {jim: "Jim Halpert", pam: "pbeesly"}


def test_rfc7644_3_5_2_2_remove_member_by_display_filter_any_case(
    store: Store, tenant: str, office: dict
) -> None:
    """members[display eq "JIM HALPERT"] selects Jim by the name shown, without case."""
    result = patch_group(
        store,
        tenant,
        office["sales"],
        {"op": "remove", "path": 'members[display eq "JIM HALPERT"]'},
    )
    assert "members" not in result


def test_rfc7644_3_5_2_member_of_another_tenant_is_unknown(store: Store, office: dict) -> None:
    """An id from another tenant is as unknown as one that does not exist."""
    _, other = store.mint_token()
    theirs = group(store, other, "Theirs")
    with pytest.raises(SCIMException) as info:
        store.patch(
            other,
            "Group",
            theirs["id"],
            [{"op": "add", "path": "members", "value": [{"value": office["pam"]["id"]}]}],
        )
    assert info.value.scim_type == "invalidValue"


# -- found by the mutation run of session 3 (issue 18) ------------------------------------


def test_rfc7644_3_5_2_2_member_filter_selects_only_this_groups_members(
    store: Store, tenant: str, office: dict
) -> None:
    """members[value eq "<pam>"] on Sales, where Pam is a member of another group only,
    selects nothing: a remove is then 400 noTarget (RFC 7644 §3.5.2.2) and nothing changes."""
    group(store, tenant, "Reception", office["pam"])
    path = f'members[value eq "{office["pam"]["id"]}"]'
    error = refused(store, tenant, office["sales"], {"op": "remove", "path": path})
    assert (error.status, error.scim_type) == (400, "noTarget")


def test_rfc7644_3_5_2_2_member_filter_by_value_and_type(
    store: Store, tenant: str, office: dict
) -> None:
    """members[value eq …] and members[type eq "Group"] select the matching members only."""
    jim, pam = office["jim"]["id"], office["pam"]["id"]
    inner = group(store, tenant, "Inner")
    sales = patch_group(
        store,
        tenant,
        office["sales"],
        {"op": "add", "path": "members", "value": [{"value": pam}, {"value": inner["id"]}]},
    )
    assert set(displays(sales)) == {jim, pam, inner["id"]}
    no_groups = patch_group(
        store, tenant, sales, {"op": "remove", "path": 'members[type eq "Group"]'}
    )
    assert set(displays(no_groups)) == {jim, pam}
    only_jim = patch_group(
        store, tenant, no_groups, {"op": "remove", "path": f'members[value eq "{pam}"]'}
    )
    assert set(displays(only_jim)) == {jim}
    shown = patch_group(
        store,
        tenant,
        only_jim,
        {"op": "replace", "path": f'members[value eq "{jim}"].display', "value": "Big Tuna"},
    )
    assert displays(shown) == {jim: "Big Tuna"}


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": "members.display", "value": "Big Tuna"},
        {"op": "add", "path": "members", "value": [{"value": "<jim>", "display": "Big Tuna"}]},
        {"op": "replace", "path": "members", "value": [{"value": "<jim>", "display": "Big Tuna"}]},
    ],
)
def test_rfc7644_3_5_2_a_display_only_change_moves_the_groups_version_alone(
    store: Store, tenant: str, office: dict, operation: dict
) -> None:
    """A member's new display changes the group (its version and lastModified move on,
    RFC 7644 §3.14), not the member: User.groups does not show that display."""
    jim = office["jim"]["id"]
    op = {**operation}
    if isinstance(op["value"], list):
        op["value"] = [{**v, "value": jim} for v in op["value"]]
    before = store.get(tenant, "User", jim)
    result = patch_group(store, tenant, office["sales"], op)
    assert displays(result) == {jim: "Big Tuna"}
    assert result["meta"]["version"] == 'W/"2"'
    assert store.get(tenant, "Group", office["sales"]["id"]) == result
    assert store.get(tenant, "User", jim) == before


@pytest.fixture
def two_groups(store: Store, tenant: str, office: dict) -> dict[str, Any]:
    """Jim in Sales and in Reception; Pam in Reception only."""
    reception = group(store, tenant, "Reception", office["jim"], office["pam"])
    sales = store.get(tenant, "Group", office["sales"]["id"])
    return {**office, "sales": sales, "reception": reception}


def _reads(store: Store, tenant: str, *docs: dict[str, Any]) -> list[dict[str, Any]]:
    return [store.get(tenant, d["meta"]["resourceType"], d["id"]) for d in docs]


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "remove", "path": "members", "value": [{"value": "<jim>"}]},
        {"op": "remove", "path": 'members[value eq "<jim>"]'},
        {"op": "replace", "path": "members", "value": []},
        {"op": "replace", "path": 'members[value eq "<jim>"].display', "value": "Big Tuna"},
    ],
)
def test_rfc7644_3_5_2_member_changes_stay_in_their_group(
    store: Store, tenant: str, two_groups: dict, operation: dict
) -> None:
    """Removing Jim from Sales, replacing Sales' members, or renaming Jim's display there
    leaves his membership of Reception, its display and Reception's version alone."""
    jim = two_groups["jim"]["id"]
    op = {k: v.replace("<jim>", jim) if isinstance(v, str) else v for k, v in operation.items()}
    if isinstance(op.get("value"), list):
        op["value"] = [{"value": jim}] if op["value"] else []
    reception = two_groups["reception"]
    patch_group(store, tenant, two_groups["sales"], op)
    assert store.get(tenant, "Group", reception["id"]) == reception


def test_rfc7644_3_5_2_removing_a_member_of_another_group_changes_nothing(
    store: Store, tenant: str, two_groups: dict
) -> None:
    """Removing Pam from Sales, whose member she is not, changes no version: not Sales', not
    Pam's (RFC 7644 §3.5.2.1: no change, no new modify timestamp)."""
    sales, pam = _reads(store, tenant, two_groups["sales"], two_groups["pam"])
    result = patch_group(
        store, tenant, sales, {"op": "remove", "path": "members", "value": [{"value": pam["id"]}]}
    )
    assert result == sales
    assert _reads(store, tenant, pam) == [pam]


@pytest.mark.parametrize("kept", ["nobody", "a newcomer only"])
def test_rfc7643_4_1_replacing_members_moves_every_changed_version_on(
    store: Store, tenant: str, office: dict, kept: str
) -> None:
    """A replace of members that only removes (or only removes and adds) moves on the
    version of the group, of each member that left and of each that joined; read right
    before the PATCH, not at creation (joining Sales already moved Jim's on)."""
    sales, jim, pam = _reads(store, tenant, office["sales"], office["jim"], office["pam"])
    value = [] if kept == "nobody" else [{"value": pam["id"]}]
    result = patch_group(store, tenant, sales, {"op": "replace", "path": "members", "value": value})
    after_jim, after_pam = _reads(store, tenant, jim, pam)
    assert (sales["meta"]["version"], result["meta"]["version"]) == ('W/"1"', 'W/"2"')
    assert after_jim["meta"]["version"] != jim["meta"]["version"]
    assert "groups" not in after_jim
    moved = after_pam["meta"]["version"] != pam["meta"]["version"]
    assert moved == (kept != "nobody")
