"""Helpers for the reliability tests: clients per tenant, snapshots of a tenant's data, and
checks that an answer is a well-formed SCIM Error (RFC 7644 §3.12).

Every test talks HTTP to a real server on loopback: the session's in-process server
(``local_server``), or a server process started by :mod:`.processes` when the test needs to
kill it or read its logs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from scim_helper.server.runner import LocalServer
from tests.fixtures.local import TenantLogin
from tests.scim_helper.server.http.conftest import ERROR, GROUP, PATCH_OP, USER, Api

__all__ = ["ERROR", "GROUP", "PATCH_OP", "USER", "Api", "check_error", "seed", "snapshot"]

# RFC 7644 §3.12, Table 9: every scimType and the status it goes with.
SCIM_TYPES: dict[str, int] = {
    "invalidFilter": 400,
    "tooMany": 400,
    "uniqueness": 409,
    "mutability": 400,
    "invalidSyntax": 400,
    "invalidPath": 400,
    "noTarget": 400,
    "invalidValue": 400,
    "invalidVers": 400,
    "sensitive": 400,
}

SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"


@pytest.fixture
def api(fresh_tenant: TenantLogin) -> Iterator[Api]:
    """A client for a new, empty tenant."""
    client = Api(fresh_tenant)
    yield client
    client.session.close()


@pytest.fixture
def other(local_server: LocalServer) -> Iterator[Api]:
    """A client for a second new tenant on the same server."""
    token, tenant = local_server.store.mint_token()
    client = Api(TenantLogin(local_server.url, token, tenant))
    yield client
    client.session.close()


def seed(api: Api) -> dict[str, Any]:
    """Two users (one with emails and the enterprise extension) and a group holding both."""
    pam = api.create_user(
        "pam",
        name={"givenName": "Pam", "familyName": "Beesly"},
        emails=[{"value": "pam@dundermifflin.com", "type": "work", "primary": True}],
        title="Receptionist",
    )
    jim = api.create_user("jim", active=True)
    group = api.create_group(
        "Sales", members=[{"value": pam["id"], "type": "User"}, {"value": jim["id"]}]
    )
    return {"pam": pam, "jim": jim, "group": group}


def snapshot(api: Api) -> dict[str, list[dict[str, Any]]]:
    """Every resource of the tenant, as the server returns it, ordered by id."""
    state: dict[str, list[dict[str, Any]]] = {}
    for endpoint in ("Users", "Groups"):
        resources: list[dict[str, Any]] = []
        start = 1
        for _ in range(1000):  # pages; a test tenant never holds 1,000 pages
            page = api.get(f"/{endpoint}", params={"startIndex": start, "count": 200})
            assert page.status_code == 200, page.text
            body = page.json()
            resources += body["Resources"]
            start += len(body["Resources"])
            if not body["Resources"] or start > body["totalResults"]:
                break
        for resource in resources:
            for key in ("members", "groups"):
                if key in resource:
                    resource[key] = sorted(resource[key], key=lambda item: item["value"])
        state[endpoint] = sorted(resources, key=lambda resource: resource["id"])
    return state


def check_error(response: requests.Response, status: int | None = None) -> dict[str, Any]:
    """``response`` is a SCIM Error whose body agrees with its HTTP status; returns the body.

    The body has the Error schema, ``status`` equal to the HTTP status as a string, a
    ``scimType`` only where RFC 7644 Table 9 gives one for that status, and a non-empty
    ``detail``.
    """
    if status is not None:
        assert response.status_code == status, response.text
    assert 400 <= response.status_code < 600, response.text
    assert response.headers.get("content-type") == "application/scim+json", response.headers
    body = response.json()
    assert body["schemas"] == [ERROR], body
    assert body["status"] == str(response.status_code), body
    if "scimType" in body:
        assert SCIM_TYPES.get(body["scimType"]) == response.status_code, body
    assert isinstance(body.get("detail"), str) and body["detail"].strip(), body
    return body
