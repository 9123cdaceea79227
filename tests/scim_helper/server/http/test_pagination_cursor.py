"""Cursor-based pagination (RFC 9865) over HTTP, on SQLite and on PostgreSQL.

Index-based pagination (RFC 7644 §3.4.2.4) stays the default; its tests are in test_routes.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from scim2_models import Context, ListResponse, ServiceProviderConfig, User

from scim_helper.server.runner import LocalServer
from scim_helper.server.store.cursors import CURSOR_TIMEOUT, Cursor, scope_of
from tests.fixtures.local import TenantLogin

from .conftest import Api, assert_scim_error


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest) -> LocalServer:
    """The course's server, once on SQLite and once on PostgreSQL."""
    name = "local_server" if request.param == "sqlite" else "postgres_server"
    found: LocalServer = request.getfixturevalue(name)
    return found


def _login(server: LocalServer) -> TenantLogin:
    token, tenant = server.store.mint_token()
    return TenantLogin(server.url, token, tenant)


@pytest.fixture
def login(server: LocalServer) -> TenantLogin:
    return _login(server)


@pytest.fixture
def api(login: TenantLogin) -> Iterator[Api]:
    client = Api(login)
    yield client
    client.session.close()


def _seed(api: Api) -> list[str]:
    """Five users with an externalId "hr:…" (their ids, in creation order) and two without."""
    ids = []
    for i in range(7):
        if i in (2, 5):
            api.create_user(f"stranger{i}")
        else:
            ids.append(api.create_user(f"person{i}", externalId=f"hr:E{i}")["id"])
    return ids


def _page(api: Api, **params: Any) -> dict[str, Any]:
    response = api.get("/Users", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_rfc9865_4_service_provider_config_advertises_both_methods(api: Api) -> None:
    """/ServiceProviderConfig announces cursor and index pagination, index the default."""
    body = api.get("/ServiceProviderConfig").json()
    config = ServiceProviderConfig.model_validate(body)
    assert config.pagination is not None
    assert config.pagination.cursor is True
    assert config.pagination.index is True
    assert config.pagination.default_pagination_method == "index"
    assert config.pagination.max_page_size == body["filter"]["maxResults"]
    assert config.pagination.cursor_timeout == CURSOR_TIMEOUT


def test_rfc9865_2_cursor_pages_through_every_match_once_in_order(api: Api) -> None:
    """cursor= then each nextCursor visits every match once; the last page has no nextCursor."""
    expected = _seed(api)
    seen: list[str] = []
    pages = []
    cursor = ""
    while True:
        body = _page(api, filter='externalId sw "hr:"', count=2, cursor=cursor)
        pages.append(body)
        seen += [r["id"] for r in body["Resources"]]
        if "nextCursor" not in body:
            break
        cursor = body["nextCursor"]
    assert seen == expected
    assert [len(p["Resources"]) for p in pages] == [2, 2, 1]
    assert pages[0]["totalResults"] == 5
    assert all("startIndex" not in p for p in pages)
    # totalResults comes with the first page only, as RFC 9865 §2 allows a cursor response;
    # scim2-models knows that from the configuration the server publishes.
    config = ServiceProviderConfig.model_validate(api.get("/ServiceProviderConfig").json())
    for body in pages:
        parsed = ListResponse[User].model_validate(
            body, scim_ctx=Context.RESOURCE_QUERY_RESPONSE, scim_spc=config
        )
        assert parsed.items_per_page == len(body["Resources"])


def test_rfc9865_2_search_request_carries_the_cursor(api: Api) -> None:
    """POST /Users/.search takes "cursor" in the SearchRequest as GET takes the parameter."""
    expected = _seed(api)
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": 'externalId sw "hr:"',
        "count": 3,
        "cursor": "",
    }
    first = api.post("/Users/.search", json=body).json()
    second = api.post("/Users/.search", json={**body, "cursor": first["nextCursor"]}).json()
    assert [r["id"] for r in first["Resources"] + second["Resources"]] == expected
    assert "nextCursor" not in second


def test_rfc9865_2_without_cursor_index_pagination_is_unchanged(api: Api) -> None:
    """A query without cursor is answered as RFC 7644 §3.4.2.4 says: startIndex, no cursor."""
    _seed(api)
    body = _page(api, filter='externalId sw "hr:"', startIndex=2, count=2)
    assert body["startIndex"] == 2 and body["totalResults"] == 5
    assert "nextCursor" not in body


