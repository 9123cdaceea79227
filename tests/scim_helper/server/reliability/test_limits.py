"""Limits (issue 5, RFC 7643 §5, RFC 7644 §3.4.2.4 and §3.7.4): what /ServiceProviderConfig
advertises is exactly what the server enforces. The probes are derived from the advertised
numbers, so a changed limit is tested as it is announced."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from scim_helper.server.limits import Limits
from scim_helper.server.runner import LocalServer
from tests.fixtures.local import TenantLogin

from .conftest import BULK, PATCH_OP, SEARCH, USER, Api, check_error, seed, snapshot


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """A server started with small limits, so that they are cheap to reach."""
    limits = Limits(max_payload_size=4096, max_results=5, max_operations=3)
    with LocalServer(tmp_path_factory.mktemp("limits") / "scim.db", limits=limits) as running:
        yield running


@pytest.fixture
def small(server: LocalServer) -> Iterator[Api]:
    """A fresh tenant on the small-limits server."""
    token, tenant = server.store.mint_token()
    client = Api(TenantLogin(server.url, token, tenant))
    yield client
    client.session.close()


def _config(api: Api) -> dict[str, Any]:
    return api.get("/ServiceProviderConfig").json()


def _padded(document: dict[str, Any], size: int) -> bytes:
    """``document`` as JSON padded with trailing whitespace (still valid JSON) to ``size``."""
    raw = json.dumps(document).encode()
    assert len(raw) <= size
    return raw + b" " * (size - len(raw))


def test_rfc7643_5_default_limits_are_advertised(local_server: LocalServer) -> None:
    """The default server advertises the limits of Limits()."""
    defaults = Limits()
    client = Api(TenantLogin(local_server.url, local_server.token, local_server.tenant))
    config = _config(client)
    assert config["bulk"]["maxPayloadSize"] == defaults.max_payload_size
    assert config["bulk"]["maxOperations"] == defaults.max_operations
    assert config["filter"]["maxResults"] == defaults.max_results


def test_rfc7644_3_12_body_of_max_payload_size_is_read_one_more_byte_is_413(small: Api) -> None:
    """Every endpoint with a body reads maxPayloadSize bytes and refuses one more with 413."""
    limit = _config(small)["bulk"]["maxPayloadSize"]
    ids = {name: resource["id"] for name, resource in seed(small).items()}
    headers = {"Content-Type": "application/scim+json"}
    patch = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "title", "value": "x"}],
    }
    requests_ = [
        ("POST", "/Users", {"schemas": [USER], "userName": "dwight"}, 201),
        ("PUT", f"/Users/{ids['jim']}", {"schemas": [USER], "userName": "jim"}, 200),
        ("PATCH", f"/Users/{ids['pam']}", patch, 200),
        ("POST", "/.search", {"schemas": [SEARCH], "filter": "userName pr"}, 200),
        ("POST", "/Users/.search", {"schemas": [SEARCH]}, 200),
        ("POST", "/Bulk", {"schemas": [BULK], "Operations": []}, 200),
    ]
    for method, path, document, status in requests_:
        before = snapshot(small)
        too_big = small.request(method, path, data=_padded(document, limit + 1), headers=headers)
        check_error(too_big, 413)
        assert "maxPayloadSize" in too_big.json()["detail"]
        assert snapshot(small) == before
        fits = small.request(method, path, data=_padded(document, limit), headers=headers)
        assert fits.status_code == status, (method, path, fits.text)


def test_rfc7644_3_4_2_4_no_page_is_longer_than_max_results(small: Api) -> None:
    """GET and .search never return more than filter.maxResults resources, whatever count says."""
    most = _config(small)["filter"]["maxResults"]
    for n in range(most + 3):
        small.create_user(f"user{n}")
    pages = [
        small.get("/Users").json(),
        small.get("/Users", params={"count": 10_000}).json(),
        small.post("/.search", json={"schemas": [SEARCH], "count": 10_000}).json(),
        small.post("/Users/.search", json={"schemas": [SEARCH], "startIndex": 2}).json(),
    ]
    for page in pages:
        assert len(page["Resources"]) == page["itemsPerPage"] == most
        assert page["totalResults"] == most + 3
    last = small.get("/Users", params={"startIndex": most + 1, "count": 10_000}).json()
    assert len(last["Resources"]) == 3


def test_rfc7644_3_7_4_bulk_max_operations_is_enforced_exactly(small: Api) -> None:
    """maxOperations operations run; one more is a 413 and nothing of it is stored."""
    most = _config(small)["bulk"]["maxOperations"]

    def bulk(count: int, prefix: str) -> Any:
        operations = [
            {
                "method": "POST",
                "path": "/Users",
                "bulkId": f"{prefix}{n}",
                "data": {"schemas": [USER], "userName": f"{prefix}{n}"},
            }
            for n in range(count)
        ]
        return small.post("/Bulk", json={"schemas": [BULK], "Operations": operations})

    before = snapshot(small)
    check_error(bulk(most + 1, "over"), 413)
    assert snapshot(small) == before
    accepted = bulk(most, "fits")
    assert accepted.status_code == 200, accepted.text
    assert [r["status"] for r in accepted.json()["Operations"]] == ["201"] * most
