"""Bad input (issue 5): every mistake a learner can make is a SCIM Error with the right
``scimType`` (RFC 7644 §3.12), and the tenant's data is exactly as it was afterwards."""

from __future__ import annotations

from typing import Any

import pytest

from scim_helper.server.filters import MAX_COMPARISONS
from scim_helper.server.resources import MAX_INDEXED_LENGTH, MAX_STRING_LENGTH

from .conftest import BULK, GROUP, PATCH_OP, SEARCH, USER, Api, check_error, seed, snapshot

SCIM_JSON = {"Content-Type": "application/scim+json"}
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
NESTED = "(" * 10_000 + 'userName eq "x"' + ")" * 10_000
LONG_CHAIN = " or ".join(['userName eq "x"'] * (MAX_COMPARISONS + 1))
SQL_VALUES = [
    "x' OR '1'='1",
    'x" OR "1"="1',
    "'; DROP TABLE resources; --",
    "%",
    "_",
    "\\",
    "x') UNION SELECT token_hash, tenant FROM tokens --",
    "1; DELETE FROM memberships",
]


def _raw(data: bytes, content_type: str | None = "application/scim+json") -> dict[str, Any]:
    return {"data": data, "headers": {"Content-Type": content_type} if content_type else {}}


def _json(document: Any) -> dict[str, Any]:
    return {"json": document}


def _user(**attributes: Any) -> dict[str, Any]:
    return _json({"schemas": [USER], **attributes})


def _patch(*operations: Any) -> dict[str, Any]:
    return _json({"schemas": [PATCH_OP], "Operations": list(operations)})


def _search(**fields: Any) -> dict[str, Any]:
    return _json({"schemas": [SEARCH], **fields})


def _bulk(*operations: Any, **fields: Any) -> dict[str, Any]:
    return _json({"schemas": [BULK], "Operations": list(operations), **fields})


PAM = "/Users/{pam}"
GROUP_PATH = "/Groups/{group}"

