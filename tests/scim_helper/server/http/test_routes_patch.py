"""PATCH over HTTP: every form RFC 7644 §3.5.2 names and the ones real clients send."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import ENTERPRISE, PATCH_OP, Api, assert_scim_error


def _patch(api: Api, path: str, *operations: dict[str, Any]) -> Any:
    return api.patch(path, json={"schemas": [PATCH_OP], "Operations": list(operations)})


def _group_of_three(api: Api) -> tuple[list[str], str]:
    ids = [api.create_user(name)["id"] for name in ("mscott", "pbeesly", "rhoward")]
    group = api.create_group("Dunder Mifflin", members=[{"value": i} for i in ids])
    return ids, group["id"]


def _member_ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [m["value"] for m in response.json().get("members", [])]


def test_rfc7644_3_5_2_paths_sub_attributes_value_paths_and_extension_urns(api: Api) -> None:
    """One PATCH with a plain path, a sub-attribute, a valuePath and an extension URN path."""
    user = api.create_user(
        "dschrute",
        emails=[
            {"value": "dwight@dundermifflin.com", "type": "work"},
            {"value": "dwight@schrutefarms.com", "type": "home"},
        ],
    )
    response = _patch(
        api,
        f"/Users/{user['id']}",
        {"op": "replace", "path": "title", "value": "Assistant Regional Manager"},
        {"op": "add", "path": "name.givenName", "value": "Dwight"},
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "d@dm.com"},
        {"op": "add", "path": f"{ENTERPRISE}:department", "value": "Sales"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "Assistant Regional Manager"
    assert body["name"] == {"givenName": "Dwight"}
    assert {e["type"]: e["value"] for e in body["emails"]} == {
        "work": "d@dm.com",
        "home": "dwight@schrutefarms.com",
    }
    assert body[ENTERPRISE] == {"department": "Sales"}
    assert ENTERPRISE in body["schemas"]
    assert response.headers["etag"] == body["meta"]["version"] != user["meta"]["version"]


def test_rfc7644_3_5_2_without_path_the_value_is_a_set_of_attributes(api: Api) -> None:
    """An operation without a path takes its attributes (and extensions by URN) from value."""
    user = api.create_user("kmalone")
    value = {"title": "Accountant", ENTERPRISE: {"employeeNumber": "7"}}
    response = _patch(api, f"/Users/{user['id']}", {"op": "replace", "value": value})
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "Accountant"
    assert response.json()[ENTERPRISE] == {"employeeNumber": "7"}


@pytest.mark.parametrize(("sent", "expected"), [("False", False), ("True", True)])
def test_capitalised_ops_and_boolean_strings_are_accepted(
    api: Api, sent: str, expected: bool
) -> None:
    """ "Replace"/"Add" and "True"/"False" strings, as Entra ID sends them, work."""
    user = api.create_user("omartinez", active=not expected)
    response = _patch(
        api,
        f"/Users/{user['id']}",
        {"op": "Replace", "path": "active", "value": sent},
        {"op": "Add", "path": "nickName", "value": "Oscar"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["active"] is expected
    assert response.json()["nickName"] == "Oscar"
    assert api.get(f"/Users/{user['id']}").json()["active"] is expected


def test_rfc7644_3_5_2_1_add_members_keeps_the_present_ones(api: Api) -> None:
    """add on members appends the new ones and leaves the others."""
    ids, group_id = _group_of_three(api)
    newcomer = api.create_user("cminer")["id"]
    response = _patch(
        api, f"/Groups/{group_id}", {"op": "add", "path": "members", "value": [{"value": newcomer}]}
    )
    assert _member_ids(response) == [*ids, newcomer]


def test_rfc7644_3_5_2_2_remove_member_by_value_filter(api: Api) -> None:
    """The RFC's form, members[value eq "id"], removes that member only."""
    ids, group_id = _group_of_three(api)
    response = _patch(
        api, f"/Groups/{group_id}", {"op": "remove", "path": f'members[value eq "{ids[1]}"]'}
    )
    assert _member_ids(response) == [ids[0], ids[2]]


