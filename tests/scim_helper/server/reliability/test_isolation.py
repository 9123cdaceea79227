"""Tenant isolation (issue 5, RFC 7644 §6): no request made with tenant A's token reads or
changes tenant B's data, whatever id, filter or reference it names."""

from __future__ import annotations

from typing import Any

import requests

from .conftest import BULK, GROUP, PATCH_OP, SEARCH, USER, Api, check_error, seed, snapshot


def _leaks(response: requests.Response, secrets: list[str]) -> list[str]:
    """Which of tenant B's ids and values appear in an answer to tenant A (an id that A's
    own request named may be echoed, as in "No User with id '...'")."""
    request = response.request
    body = request.body or b""
    sent = str(request.url) + (body.decode() if isinstance(body, bytes) else str(body))
    return [secret for secret in secrets if secret in response.text and secret not in sent]


def _b_secrets(seeded: dict[str, Any]) -> list[str]:
    ids = [seeded["pam"]["id"], seeded["jim"]["id"], seeded["group"]["id"]]
    return [*ids, "dundermifflin", "Beesly", "Receptionist"]


def test_rfc7644_6_reads_by_id_list_filter_and_search_never_show_other_tenant(
    api: Api, other: Api
) -> None:
    """Tenant A cannot get, list, filter or search its way to tenant B's resources."""
    b = seed(other)
    own = api.create_user("pam-in-a")
    secrets = _b_secrets(b)
    pam, group = b["pam"]["id"], b["group"]["id"]
    answers = [
        api.get(f"/Users/{pam}"),
        api.get(f"/Groups/{group}"),
        api.get(f"/Users/{pam}", headers={"If-None-Match": b["pam"]["meta"]["version"]}),
        api.get("/Users"),
        api.get("/Groups"),
        api.get("/Users", params={"filter": f'id eq "{pam}"'}),
        api.get("/Users", params={"filter": 'userName eq "pam"'}),
        api.get("/Users", params={"filter": 'emails co "dundermifflin"'}),
        api.get("/Users", params={"filter": f'groups.value eq "{group}"'}),
        api.get("/Groups", params={"filter": f'members.value eq "{pam}"'}),
        api.get("/Groups", params={"filter": 'displayName eq "Sales"'}),
        api.post("/.search", json={"schemas": [SEARCH], "filter": "id pr"}),
        api.post("/Users/.search", json={"schemas": [SEARCH], "filter": 'userName sw "p"'}),
        api.post("/Groups/.search", json={"schemas": [SEARCH], "startIndex": 1, "count": 200}),
    ]
    for response in answers:
        assert response.status_code in (200, 404), response.text
        if response.status_code == 404:
            check_error(response, 404)
        else:
            ids = [r["id"] for r in response.json().get("Resources", [])]
            assert set(ids) <= {own["id"]}, response.text
        assert _leaks(response, secrets) == [], response.request.url


def test_rfc7644_6_writes_by_id_never_touch_other_tenant(api: Api, other: Api) -> None:
    """PUT, PATCH and DELETE of tenant B's ids by tenant A are 404 and change nothing of B."""
    b = seed(other)
    before = snapshot(other)
    pam, group = b["pam"]["id"], b["group"]["id"]
    patch = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "title", "value": "x"}],
    }
    answers = [
        api.put(f"/Users/{pam}", json={"schemas": [USER], "userName": "pam"}),
        api.put(f"/Groups/{group}", json={"schemas": [GROUP], "displayName": "Sales"}),
        api.patch(f"/Users/{pam}", json=patch),
        api.patch(
            f"/Groups/{group}",
            json={"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": "members"}]},
        ),
        api.patch(f"/Users/{pam}", json=patch, headers={"If-Match": b["pam"]["meta"]["version"]}),
        api.delete(f"/Users/{pam}"),
        api.delete(f"/Groups/{group}"),
    ]
    for response in answers:
        check_error(response, 404)
        assert _leaks(response, _b_secrets(b)) == []
    assert snapshot(other) == before


def test_rfc7644_6_members_naming_other_tenants_ids_are_refused(api: Api, other: Api) -> None:
    """A group of tenant A cannot take tenant B's users or groups as members."""
    b = seed(other)
    before_b = snapshot(other)
    mine = api.create_group("Scranton")
    before_a = snapshot(api)
    foreign = [{"value": b["pam"]["id"]}, {"value": b["group"]["id"], "type": "Group"}]
    answers = [
        api.post("/Groups", json={"schemas": [GROUP], "displayName": "Stolen", "members": foreign}),
        api.put(
            f"/Groups/{mine['id']}",
            json={"schemas": [GROUP], "displayName": "Scranton", "members": foreign[:1]},
        ),
        api.patch(
            f"/Groups/{mine['id']}",
            json={
                "schemas": [PATCH_OP],
                "Operations": [{"op": "add", "path": "members", "value": foreign[1:]}],
            },
        ),
    ]
    for response in answers:
        assert check_error(response, 400)["scimType"] == "invalidValue"
    assert snapshot(api) == before_a
    assert snapshot(other) == before_b


def test_rfc7644_6_bulk_never_reaches_other_tenant(api: Api, other: Api) -> None:
    """Bulk operations of tenant A on tenant B's ids fail one by one; B is unchanged."""
    b = seed(other)
    before = snapshot(other)
    pam, group = b["pam"]["id"], b["group"]["id"]
    operations = [
        {"method": "PUT", "path": f"/Users/{pam}", "data": {"schemas": [USER], "userName": "pam"}},
        {
            "method": "PATCH",
            "path": f"/Groups/{group}",
            "data": {"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": "members"}]},
        },
        {"method": "DELETE", "path": f"/Users/{b['jim']['id']}"},
        {
            "method": "POST",
            "path": "/Groups",
            "bulkId": "g",
            "data": {"schemas": [GROUP], "displayName": "Stolen", "members": [{"value": pam}]},
        },
        {
            "method": "POST",
            "path": "/Users",
            "bulkId": "u",
            "data": {"schemas": [USER], "userName": "pam"},
        },
    ]
    response = api.post("/Bulk", json={"schemas": [BULK], "Operations": operations})
    assert response.status_code == 200, response.text
    results = response.json()["Operations"]
    assert [r["status"] for r in results] == ["404", "404", "404", "400", "201"]
    for result in results[:4]:
        body = result["response"]
        assert body["status"] == result["status"] and body["detail"]
    assert _leaks(response, _b_secrets(b)) == []
    assert snapshot(other) == before
    assert [u["userName"] for u in snapshot(api)["Users"]] == ["pam"]


def test_rfc7644_6_same_names_in_two_tenants_are_independent(api: Api, other: Api) -> None:
    """Tenant A may use tenant B's userName and displayName; uniqueness is per tenant."""
    b = seed(other)
    before = snapshot(other)
    a = seed(api)
    assert {a[name]["id"] for name in a}.isdisjoint({b[name]["id"] for name in b})
    assert snapshot(other) == before
