"""POST /Bulk: a BulkRequest answered by a BulkResponse (RFC 7644 §3.7)."""

from __future__ import annotations

from .conftest import GROUP, USER, Api, assert_scim_error

BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"


def test_rfc7644_3_7_bulk_creates_and_answers_locations(api: Api) -> None:
    """Each operation's result has its bulkId, status as a string, version and location."""
    body = {
        "schemas": [BULK_REQUEST],
        "Operations": [
            {
                "method": "POST",
                "path": "/Users",
                "bulkId": "u1",
                "data": {"schemas": [USER], "userName": "bulk1"},
            },
            {
                "method": "POST",
                "path": "/Groups",
                "bulkId": "g1",
                "data": {
                    "schemas": [GROUP],
                    "displayName": "Bulk",
                    "members": [{"type": "User", "value": "bulkId:u1"}],
                },
            },
        ],
    }
    response = api.post("/Bulk", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/scim+json"
    result = response.json()
    assert result["schemas"] == [BULK_RESPONSE]
    user, group = result["Operations"]
    assert (user["bulkId"], user["status"]) == ("u1", "201")
    assert user["location"].startswith(f"{api.url}/Users/")
    assert group["location"].startswith(f"{api.url}/Groups/")
    assert (
        api.get(group["location"].removeprefix(api.url)).json()["members"][0]["value"]
        == (user["location"].rsplit("/", 1)[1])
    )


def test_rfc7644_3_7_3_failed_operation_carries_a_scim_error(api: Api) -> None:
    """An operation that fails has its status and a SCIM Error as its response."""
    api.create_user("taken")
    body = {
        "schemas": [BULK_REQUEST],
        "Operations": [
            {
                "method": "POST",
                "path": "/Users",
                "bulkId": "dup",
                "data": {"schemas": [USER], "userName": "taken"},
            }
        ],
    }
    (result,) = api.post("/Bulk", json=body).json()["Operations"]
    assert result["status"] == "409"
    assert result["response"]["status"] == "409"
    assert result["response"]["scimType"] == "uniqueness"


def test_rfc7644_3_7_bulk_without_schema_is_invalid_syntax(api: Api) -> None:
    """A Bulk body without the BulkRequest schema is a 400 invalidSyntax."""
    assert_scim_error(api.post("/Bulk", json={"Operations": []}), 400, "invalidSyntax")


def test_rfc7644_3_7_3_fail_on_errors_must_be_a_positive_integer(api: Api) -> None:
    """failOnErrors that is not a positive integer is a 400 invalidValue."""
    body = {"schemas": [BULK_REQUEST], "failOnErrors": "1", "Operations": []}
    assert_scim_error(api.post("/Bulk", json=body), 400, "invalidValue")


def _post_user(bulk_id: str, user_name: str) -> dict[str, object]:
    data = {"schemas": [USER], "userName": user_name}
    return {"method": "POST", "path": "/Users", "bulkId": bulk_id, "data": data}


def test_rfc7644_3_7_3_fail_on_errors_stops_and_keeps_nothing(api: Api) -> None:
    """With failOnErrors reached, later operations are not run and no change is kept."""
    api.create_user("taken")
    body = {
        "schemas": [BULK_REQUEST],
        "failOnErrors": 1,
        "Operations": [
            _post_user("a", "first"),
            _post_user("b", "taken"),
            _post_user("c", "never"),
        ],
    }
    response = api.post("/Bulk", json=body)
    assert response.status_code == 200, response.text
    results = response.json()["Operations"]
    assert [r["bulkId"] for r in results] == ["a", "b"]
    assert results[1]["status"] == "409"
    assert [u["userName"] for u in api.get("/Users").json()["Resources"]] == ["taken"]


def test_rfc7644_3_7_3_below_fail_on_errors_the_others_are_kept(api: Api) -> None:
    """Without reaching failOnErrors, each successful operation stands."""
    api.create_user("taken")
    body = {
        "schemas": [BULK_REQUEST],
        "failOnErrors": 2,
        "Operations": [_post_user("a", "taken"), _post_user("b", "ok")],
    }
    results = api.post("/Bulk", json=body).json()["Operations"]
    assert [r["status"] for r in results] == ["409", "201"]
    names = sorted(u["userName"] for u in api.get("/Users").json()["Resources"])
    assert names == ["ok", "taken"]