# (method, path, request keyword arguments, status, scimType)
CASES = [
    # Malformed JSON, invalid UTF-8, JSON that is not an object, on every endpoint with a body.
    *[
        pytest.param(method, path, _raw(b'{"userName": '), 400, "invalidSyntax", id=f"json-{n}")
        for n, (method, path) in enumerate(
            [
                ("PUT", PAM),
                ("PATCH", PAM),
                ("PATCH", GROUP_PATH),
                ("POST", "/Groups"),
                ("POST", "/.search"),
                ("POST", "/Users/.search"),
                ("POST", "/Bulk"),
            ]
        )
    ],
    pytest.param("PUT", PAM, _raw(b'{"userName": "\xc3\x28"}'), 400, "invalidSyntax", id="utf8"),
    pytest.param("PATCH", PAM, _raw(b"\xfe\xff\x00{"), 400, "invalidSyntax", id="utf16-bom"),
    pytest.param("POST", "/Bulk", _raw(b"\xff" * 64), 400, "invalidSyntax", id="utf8-bulk"),
    pytest.param("PATCH", PAM, _raw(b"[]"), 400, "invalidSyntax", id="array-body"),
    pytest.param("POST", "/Groups", _raw(b'"Sales"'), 400, "invalidSyntax", id="string-body"),
    pytest.param("PUT", PAM, _raw(b""), 400, "invalidSyntax", id="empty-put"),
    pytest.param(
        "POST", "/Users", _raw(b'{"userName":"\\ud800"}'), 400, "invalidSyntax", id="lone-surrogate"
    ),
    pytest.param(
        "POST", "/Users", _raw(b'{"userName": Infinity}'), 400, "invalidSyntax", id="infinity"
    ),
    # Wrong Content-Type (RFC 7644 §3.8): 415 on every endpoint that takes a body.
    pytest.param("PUT", PAM, _raw(b"{}", "text/plain"), 415, None, id="415-put"),
    pytest.param("PATCH", PAM, _raw(b"{}", "application/xml"), 415, None, id="415-patch"),
    pytest.param("POST", "/.search", _raw(b"{}", "text/json"), 415, None, id="415-search"),
    pytest.param("POST", "/Bulk", _raw(b"{}", None), 415, None, id="415-bulk-none"),
    pytest.param("POST", "/Groups", _raw(b"{}", "multipart/form-data"), 415, None, id="415-group"),
    # Unknown attributes.
    pytest.param(
        "POST",
        "/Users",
        _user(userName="dwight", shoeSize=11),
        400,
        "invalidSyntax",
        id="unknown-attr",
    ),
    pytest.param(
        "PUT",
        PAM,
        _user(userName="pam", name={"nick": "P"}),
        400,
        "invalidSyntax",
        id="unknown-sub",
    ),
    pytest.param(
        "POST",
        "/Users",
        _user(userName="d", **{ENTERPRISE: {"desk": 3}}),
        400,
        "invalidSyntax",
        id="unknown-ext",
    ),
    pytest.param(
        "POST",
        "/Groups",
        _json({"schemas": [GROUP], "displayName": "G", "owner": "me"}),
        400,
        "invalidSyntax",
        id="unknown-group-attr",
    ),
    pytest.param(
        "POST",
        "/Users",
        _json({"schemas": ["urn:example:Shoe"], "userName": "d"}),
        400,
        "invalidValue",
        id="unknown-schema",
    ),
    pytest.param(
        "PATCH",
        PAM,
        _patch({"op": "add", "path": "shoeSize", "value": 11}),
        400,
        "invalidPath",
        id="patch-unknown-path",
    ),
    pytest.param(
        "PATCH",
        PAM,
        _patch({"op": "replace", "value": {"shoeSize": 11}}),
        400,
        "invalidSyntax",
        id="patch-unknown-value",
    ),
    # Wrong types.
    pytest.param("POST", "/Users", _user(userName=42), 400, "invalidValue", id="number-username"),
    pytest.param(
        "PUT", PAM, _user(userName="pam", active="maybe"), 400, "invalidValue", id="bad-boolean"
    ),
    pytest.param(
        "PUT",
        PAM,
        _user(userName="pam", emails="pam@dm.com"),
        400,
        "invalidValue",
        id="string-for-list",
    ),
    pytest.param(
        "POST",
        "/Users",
        _user(userName="d", name="Dwight"),
        400,
        "invalidValue",
        id="string-for-complex",
    ),
    pytest.param(
        "POST",
        "/Users",
        _user(userName="d", emails=[{"value": 7}]),
        400,
        "invalidValue",
        id="number-sub",
    ),
    pytest.param(
        "POST",
        "/Users",
        _user(userName="d", x509Certificates=[{"value": "!"}]),
        400,
        "invalidValue",
        id="not-base64",
    ),
    pytest.param(
        "PATCH",
        PAM,
        _patch({"op": "replace", "path": "active", "value": "yes"}),
        400,
        "invalidValue",
        id="patch-bad-boolean",
    ),
    pytest.param(
        "PATCH",
        PAM,
        _patch({"op": "replace", "path": "title", "value": ["a"]}),
        400,
        "invalidValue",
        id="patch-list-for-string",
    ),
    pytest.param(
        "PATCH",
        PAM,
        _patch({"op": 5, "path": "title", "value": "x"}),
        400,
        "invalidSyntax",
        id="patch-number-op",
    ),
    pytest.param(
        "PATCH",
        PAM,
        _patch({"op": "add", "path": 5, "value": "x"}),
        400,
        "invalidPath",
        id="patch-number-path",
    ),
    pytest.param(
        "PATCH",
        GROUP_PATH,
        _patch({"op": "add", "path": "members", "value": "x"}),
        400,
        "invalidValue",
        id="patch-members-string",
    ),
    pytest.param(
        "PATCH",
        PAM,
        _json({"schemas": [PATCH_OP], "Operations": {"op": 1}}),
        400,
        "invalidSyntax",
        id="patch-operations-object",
    ),
    pytest.param(
        "POST",
        "/Bulk",
        _bulk(failOnErrors="1"),
        400,
        "invalidValue",
        id="bulk-fail-on-errors-string",
    ),
    pytest.param(
        "POST",
        "/Bulk",
        _json({"schemas": [BULK], "Operations": "all"}),
        400,
        "invalidSyntax",
        id="bulk-operations-string",
    ),
    # Missing required attributes.
    pytest.param(
        "POST", "/Users", _user(displayName="No Name"), 400, "invalidValue", id="no-username"
    ),
    pytest.param(
        "PUT", PAM, _user(title="Receptionist"), 400, "invalidValue", id="put-no-username"
    ),
    pytest.param(
        "PUT", GROUP_PATH, _json({"schemas": [GROUP]}), 400, "invalidValue", id="put-no-displayname"
    ),
    pytest.param(
        "PATCH",
        PAM,
        _patch({"op": "remove", "path": "userName"}),
        400,
        "mutability",
        id="patch-remove-username",
    ),
    pytest.param(
        "PATCH",
        PAM,
        _patch({"op": "add", "path": "title"}),
        400,
        "invalidValue",
        id="patch-no-value",
    ),
    pytest.param(
        "PATCH",
        PAM,
        _json({"Operations": [{"op": "add", "path": "title", "value": "x"}]}),
        400,
        "invalidSyntax",
        id="patch-no-schemas",
    ),
    pytest.param(
        "POST",
        "/.search",
        _json({"filter": 'userName eq "pam"'}),
        400,
        "invalidSyntax",
        id="search-no-schemas",
    ),
    # Over-long strings (the limits are stated in the error, see test below).
    pytest.param(
        "POST",
        "/Users",
        _user(userName="u" * (MAX_INDEXED_LENGTH + 1)),
        400,
        "invalidValue",
        id="long-username",
    ),
    pytest.param(
        "PUT",
        PAM,
        _user(userName="pam", title="t" * (MAX_STRING_LENGTH + 1)),
        400,
        "invalidValue",
        id="long-title",
    ),
    pytest.param(
        "PATCH",
        PAM,
        _patch({"op": "add", "path": "nickName", "value": "n" * (MAX_STRING_LENGTH + 1)}),
        400,
        "invalidValue",
        id="patch-long",
    ),
    pytest.param(
        "PATCH",
        GROUP_PATH,
        _patch({"op": "replace", "path": "displayName", "value": "g" * (MAX_INDEXED_LENGTH + 1)}),
        400,
        "invalidValue",
        id="patch-long-group",
    ),
    # Filters: nesting, size, grammar, and things that look like SQL or another quoting.
    pytest.param(
        "GET", "/Users", {"params": {"filter": NESTED}}, 400, "invalidFilter", id="nested-get"
    ),
    pytest.param(
        "POST", "/.search", _search(filter=NESTED), 400, "invalidFilter", id="nested-search"
    ),
    pytest.param(
        "POST",
        "/Groups/.search",
        _search(filter="not (" * 5_000 + "x pr" + ")" * 5_000),
        400,
        "invalidFilter",
        id="nested-not",
    ),
    pytest.param(
        "POST",
        "/Users/.search",
        _search(filter=LONG_CHAIN),
        400,
        "invalidFilter",
        id="too-many-comparisons",
    ),
    pytest.param(
        "PATCH",
        GROUP_PATH,
        _patch({"op": "remove", "path": "members[" * 10_000 + 'value eq "x"' + "]" * 10_000}),
        400,
        "invalidPath",
        id="nested-patch-path",
    ),
    pytest.param(
        "PATCH",
        GROUP_PATH,
        _patch({"op": "remove", "path": f"members[{LONG_CHAIN.replace('userName', 'value')}]"}),
        400,
        "invalidPath",
        id="long-patch-path",
    ),
    pytest.param(
        "GET",
        "/Users",
        {"params": {"filter": "userName eq 'pam'"}},
        400,
        "invalidFilter",
        id="single-quotes",
    ),
    pytest.param(
        "GET",
        "/Users",
        {"params": {"filter": 'userName eq "pam"; DROP TABLE resources'}},
        400,
        "invalidFilter",
        id="sql-after-filter",
    ),
    pytest.param(
        "GET", "/Users", {"params": {"filter": "1=1"}}, 400, "invalidFilter", id="sql-tautology"
    ),
    pytest.param(
        "GET",
        "/Users",
        {"params": {"filter": "shoeSize eq 11"}},
        400,
        "invalidFilter",
        id="filter-unknown-attr",
    ),
    pytest.param(
        "GET",
        "/Users",
        {"params": {"filter": 'userName xx "pam"'}},
        400,
        "invalidFilter",
        id="filter-unknown-op",
    ),
    pytest.param(
        "POST",
        "/.search",
        _search(filter=["userName"]),
        400,
        "invalidValue",
        id="search-filter-list",
    ),
    pytest.param(
        "GET",
        "/Users",
        {"params": {"sortBy": "userName; DROP TABLE resources"}},
        400,
        "invalidValue",
        id="sortby-sql",
    ),
    pytest.param(
        "GET", "/Users", {"params": {"sortOrder": "sideways"}}, 400, "invalidValue", id="sortorder"
    ),
    # count and startIndex that are not integers (RFC 7644 §3.4.2.4).
    *[
        pytest.param(
            "GET", "/Users", {"params": {name: value}}, 400, "invalidValue", id=f"{name}-{value}"
        )
        for name in ("count", "startIndex")
        for value in ("ten", "1.5", "1e3", "0x10", "--1", "9 9")
    ],
    # More digits than Python reads (4,300): a 400, where a shorter huge number is clamped.
    *[
        pytest.param(
            "GET", "/Users", {"params": {name: "9" * 5000}}, 400, "invalidValue", id=f"{name}-5000"
        )
        for name in ("count", "startIndex")
    ],
    pytest.param(
        "POST", "/.search", _search(count="10"), 400, "invalidValue", id="search-count-string"
    ),
    pytest.param(
        "POST", "/.search", _search(startIndex=1.5), 400, "invalidValue", id="search-start-float"
    ),
    pytest.param(
        "POST", "/.search", _search(count=True), 400, "invalidValue", id="search-count-bool"
    ),
    # Unknown endpoints and methods.
    pytest.param("GET", "/Userz", {}, 404, None, id="unknown-endpoint"),
    pytest.param("DELETE", "/Users/{pam}/emails", {}, 404, None, id="sub-path"),
    pytest.param("GET", "/Users/no-such-id", {}, 404, None, id="unknown-id"),
    pytest.param("DELETE", "/Groups/no-such-id", {}, 404, None, id="delete-unknown-id"),
    pytest.param(
        "PATCH",
        "/Users/no-such-id",
        _patch({"op": "add", "path": "title", "value": "x"}),
        404,
        None,
        id="patch-unknown-id",
    ),
    pytest.param("DELETE", "/Users", {}, 405, None, id="delete-collection"),
    pytest.param("PUT", "/Groups", _json({}), 405, None, id="put-collection"),
    pytest.param("POST", PAM, _user(userName="pam"), 405, None, id="post-resource"),
    pytest.param("GET", "/Bulk", {}, 405, None, id="get-bulk"),
    pytest.param("DELETE", "/.search", {}, 405, None, id="delete-search"),
    pytest.param("GET", "/Users/.search", {}, 405, None, id="get-search"),
    pytest.param("DELETE", "/ServiceProviderConfig", {}, 405, None, id="delete-config"),
    pytest.param("PUT", "/Schemas/" + USER, _json({}), 405, None, id="put-schema"),
    pytest.param("OPTIONS", "/Users", {}, 405, None, id="options"),
    pytest.param("TRACE", "/Users", {}, 405, None, id="trace"),
    pytest.param("BREW", "/Users", {}, 405, None, id="unknown-method"),
]