def test_entra_remove_members_with_a_value_list(api: Api) -> None:
    """Entra ID's form, "Remove" with a list of {"value": id}, removes exactly those."""
    ids, group_id = _group_of_three(api)
    operation = {"op": "Remove", "path": "members", "value": [{"value": ids[0]}, {"value": ids[2]}]}
    assert _member_ids(_patch(api, f"/Groups/{group_id}", operation)) == [ids[1]]


def test_transcript_remove_member_with_a_bare_id(api: Api) -> None:
    """The transcript's form, a bare id string as value, removes only that member."""
    ids, group_id = _group_of_three(api)
    operation = {"op": "remove", "path": "members", "value": ids[0]}
    assert _member_ids(_patch(api, f"/Groups/{group_id}", operation)) == ids[1:]
    assert "groups" not in api.get(f"/Users/{ids[0]}").json()


def test_rfc7644_3_5_2_2_remove_members_without_filter_or_value_clears_them(api: Api) -> None:
    """remove on members with neither filter nor value removes every member."""
    ids, group_id = _group_of_three(api)
    response = _patch(api, f"/Groups/{group_id}", {"op": "remove", "path": "members"})
    assert _member_ids(response) == []
    assert api.get(f"/Groups/{group_id}").json().get("members", []) == []
    assert all("groups" not in api.get(f"/Users/{i}").json() for i in ids)


def test_rfc7644_3_5_2_1_adding_an_unknown_member_is_invalid_value(api: Api) -> None:
    """A member id that names no resource is a 400 invalidValue; the group is unchanged."""
    ids, group_id = _group_of_three(api)
    operation = {"op": "add", "path": "members", "value": [{"value": "no-such-user"}]}
    assert_scim_error(_patch(api, f"/Groups/{group_id}", operation), 400, "invalidValue")
    assert [m["value"] for m in api.get(f"/Groups/{group_id}").json()["members"]] == ids


def test_rfc7644_3_5_2_is_atomic(api: Api) -> None:
    """When one operation fails, none is applied: the resource and its version are unchanged."""
    user = api.create_user("abernard", title="Sales")
    ids, group_id = _group_of_three(api)
    response = _patch(
        api,
        f"/Users/{user['id']}",
        {"op": "replace", "path": "title", "value": "Regional Director in Charge of Sales"},
        {"op": "replace", "path": "favoriteBeet", "value": "Schrute"},
    )
    assert_scim_error(response, 400, "invalidPath")
    after = api.get(f"/Users/{user['id']}").json()
    assert after["title"] == "Sales"
    assert after["meta"]["version"] == user["meta"]["version"]

    group_before = api.get(f"/Groups/{group_id}").json()
    response = _patch(
        api,
        f"/Groups/{group_id}",
        {"op": "remove", "path": "members", "value": ids[0]},
        {"op": "add", "path": "members", "value": [{"value": "no-such-user"}]},
    )
    assert_scim_error(response, 400, "invalidValue")
    assert api.get(f"/Groups/{group_id}").json() == group_before


def test_rfc7644_3_5_2_removing_a_required_attribute_is_mutability(db_api: Api) -> None:
    """Removing userName or displayName, or replacing it with null, is 400 mutability and
    changes nothing (RFC 7644 §3.5.2), on SQLite and PostgreSQL."""
    user = db_api.create_user("mscott", title="Regional Manager")
    group = db_api.create_group("Sales")
    for path, resource, name in (("/Users", user, "userName"), ("/Groups", group, "displayName")):
        location = f"{path}/{resource['id']}"
        for operation in (
            {"op": "remove", "path": name},
            {"op": "replace", "path": name, "value": None},
            {"op": "replace", "value": {name: None}},
        ):
            response = _patch(db_api, location, operation)
            assert_scim_error(response, 400, "mutability")
            assert f"{name} is required" in response.json()["detail"]
        assert db_api.get(location).json() == resource
