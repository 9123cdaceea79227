"""Bulk (RFC 7644 §3.7) through run_bulk and the store's transactions: bulkId references,
failOnErrors, isolation."""

from __future__ import annotations

from typing import Any

from scim_helper.server.bulk import run_bulk
from scim_helper.server.store import Store

from .builders import user


def post(bulk_id: str, rtype: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"method": "POST", "path": f"/{rtype}s", "bulkId": bulk_id, "data": data}


def test_rfc7644_3_7_creates_and_reports_each_operation(store: Store, tenant: str) -> None:
    """Each operation gets a result with method, bulkId, status, id and version."""
    results = run_bulk(
        store,
        tenant,
        [post("u1", "User", {"userName": "a"}), post("u2", "User", {"userName": "b"})],
    )
    assert [(r["method"], r["bulkId"], r["status"]) for r in results] == [
        ("POST", "u1", 201),
        ("POST", "u2", 201),
    ]
    assert all(r["error"] is None and r["version"] for r in results)
    assert store.get(tenant, "User", results[0]["id"])["userName"] == "a"


def test_rfc7644_3_7_2_bulk_id_references_resolve(store: Store, tenant: str) -> None:
    """bulkId:… in members, including a forward reference, becomes the created id."""
    results = run_bulk(
        store,
        tenant,
        [
            post("g", "Group", {"displayName": "Sales", "members": [{"value": "bulkId:u"}]}),
            post("u", "User", {"userName": "dwight"}),
        ],
    )
    assert [r["bulkId"] for r in results] == ["g", "u"]
    sales = store.get(tenant, "Group", results[0]["id"])
    assert [m["value"] for m in sales["members"]] == [results[1]["id"]]


def test_rfc7644_3_7_put_patch_delete_by_bulk_id_path(store: Store, tenant: str) -> None:
    """PATCH, PUT and DELETE reach resources by id or by bulkId in the path."""
    existing = user(store, tenant, "old")
    results = run_bulk(
        store,
        tenant,
        [
            post("u", "User", {"userName": "new"}),
            {
                "method": "PATCH",
                "path": "/Users/bulkId:u",
                "data": {"Operations": [{"op": "add", "path": "title", "value": "T"}]},
            },
            {"method": "PUT", "path": f"/Users/{existing['id']}", "data": {"userName": "old2"}},
            {"method": "DELETE", "path": f"/Users/{existing['id']}"},
        ],
    )
    assert [r["status"] for r in results] == [201, 200, 200, 204]
    assert store.get(tenant, "User", results[0]["id"])["title"] == "T"
    assert store.search(tenant, ["User"])[0] == 1


def test_rfc7644_3_7_without_fail_on_errors_each_op_stands_alone(store: Store, tenant: str) -> None:
    """Without failOnErrors a failing operation leaves the others applied."""
    user(store, tenant, "taken")
    results = run_bulk(
        store,
        tenant,
        [
            post("a", "User", {"userName": "taken"}),
            post("b", "User", {"userName": "fresh"}),
        ],
    )
    assert [r["status"] for r in results] == [409, 201]
    assert results[0]["error"]["scimType"] == "uniqueness"
    assert store.search(tenant, ["User"])[0] == 2


def test_rfc7644_3_7_fail_on_errors_rolls_everything_back(store: Store, tenant: str) -> None:
    """When failOnErrors is reached processing stops and no change is kept."""
    user(store, tenant, "taken")
    results = run_bulk(
        store,
        tenant,
        [
            post("a", "User", {"userName": "first"}),
            post("b", "User", {"userName": "taken"}),
            post("c", "User", {"userName": "never"}),
        ],
        fail_on_errors=1,
    )
    assert [r["bulkId"] for r in results] == ["a", "b"]
    assert results[1]["status"] == 409 and results[1]["error"]["status"] == "409"
    assert store.search(tenant, ["User"])[0] == 1


def test_rfc7644_3_7_fail_on_errors_not_reached_commits(store: Store, tenant: str) -> None:
    """Below the failOnErrors limit the successful operations are committed."""
    user(store, tenant, "taken")
    results = run_bulk(
        store,
        tenant,
        [post("a", "User", {"userName": "taken"}), post("b", "User", {"userName": "ok"})],
        fail_on_errors=2,
    )
    assert [r["status"] for r in results] == [409, 201]
    assert store.search(tenant, ["User"])[0] == 2


def test_rfc7644_3_7_reference_to_failed_operation_fails(store: Store, tenant: str) -> None:
    """A reference to a bulkId whose POST failed is an error, not a dangling member."""
    user(store, tenant, "taken")
    results = run_bulk(
        store,
        tenant,
        [
            post("u", "User", {"userName": "taken"}),
            post("g", "Group", {"displayName": "G", "members": [{"value": "bulkId:u"}]}),
        ],
    )
    assert [r["status"] for r in results] == [409, 409]
    assert store.search(tenant, ["Group"])[0] == 0


def test_rfc7644_3_7_bad_operations_are_reported(store: Store, tenant: str) -> None:
    """Unknown methods, bad paths and missing bulkIds are 400 results, not exceptions."""
    results = run_bulk(
        store,
        tenant,
        [
            {"method": "FETCH", "path": "/Users"},
            {"method": "POST", "path": "/Widgets", "bulkId": "w", "data": {}},
            {"method": "POST", "path": "/Users", "data": {"userName": "x"}},
            {"method": "DELETE", "path": "/Users/does-not-exist"},
        ],
    )
    assert [r["status"] for r in results] == [400, 400, 400, 404]


def test_rfc7644_3_7_bulk_respects_tenants(store: Store) -> None:
    """Bulk cannot change, delete or reference another tenant's resources."""
    _, a = store.mint_token()
    _, b = store.mint_token()
    theirs = user(store, b, "theirs")
    results = run_bulk(
        store,
        a,
        [
            {"method": "DELETE", "path": f"/Users/{theirs['id']}"},
            post("g", "Group", {"displayName": "G", "members": [{"value": theirs["id"]}]}),
        ],
    )
    assert [r["status"] for r in results] == [404, 400]
    assert store.get(b, "User", theirs["id"])["userName"] == "theirs"


def test_rfc7644_3_7_if_match_version_in_bulk(store: Store, tenant: str) -> None:
    """An operation's version acts as If-Match."""
    existing = user(store, tenant, "a")
    results = run_bulk(
        store,
        tenant,
        [
            {
                "method": "PUT",
                "path": f"/Users/{existing['id']}",
                "version": 'W/"999"',
                "data": {"userName": "a"},
            }
        ],
    )
    assert results[0]["status"] == 412