def _send(api: Api, ids: dict[str, str], method: str, path: str, kwargs: dict[str, Any]) -> Any:
    return api.request(method, path.format(**ids), **kwargs)


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "scim_type"), CASES)
def test_rfc7644_3_12_bad_request_is_scim_error_and_changes_nothing(
    api: Api, method: str, path: str, kwargs: dict[str, Any], status: int, scim_type: str | None
) -> None:
    """A bad request answers a SCIM Error with its status and scimType; data is unchanged."""
    seeded = seed(api)
    ids = {name: resource["id"] for name, resource in seeded.items()}
    before = snapshot(api)
    body = check_error(_send(api, ids, method, path, kwargs), status)
    assert body.get("scimType") == scim_type, body
    assert snapshot(api) == before


def test_rfc7643_2_3_1_string_limits_are_stated_and_exact(api: Api) -> None:
    """userName may be 512 characters and title 4,096; one more is refused, saying the limit."""
    at_limit = "u" * MAX_INDEXED_LENGTH
    user = api.create_user(at_limit, title="t" * MAX_STRING_LENGTH)
    assert user["userName"] == at_limit
    before = snapshot(api)
    too_long = api.post("/Users", json={"schemas": [USER], "userName": at_limit + "u"})
    assert str(MAX_INDEXED_LENGTH) in check_error(too_long, 400)["detail"]
    replaced = api.put(
        f"/Users/{user['id']}",
        json={"schemas": [USER], "userName": "short", "title": "t" * (MAX_STRING_LENGTH + 1)},
    )
    assert str(MAX_STRING_LENGTH) in check_error(replaced, 400)["detail"]
    assert snapshot(api) == before


