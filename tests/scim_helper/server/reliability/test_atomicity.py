"""Atomicity (issue 5, RFC 7644 §3.5.2 and §3.7.3): a PATCH whose last operation fails, and a
Bulk request that reaches ``failOnErrors``, leave no partial change behind."""

from __future__ import annotations

from typing import Any

from .conftest import BULK, GROUP, PATCH_OP, USER, Api, check_error, seed, snapshot


def _patch(api: Api, path: str, *operations: dict[str, Any]) -> Any:
    return api.patch(path, json={"schemas": [PATCH_OP], "Operations": list(operations)})


def test_rfc7644_3_5_2_user_patch_failing_last_changes_nothing(api: Api) -> None:
    """Four good operations then a bad one: the user is exactly as before, version included."""
    pam = seed(api)["pam"]
    before = snapshot(api)
    response = _patch(
        api,
        f"/Users/{pam['id']}",
        {"op": "replace", "path": "title", "value": "Office Administrator"},
        {"op": "add", "path": "emails", "value": [{"value": "pam@home.example", "type": "home"}]},
        {"op": "replace", "path": "name.givenName", "value": "Pamela"},
        {"op": "remove", "path": 'emails[type eq "work"]'},
        {"op": "replace", "path": "active", "value": "perhaps"},
    )
    assert check_error(response, 400)["scimType"] == "invalidValue"
    assert snapshot(api) == before


def test_rfc7644_3_5_2_patch_ending_in_a_taken_username_changes_nothing(api: Api) -> None:
    """A PATCH whose last operation takes another user's userName is a 409 and applies nothing."""
    pam = seed(api)["pam"]
    before = snapshot(api)
    response = _patch(
        api,
        f"/Users/{pam['id']}",
        {"op": "replace", "path": "title", "value": "Sales"},
        {"op": "replace", "path": "userName", "value": "JIM"},
    )
    assert check_error(response, 409)["scimType"] == "uniqueness"
    assert snapshot(api) == before


def test_rfc7644_3_5_2_group_patch_failing_last_keeps_members(api: Api) -> None:
    """Members added and removed before an unknown member id fails are all rolled back."""
    seeded = seed(api)
    dwight = api.create_user("dwight")
    before = snapshot(api)
    response = _patch(
        api,
        f"/Groups/{seeded['group']['id']}",
        {"op": "add", "path": "members", "value": [{"value": dwight["id"]}]},
        {"op": "remove", "path": f'members[value eq "{seeded["pam"]["id"]}"]'},
        {"op": "replace", "path": "displayName", "value": "Sales Team"},
        {"op": "add", "path": "members", "value": [{"value": "no-such-user"}]},
    )
    assert check_error(response, 400)["scimType"] == "invalidValue"
    assert snapshot(api) == before


def test_rfc7644_3_7_3_fail_on_errors_bulk_leaves_nothing_behind(api: Api) -> None:
    """A Bulk with failOnErrors 1 whose fifth operation fails undoes the four before it."""
    seeded = seed(api)
    before = snapshot(api)
    operations = [
        {
            "method": "POST",
            "path": "/Users",
            "bulkId": "kev",
            "data": {"schemas": [USER], "userName": "kevin"},
        },
        {
            "method": "POST",
            "path": "/Groups",
            "bulkId": "acc",
            "data": {
                "schemas": [GROUP],
                "displayName": "Accounting",
                "members": [{"value": "bulkId:kev"}],
            },
        },
        {
            "method": "PATCH",
            "path": f"/Users/{seeded['pam']['id']}",
            "data": {
                "schemas": [PATCH_OP],
                "Operations": [{"op": "replace", "path": "title", "value": "Sales"}],
            },
        },
        {"method": "DELETE", "path": f"/Users/{seeded['jim']['id']}"},
        {
            "method": "POST",
            "path": "/Users",
            "bulkId": "dup",
            "data": {"schemas": [USER], "userName": "PAM"},
        },
        {
            "method": "POST",
            "path": "/Users",
            "bulkId": "late",
            "data": {"schemas": [USER], "userName": "oscar"},
        },
    ]
    response = api.post(
        "/Bulk", json={"schemas": [BULK], "failOnErrors": 1, "Operations": operations}
    )
    assert response.status_code == 200, response.text
    statuses = [result["status"] for result in response.json()["Operations"]]
    assert "409" in statuses
    assert snapshot(api) == before


def test_rfc7644_3_7_3_fail_on_errors_two_rolls_back_at_the_second_error(api: Api) -> None:
    """With failOnErrors 2, the second error undoes everything, the first included."""
    seed(api)
    before = snapshot(api)
    operations = [
        {"method": "POST", "path": "/Users", "data": {"schemas": [USER], "userName": "angela"}},
        {"method": "DELETE", "path": "/Users/no-such-user"},
        {
            "method": "POST",
            "path": "/Groups",
            "data": {"schemas": [GROUP], "displayName": "Party Planning"},
        },
        {
            "method": "PUT",
            "path": "/Groups/no-such-group",
            "data": {"schemas": [GROUP], "displayName": "x"},
        },
        {"method": "POST", "path": "/Users", "data": {"schemas": [USER], "userName": "meredith"}},
    ]
    response = api.post(
        "/Bulk", json={"schemas": [BULK], "failOnErrors": 2, "Operations": operations}
    )
    assert response.status_code == 200, response.text
    assert snapshot(api) == before