def test_rfc9865_2_a_page_after_a_deleted_row_still_follows_on(api: Api) -> None:
    """The cursor names a position, not a row: deleting the page's last user loses nothing."""
    expected = _seed(api)
    first = _page(api, filter='externalId sw "hr:"', count=2, cursor="")
    assert api.delete(f"/Users/{first['Resources'][-1]['id']}").status_code == 204
    rest = _page(api, filter='externalId sw "hr:"', count=10, cursor=first["nextCursor"])
    assert [r["id"] for r in rest["Resources"]] == expected[2:]


def test_rfc9865_2_garbage_cursor_is_400_invalid_cursor(api: Api) -> None:
    """A cursor the server never gave out: 400 invalidCursor, with what to send instead."""
    for value in ("not-a-cursor", "MS4xLjE", "~~~"):
        response = api.get("/Users", params={"cursor": value})
        assert_scim_error(response, 400, "invalidCursor")
        assert "cursor= (empty)" in response.json()["detail"]


def test_rfc9865_2_cursor_of_another_query_is_400_invalid_cursor(api: Api) -> None:
    """A cursor is bound to its filter and resource type."""
    _seed(api)
    cursor = _page(api, filter='externalId sw "hr:"', count=1, cursor="")["nextCursor"]
    other = api.get("/Users", params={"filter": 'userName sw "p"', "cursor": cursor})
    assert_scim_error(other, 400, "invalidCursor")
    groups = api.get("/Groups", params={"filter": 'externalId sw "hr:"', "cursor": cursor})
    assert_scim_error(groups, 400, "invalidCursor")


def test_rfc9865_2_cursor_of_another_tenant_is_400_invalid_cursor(
    api: Api, server: LocalServer
) -> None:
    """A cursor is bound to its tenant: another tenant's token cannot use it."""
    _seed(api)
    cursor = _page(api, count=1, cursor="")["nextCursor"]
    other = Api(_login(server))
    _seed(other)
    response = other.get("/Users", params={"count": 1, "cursor": cursor})
    assert_scim_error(response, 400, "invalidCursor")
    other.session.close()


def test_rfc9865_2_expired_cursor_is_400_expired_cursor(api: Api, login: TenantLogin) -> None:
    """A cursor older than cursorTimeout: 400 expiredCursor, saying to start again."""
    _seed(api)
    scope = scope_of(login.tenant, ["User"], None)
    old = Cursor(after=0, scope=scope, issued=int(time.time()) - CURSOR_TIMEOUT - 5)
    response = api.get("/Users", params={"cursor": old.encode()})
    assert_scim_error(response, 400, "expiredCursor")
    assert "Start again" in response.json()["detail"]
    fresh = Cursor(after=0, scope=scope, issued=int(time.time()))
    assert len(_page(api, cursor=fresh.encode())["Resources"]) == 7


def test_rfc9865_2_cursor_with_start_index_or_sort_by_is_400_invalid_value(api: Api) -> None:
    """Ours: cursor and startIndex together, or cursor with sortBy, are refused clearly."""
    both = api.get("/Users", params={"cursor": "", "startIndex": 1})
    assert_scim_error(both, 400, "invalidValue")
    assert "not both" in both.json()["detail"]
    sorted_ = api.get("/Users", params={"cursor": "", "sortBy": "userName"})
    assert_scim_error(sorted_, 400, "invalidValue")


def test_rfc9865_2_count_zero_answers_the_total_alone(api: Api) -> None:
    """count=0 with a cursor asks for totalResults only (as RFC 7644 §3.4.2.4 has it)."""
    _seed(api)
    body = _page(api, filter='externalId sw "hr:"', count=0, cursor="")
    assert body["totalResults"] == 5 and body["Resources"] == []
    assert "nextCursor" not in body


def test_rfc9865_2_a_filter_matching_few_users_pages_the_same(api: Api) -> None:
    """A selective filter (2 of 12 users) pages through its matches just as a broad one does."""
    ids = [
        api.create_user(f"user{i:02d}", title="Chief" if i in (3, 9) else "Clerk")["id"]
        for i in range(12)
    ]
    seen, cursor, pages = [], "", 0
    while True:
        body = _page(api, filter='title eq "Chief"', count=1, cursor=cursor)
        pages += 1
        seen += [r["id"] for r in body["Resources"]]
        if "nextCursor" not in body:
            break
        cursor = body["nextCursor"]
    assert seen == [ids[3], ids[9]] and pages == 2
