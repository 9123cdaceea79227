"""The resource endpoints over HTTP: create, read, replace, patch, delete, query (RFC 7644 §3)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import requests
from scim2_client import Me
from scim2_models import Error, ListResponse, SearchRequest

from tests.fixtures.local import TenantLogin

from .conftest import ENTERPRISE, GROUP, PATCH_OP, USER, Api, HttpxSCIMClient, assert_scim_error

LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
SAMPLES = Path(__file__).parents[3] / "samples"


def _replace(path: str, value: object) -> dict[str, object]:
    return {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": path, "value": value}]}


def test_rfc7644_3_3_create_answers_201_with_location_and_etag(api: Api) -> None:
    """POST /Users answers 201, the resource, a Location and an ETag, as application/scim+json."""
    response = api.post("/Users", json={"schemas": [USER], "userName": "mscott"})
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/scim+json"
    user = response.json()
    assert user["userName"] == "mscott"
    assert user["meta"]["location"] == f"{api.url}/Users/{user['id']}"
    assert response.headers["location"] == user["meta"]["location"]
    assert response.headers["etag"] == user["meta"]["version"]


def test_rfc7644_3_8_application_json_is_accepted(api: Api) -> None:
    """A body sent as application/json (not scim+json) is accepted too."""
    response = api.post(
        "/Groups",
        data=b'{"schemas": ["%s"], "displayName": "Sales"}' % GROUP.encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201, response.text


def test_rfc7644_3_4_1_get_returns_resource_and_etag(api: Api) -> None:
    """GET /Users/{id} returns the resource with its ETag header."""
    user = api.create_user("dschrute")
    response = api.get(f"/Users/{user['id']}")
    assert response.status_code == 200
    assert response.json()["id"] == user["id"]
    assert response.headers["etag"] == response.json()["meta"]["version"]


def test_rfc7644_3_4_1_unknown_id_is_404(api: Api) -> None:
    """GET of an id that does not exist is a SCIM 404."""
    assert_scim_error(api.get("/Users/does-not-exist"), 404)


def test_rfc7644_3_14_if_none_match_current_version_is_304(api: Api) -> None:
    """GET with If-None-Match naming the current version answers 304 Not Modified."""
    user = api.create_user("jhalpert")
    response = api.get(f"/Users/{user['id']}", headers={"If-None-Match": user["meta"]["version"]})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == user["meta"]["version"]


def test_rfc7644_3_14_if_none_match_other_version_is_200(api: Api) -> None:
    """GET with If-None-Match naming another version returns the resource."""
    user = api.create_user("pbeesly")
    response = api.get(f"/Users/{user['id']}", headers={"If-None-Match": 'W/"stale"'})
    assert response.status_code == 200


def test_rfc7644_3_5_1_put_replaces_resource(api: Api) -> None:
    """PUT replaces the resource and answers 200 with it and its new ETag."""
    user = api.create_user("abernard")
    body = {"schemas": [USER], "userName": "abernard", "displayName": "Andy Bernard"}
    response = api.put(f"/Users/{user['id']}", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["displayName"] == "Andy Bernard"
    assert response.headers["etag"] == response.json()["meta"]["version"]


def test_rfc7644_3_14_put_with_stale_if_match_is_412(api: Api) -> None:
    """PUT with an If-Match that is not the current version is refused with 412."""
    user = api.create_user("kmalone")
    api.put(f"/Users/{user['id']}", json={"schemas": [USER], "userName": "kmalone", "title": "A"})
    response = api.put(
        f"/Users/{user['id']}",
        json={"schemas": [USER], "userName": "kmalone", "title": "B"},
        headers={"If-Match": user["meta"]["version"]},
    )
    assert_scim_error(response, 412)
    assert api.get(f"/Users/{user['id']}").json()["title"] == "A"


def test_rfc7644_3_5_2_patch_answers_200_with_resource(api: Api) -> None:
    """PATCH answers 200 with the whole changed resource."""
    user = api.create_user("omartinez")
    body = _replace("title", "CPA")
    response = api.patch(f"/Users/{user['id']}", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "CPA"
    assert response.json()["userName"] == "omartinez"
    assert response.headers["etag"] == response.json()["meta"]["version"]


def test_rfc7644_3_5_2_patch_without_patchop_schema_is_invalid_syntax(api: Api) -> None:
    """A PATCH body that is not a PatchOp message is a 400 invalidSyntax."""
    user = api.create_user("amartin")
    response = api.patch(f"/Users/{user['id']}", json={"Operations": []})
    assert_scim_error(response, 400, "invalidSyntax")


def test_rfc7644_3_14_patch_with_stale_if_match_is_412(api: Api) -> None:
    """PATCH with a stale If-Match is refused with 412 and changes nothing."""
    user = api.create_user("tflenderson")
    body = _replace("title", "HR")
    response = api.patch(f"/Users/{user['id']}", json=body, headers={"If-Match": 'W/"stale"'})
    assert_scim_error(response, 412)
    assert "title" not in api.get(f"/Users/{user['id']}").json()


def test_rfc7644_3_6_delete_answers_204_then_404(api: Api) -> None:
    """DELETE answers 204 with no body; the resource is gone afterwards."""
    user = api.create_user("rhoward")
    response = api.delete(f"/Users/{user['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert_scim_error(api.get(f"/Users/{user['id']}"), 404)


def test_rfc7644_3_14_delete_with_stale_if_match_is_412(api: Api) -> None:
    """DELETE with a stale If-Match is refused with 412 and the resource stays."""
    user = api.create_user("cbratton")
    assert_scim_error(api.delete(f"/Users/{user['id']}", headers={"If-Match": 'W/"x"'}), 412)
    assert api.get(f"/Users/{user['id']}").status_code == 200


def test_rfc7644_3_4_2_list_is_a_list_response(api: Api) -> None:
    """GET /Users answers a ListResponse with totalResults, startIndex, itemsPerPage, Resources."""
    api.create_user("user1")
    body = api.get("/Users").json()
    assert body["schemas"] == [LIST_RESPONSE]
    assert body["totalResults"] == 1
    assert body["startIndex"] == 1
    assert body["itemsPerPage"] == 1
    assert body["Resources"][0]["meta"]["location"].startswith(f"{api.url}/Users/")


def test_rfc7644_3_4_2_2_filter_selects_resources(api: Api) -> None:
    """The filter parameter selects the matching resources."""
    api.create_user("match")
    api.create_user("other")
    body = api.get("/Users", params={"filter": 'userName eq "match"'}).json()
    assert [user["userName"] for user in body["Resources"]] == ["match"]
    assert body["totalResults"] == 1


def test_rfc7644_3_4_2_4_paging_uses_start_index_and_count(api: Api) -> None:
    """startIndex (1-based) and count select one page; totalResults counts them all."""
    for n in range(5):
        api.create_user(f"page{n}")
    body = api.get("/Users", params={"startIndex": 2, "count": 2}).json()
    assert body["totalResults"] == 5
    assert body["startIndex"] == 2
    assert body["itemsPerPage"] == 2
    assert [user["userName"] for user in body["Resources"]] == ["page1", "page2"]


def test_rfc7644_3_4_2_4_count_zero_returns_only_the_total(api: Api) -> None:
    """count=0 returns totalResults and an empty Resources list."""
    api.create_user("counted")
    body = api.get("/Users", params={"count": 0}).json()
    assert body["totalResults"] == 1
    assert body["Resources"] == []


def test_rfc7644_3_4_2_4_non_integer_count_is_invalid_value(api: Api) -> None:
    """count that is not an integer is a 400 invalidValue."""
    assert_scim_error(api.get("/Users", params={"count": "ten"}), 400, "invalidValue")


def test_rfc7644_3_4_2_4_non_integer_start_index_is_invalid_value(api: Api) -> None:
    """startIndex that is not an integer is a 400 invalidValue."""
    assert_scim_error(api.get("/Users", params={"startIndex": "1.5"}), 400, "invalidValue")


def test_rfc7644_3_4_2_3_sort_by_and_sort_order(api: Api) -> None:
    """sortBy with sortOrder=descending returns the resources in reverse order."""
    for name in ("bravo", "alpha", "charlie"):
        api.create_user(name)
    body = api.get("/Users", params={"sortBy": "userName", "sortOrder": "descending"}).json()
    assert [user["userName"] for user in body["Resources"]] == ["charlie", "bravo", "alpha"]


def test_rfc7644_3_4_2_3_unknown_sort_order_is_invalid_value(api: Api) -> None:
    """A sortOrder other than ascending or descending is a 400 invalidValue."""
    response = api.get("/Users", params={"sortBy": "userName", "sortOrder": "sideways"})
    assert_scim_error(response, 400, "invalidValue")


def test_rfc7644_3_4_3_search_on_one_endpoint(api: Api) -> None:
    """POST /Users/.search takes a SearchRequest and answers a ListResponse."""
    api.create_user("searched")
    api.create_user("ignored")
    body = {"schemas": [SEARCH_REQUEST], "filter": 'userName sw "sea"', "count": 10}
    response = api.post("/Users/.search", json=body)
    assert response.status_code == 200, response.text
    assert [user["userName"] for user in response.json()["Resources"]] == ["searched"]


def test_rfc7644_3_4_3_search_at_the_root_spans_resource_types(api: Api) -> None:
    """POST /.search returns Users and Groups alike."""
    api.create_user("root-user")
    api.create_group("Root Group")
    response = api.post("/.search", json={"schemas": [SEARCH_REQUEST]})
    assert response.status_code == 200, response.text
    types = sorted(r["meta"]["resourceType"] for r in response.json()["Resources"])
    assert types == ["Group", "User"]


def test_rfc7644_3_4_2_1_query_at_the_root_spans_resource_types(api: Api) -> None:
    """GET / with a filter searches Users and Groups together, paged, each resource with its
    own schemas and meta.resourceType; the base URL without its final slash answers too."""
    user = api.create_user("root-user")
    group = api.create_group("Root Group")
    api.create_user("someone-else")
    both = 'userName eq "root-user" or displayName eq "Root Group"'
    for path in ("/", ""):
        response = api.get(path, params={"filter": both})
        assert response.status_code == 200, response.text
        assert response.history == []  # answered, not redirected
        body = response.json()
        assert body["schemas"] == [LIST_RESPONSE]
        assert body["totalResults"] == 2
        found = {(r["id"], r["meta"]["resourceType"], r["schemas"][0]) for r in body["Resources"]}
        assert found == {(user["id"], "User", USER), (group["id"], "Group", GROUP)}
    page = api.get("/", params={"filter": both, "startIndex": 2, "count": 1}).json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (2, 2, 1)
    assert api.get("/").json()["totalResults"] == 3
    one = api.get("/", params={"filter": 'userName eq "root-user"'}).json()
    assert [r["id"] for r in one["Resources"]] == [user["id"]]
    assert_scim_error(api.get("/", params={"filter": "beet pr"}), 400, "invalidFilter")


def test_rfc7644_3_4_2_1_scim2_client_queries_the_root(fresh_tenant: TenantLogin) -> None:
    """scim2-client's query() without a resource type (GET /) and search() (POST /.search)
    read our answers as ListResponses of Users and Groups."""
    with httpx.Client(base_url=fresh_tenant.url, headers=fresh_tenant.headers) as http:
        http.post("/Users", json={"schemas": [USER], "userName": "pbeesly"})
        http.post("/Groups", json={"schemas": [GROUP], "displayName": "Reception"})
        client = HttpxSCIMClient(http)
        client.discover()
        queried = client.query(None, query_parameters=SearchRequest(filter='userName eq "pbeesly"'))
        assert isinstance(queried, ListResponse)
        assert [type(r).__name__ for r in queried.resources or []] == ["User[EnterpriseUser]"]
        searched = client.search(SearchRequest(filter='displayName eq "Reception"'))
        assert isinstance(searched, ListResponse)
        assert [type(r).__name__ for r in searched.resources or []] == ["Group"]
        me = client.query(Me, raise_scim_errors=False)
        assert isinstance(me, Error) and me.status == 501


def test_rfc7644_3_11_me_is_not_implemented(api: Api) -> None:
    """Every method on /Me and below answers 501 with a SCIM Error saying why."""
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        for path in ("/Me", "/Me/", "/Me/anything", "/Me/.search"):
            response = api.request(method, path, json={"schemas": [USER], "userName": "me"})
            assert_scim_error(response, 501)
            assert "/Me" in response.json()["detail"]
            assert "does not map a bearer token to a User" in response.json()["detail"]
    assert api.request("HEAD", "/Me").status_code == 501
    assert requests.get(f"{api.url}/Me", timeout=30).status_code == 401  # the token comes first


def test_rfc7644_3_4_2_4_start_index_and_count_beyond_any_integer(db_api: Api) -> None:
    """A startIndex past every result, however large, is an empty page; a count past
    filter.maxResults is maxResults; below 1 and below 0 are 1 and 0. Never a 5xx."""
    db_api.create_user("first")
    db_api.create_user("second")
    huge = 99999999999999999999
    search = {"schemas": [SEARCH_REQUEST]}
    for start in (huge, 2**63, 2**63 - 1):
        for answer in (
            db_api.get("/Users", params={"startIndex": str(start), "count": str(huge)}),
            db_api.get("/", params={"startIndex": str(start)}),
            db_api.post("/.search", json={**search, "startIndex": start, "count": huge}),
            db_api.post("/Users/.search", json={**search, "startIndex": start}),
        ):
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert (body["totalResults"], body["startIndex"], body["Resources"]) == (2, start, [])
    for answer in (
        db_api.get("/Users", params={"startIndex": str(-huge), "count": str(huge)}),
        db_api.post("/Users/.search", json={**search, "startIndex": -huge, "count": huge}),
    ):
        body = answer.json()
        assert (body["startIndex"], body["itemsPerPage"]) == (1, 2), body
    for answer in (
        db_api.get("/Users", params={"count": str(-huge)}),
        db_api.post("/Users/.search", json={**search, "count": -huge}),
    ):
        assert (answer.json()["totalResults"], answer.json()["Resources"]) == (2, [])


def test_rfc7644_3_4_3_search_without_schema_is_invalid_syntax(api: Api) -> None:
    """A search body without the SearchRequest schema is a 400 invalidSyntax."""
    assert_scim_error(api.post("/.search", json={"filter": "userName pr"}), 400, "invalidSyntax")


def test_rfc7644_3_4_3_search_with_string_count_is_invalid_value(api: Api) -> None:
    """A SearchRequest whose count is not an integer is a 400 invalidValue."""
    body = {"schemas": [SEARCH_REQUEST], "count": "5"}
    assert_scim_error(api.post("/Users/.search", json=body), 400, "invalidValue")


def test_rfc7644_3_4_3_get_on_search_is_405(api: Api) -> None:
    """GET /Users/.search is refused with 405: searching takes a POST."""
    assert_scim_error(api.get("/Users/.search"), 405)


def test_rfc7643_4_2_members_and_groups_carry_ref(api: Api) -> None:
    """Group members and User.groups carry a $ref to the resource they name."""
    user = api.create_user("linked")
    group = api.create_group("Linked", members=[{"value": user["id"]}])
    member = group["members"][0]
    assert member["$ref"] == f"{api.url}/Users/{user['id']}"
    groups = api.get(f"/Users/{user['id']}").json()["groups"]
    assert groups[0]["$ref"] == f"{api.url}/Groups/{group['id']}"


def test_rfc7643_8_2_every_core_and_enterprise_attribute_round_trips(api: Api) -> None:
    """The RFC's full User, plus entitlements, roles and password, comes back as sent.

    The server assigns id and meta, computes groups and manager.$ref, drops the read-only
    manager.displayName, and never returns the password (RFC 7643 §4.1, §4.3).
    """
    sent = json.loads((SAMPLES / "rfc7643-8.2-full-user.json").read_text())
    for server_assigned in ("id", "meta", "groups"):
        del sent[server_assigned]
    sent["entitlements"] = [{"value": "paper-sales", "type": "sales"}]
    sent["roles"] = [{"value": "manager", "primary": True}]
    sent["password"] = "t1meMa$heen"
    response = api.post("/Users", json=sent)
    assert response.status_code == 201, response.text
    created = response.json()
    assert set(created) == (set(sent) - {"password"}) | {"id", "meta"}
    expected = {k: v for k, v in sent.items() if k != "password"}
    manager = expected[ENTERPRISE]["manager"]
    del manager["displayName"]
    manager["$ref"] = f"{api.url}/Users/{manager['value']}"
    assert {k: created[k] for k in expected} == expected
    read = api.get(f"/Users/{created['id']}").json()
    assert read == created
