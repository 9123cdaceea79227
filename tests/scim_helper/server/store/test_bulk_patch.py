"""PATCH operations arriving through Bulk (RFC 7644 §3.7), which skip the PATCH route's checks.

Each Bulk PATCH must get the same rules, and the same SCIM errors, as PATCH /Users/{id}.
"""

from __future__ import annotations

from typing import Any

import pytest

from scim_helper.server.bulk import run_bulk
from scim_helper.server.store import Store

from .builders import group, user


def bulk_patch(rid: str, data: Any, rtype: str = "User", **extra: Any) -> dict[str, Any]:
    return {"method": "PATCH", "path": f"/{rtype}s/{rid}", "data": data, **extra}


def ops(*operations: dict[str, Any]) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [*operations],
    }


@pytest.mark.parametrize(
    "data",
    [
        ops({"op": "replace", "path": "title", "value": "Manager"}),
        {"operations": [{"op": "replace", "path": "title", "value": "Manager"}]},
        {"OPERATIONS": [{"op": "replace", "path": "title", "value": "Manager"}]},
        [{"op": "replace", "path": "title", "value": "Manager"}],
    ],
)
def test_rfc7644_3_7_patch_data_forms(store: Store, tenant: str, data: Any) -> None:
    """A Bulk PATCH's data is a PatchOp; "Operations" in any case, or the bare list, work."""
    created = user(store, tenant, "mscott")
    (result,) = run_bulk(store, tenant, [bulk_patch(created["id"], data)])
    assert result["status"] == 200
    assert result["version"] != created["meta"]["version"]
    assert store.get(tenant, "User", created["id"])["title"] == "Manager"


@pytest.mark.parametrize(
    ("operation", "scim_type", "detail"),
    [
        ({"op": "remove", "path": "userName"}, "mutability", "userName is required for a User"),
        ({"op": "replace", "path": "id", "value": "x"}, "mutability", "id is readOnly"),
        ({"op": "add", "path": "groups", "value": []}, "mutability", "groups is readOnly"),
        ({"op": "remove"}, "noTarget", "a remove needs a path"),
        ({"op": "replace", "path": "emails[type eq", "value": 1}, "invalidPath", "not a valid"),
        ({"op": "replace", "path": 'emails[type eq "x"].value', "value": "y"}, "noTarget", ""),
        ({"op": "replace", "path": "active", "value": "maybe"}, "invalidValue", ""),
    ],
)
def test_rfc7644_3_7_3_patch_errors_are_the_routes_errors(
    store: Store, tenant: str, operation: dict[str, Any], scim_type: str, detail: str
) -> None:
    """A Bulk PATCH that breaks a PATCH rule gets that operation's 400 with the same scimType,
    and changes nothing; the next operation still runs (no failOnErrors)."""
    created = user(store, tenant, "mscott")
    results = run_bulk(
        store,
        tenant,
        [
            bulk_patch(created["id"], ops(operation)),
            bulk_patch(created["id"], ops({"op": "add", "path": "nickName", "value": "M"})),
        ],
    )
    assert [r["status"] for r in results] == [400, 200]
    error = results[0]["error"]
    assert (error["status"], error["scimType"]) == ("400", scim_type)
    assert detail in error["detail"]
    after = store.get(tenant, "User", created["id"])
    assert after["userName"] == "mscott"
    assert after["nickName"] == "M"


@pytest.mark.parametrize("data", [ops(), {"schemas": []}, "replace", None])
def test_rfc7644_3_7_3_patch_without_operations_is_invalid_value(
    store: Store, tenant: str, data: Any
) -> None:
    """A Bulk PATCH with no operations is a 400 invalidValue result, not a server error."""
    created = user(store, tenant, "mscott")
    (result,) = run_bulk(store, tenant, [bulk_patch(created["id"], data)])
    assert result["status"] == 400
    assert result["error"]["scimType"] == "invalidValue"
    assert store.get(tenant, "User", created["id"]) == created


def test_rfc7644_3_7_2_patch_adds_a_member_created_in_the_same_request(
    store: Store, tenant: str
) -> None:
    """A Bulk PATCH may add a member by the bulkId of a User created earlier in the request."""
    sales = group(store, tenant, "Sales")
    results = run_bulk(
        store,
        tenant,
        [
            {
                "method": "POST",
                "path": "/Users",
                "bulkId": "andy",
                "data": {"userName": "abernard"},
            },
            bulk_patch(
                sales["id"],
                ops({"op": "add", "path": "members", "value": [{"value": "bulkId:andy"}]}),
                rtype="Group",
            ),
        ],
    )
    assert [r["status"] for r in results] == [201, 200]
    members = store.get(tenant, "Group", sales["id"])["members"]
    assert [m["value"] for m in members] == [results[0]["id"]]


def test_rfc7644_3_7_patch_remove_member_by_filter_and_a_stale_version(
    store: Store, tenant: str
) -> None:
    """A Bulk PATCH removes a member by the RFC filter; one with a stale version is 412."""
    jim = user(store, tenant, "jhalpert")
    sales = group(store, tenant, "Sales", jim)
    remove = ops({"op": "remove", "path": f'members[value eq "{jim["id"]}"]'})
    results = run_bulk(
        store,
        tenant,
        [
            bulk_patch(sales["id"], remove, rtype="Group", version='W/"999"'),
            bulk_patch(sales["id"], remove, rtype="Group", version=sales["meta"]["version"]),
        ],
    )
    assert [r["status"] for r in results] == [412, 200]
    assert "members" not in store.get(tenant, "Group", sales["id"])
    assert "groups" not in store.get(tenant, "User", jim["id"])


def test_rfc7644_3_7_patch_with_fail_on_errors_rolls_back_earlier_patches(
    store: Store, tenant: str
) -> None:
    """With failOnErrors 1, a failing PATCH undoes the PATCH before it (all or nothing)."""
    created = user(store, tenant, "mscott")
    results = run_bulk(
        store,
        tenant,
        [
            bulk_patch(created["id"], ops({"op": "replace", "path": "title", "value": "Boss"})),
            bulk_patch(created["id"], ops({"op": "remove", "path": "userName"})),
        ],
        fail_on_errors=1,
    )
    assert results[-1]["status"] == 400
    assert store.get(tenant, "User", created["id"]) == created