def test_rfc7644_3_4_2_2_filter_at_the_comparison_limit_is_answered(api: Api) -> None:
    """A filter with exactly the most comparisons allowed is evaluated; one more is refused."""
    seed(api)
    term = 'emails[type eq "home" and value ne "x"]'  # two comparisons
    allowed = " or ".join([term] * (MAX_COMPARISONS // 2))
    response = api.post("/.search", json={"schemas": [SEARCH], "filter": allowed})
    assert response.status_code == 200, response.text
    assert response.json()["totalResults"] == 0
    refused = api.post("/.search", json={"schemas": [SEARCH], "filter": f"{allowed} or title pr"})
    assert check_error(refused, 400)["scimType"] == "invalidFilter"


@pytest.mark.parametrize("value", SQL_VALUES)
def test_rfc7644_3_4_2_2_sql_looking_values_are_data(api: Api, value: str) -> None:
    """A value that looks like SQL is stored as given and matched only by itself."""
    seed(api)
    created = api.create_user(value, title=value)
    before = snapshot(api)
    for operator in ("eq", "co", "sw", "ew"):
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        for attribute in ("userName", "title"):
            found = api.get("/Users", params={"filter": f'{attribute} {operator} "{quoted}"'})
            assert found.status_code == 200, found.text
            assert [r["id"] for r in found.json()["Resources"]] == [created["id"]], operator
    miss = api.get("/Users", params={"filter": f'userName eq "{quoted}x"'})
    assert miss.json()["totalResults"] == 0
    assert snapshot(api) == before
