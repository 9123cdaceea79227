"""Bearer tokens (RFC 6750), one tenant per token, and tokens kept out of logs (RFC 7644 §2)."""

from __future__ import annotations

import logging

import pytest
import requests

from scim_helper.server.runner import LocalServer
from tests.fixtures.local import TenantLogin

from .conftest import Api, assert_scim_error


def test_rfc6750_3_missing_token_is_401_with_challenge(local_server: LocalServer) -> None:
    """A request without a token answers 401 with WWW-Authenticate: Bearer realm="scim"."""
    response = requests.get(f"{local_server.url}/Users", timeout=30)
    assert_scim_error(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer realm="scim"'


def test_rfc6750_3_wrong_token_is_401_with_challenge(local_server: LocalServer) -> None:
    """A token the server does not know answers 401 with a Bearer challenge."""
    response = requests.get(
        f"{local_server.url}/Users", headers={"Authorization": "Bearer nope"}, timeout=30
    )
    assert_scim_error(response, 401)
    assert response.headers["www-authenticate"].startswith('Bearer realm="scim"')


def test_rfc6750_2_other_schemes_are_401(local_server: LocalServer) -> None:
    """Basic authentication, even with the right token as password, is not accepted."""
    response = requests.get(
        f"{local_server.url}/Users", auth=("user", local_server.token), timeout=30
    )
    assert_scim_error(response, 401)


def test_rfc6750_2_3_token_in_query_string_is_not_accepted(local_server: LocalServer) -> None:
    """A token in the query string (RFC 6750 §2.3) is refused: URIs end up in logs."""
    response = requests.get(
        f"{local_server.url}/Users", params={"access_token": local_server.token}, timeout=30
    )
    assert_scim_error(response, 401)


def test_rfc7644_4_discovery_needs_no_token(local_server: LocalServer) -> None:
    """The discovery endpoints describe the server and answer without a token."""
    for path in ("/ServiceProviderConfig", "/ResourceTypes", "/Schemas"):
        assert requests.get(local_server.url + path, timeout=30).status_code == 200


def test_rfc7644_2_tenants_do_not_see_each_other(api: Api, local_server: LocalServer) -> None:
    """A resource of one tenant is invisible and untouchable for another tenant's token."""
    user = api.create_user("isolated")
    token, tenant = local_server.store.mint_token()
    other = Api(TenantLogin(local_server.url, token, tenant))
    assert_scim_error(other.get(f"/Users/{user['id']}"), 404)
    assert_scim_error(other.delete(f"/Users/{user['id']}"), 404)
    assert other.get("/Users").json()["totalResults"] == 0
    assert api.get(f"/Users/{user['id']}").status_code == 200


def test_rfc7644_7_tokens_never_reach_the_log(
    api: Api, local_server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """No server log line holds a token, whether sent in a header or in a query string."""
    wrong = "wrong-token-that-must-not-be-logged"
    with caplog.at_level(logging.DEBUG):
        api.create_user("logged")
        api.get("/Users", params={"access_token": api.token, "filter": 'userName eq "x"'})
        requests.get(
            f"{local_server.url}/Users", headers={"Authorization": f"Bearer {wrong}"}, timeout=30
        )
        requests.get(f"{local_server.url}/Users?access_token={wrong}", timeout=30)
    server_log = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("uvicorn", "scim_helper", "sqlalchemy", "starlette"))
    )
    assert "GET /scim/v2/Users 200" in server_log
    assert api.token not in server_log
    assert wrong not in server_log
