"""Helpers for the HTTP-layer tests: every test talks to the running server over loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
from scim2_client import BaseSyncSCIMClient, RequestNetworkException

from scim_helper.server.runner import LocalServer
from tests.fixtures.local import TenantLogin

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Api:
    """A ``requests.Session`` for one tenant that takes paths relative to the base URL."""

    def __init__(self, tenant: TenantLogin) -> None:
        self.url = tenant.url
        self.token = tenant.token
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {tenant.token}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def create_user(self, user_name: str, **attributes: Any) -> dict[str, Any]:
        body = {"schemas": [USER], "userName": user_name, **attributes}
        response = self.post("/Users", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def create_group(self, display_name: str, **attributes: Any) -> dict[str, Any]:
        body = {"schemas": [GROUP], "displayName": display_name, **attributes}
        response = self.post("/Groups", json=body)
        assert response.status_code == 201, response.text
        return response.json()


class HttpxSCIMClient(BaseSyncSCIMClient):
    """scim2-client over ``httpx`` (its bundled engine needs ``httpx2``, which we do not ship)."""

    def __init__(self, client: httpx.Client, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = client

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.client.request(method, url, **kwargs)
        except httpx.RequestError as exc:
            raise RequestNetworkException() from exc

    def _parse_json(self, response: Any) -> Any:
        return response.json()


@pytest.fixture
def api(fresh_tenant: TenantLogin) -> Iterator[Api]:
    """A client for a new, empty tenant."""
    client = Api(fresh_tenant)
    yield client
    client.session.close()


@pytest.fixture(scope="session")
def postgres_server(postgres_url: str) -> Iterator[LocalServer]:
    """The course's server on the session's throwaway PostgreSQL database."""
    with LocalServer(postgres_url) as server:
        yield server


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_api(request: pytest.FixtureRequest) -> Iterator[Api]:
    """A client for a new, empty tenant, once on SQLite and once on PostgreSQL."""
    server_fixture = "local_server" if request.param == "sqlite" else "postgres_server"
    server: LocalServer = request.getfixturevalue(server_fixture)
    token, tenant = server.store.mint_token()
    client = Api(TenantLogin(server.url, token, tenant))
    yield client
    client.session.close()


def assert_scim_error(
    response: requests.Response, status: int, scim_type: str | None = None
) -> None:
    """``response`` is a SCIM Error (RFC 7644 §3.12) with this status and scimType."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/scim+json"
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    assert isinstance(body["detail"], str) and body["detail"]
