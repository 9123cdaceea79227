"""Limits advertised in /ServiceProviderConfig and enforced (RFC 7643 §5, RFC 7644 §3.7.4)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scim_helper.server.limits import Limits
from scim_helper.server.runner import LocalServer
from tests.fixtures.local import TenantLogin

from .conftest import USER, Api, assert_scim_error

BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
SMALL = Limits(max_payload_size=2048, max_results=3, max_operations=2)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A client of a server started with small limits."""
    db: Path = tmp_path_factory.mktemp("limits") / "scim.db"
    with LocalServer(db, limits=SMALL) as server:
        client = Api(TenantLogin(server.url, server.token, server.tenant))
        yield client
        client.session.close()


def test_rfc7643_5_limits_are_advertised(small: Api) -> None:
    """/ServiceProviderConfig shows the limits the server was started with."""
    config = small.get("/ServiceProviderConfig").json()
    assert config["bulk"]["maxPayloadSize"] == 2048
    assert config["bulk"]["maxOperations"] == 2
    assert config["filter"]["maxResults"] == 3


def test_rfc7644_3_12_oversized_body_is_413(small: Api) -> None:
    """A body larger than maxPayloadSize is refused with 413 and nothing is stored."""
    body = {"schemas": [USER], "userName": "big", "displayName": "x" * 4000}
    assert_scim_error(small.post("/Users", json=body), 413)
    assert small.get("/Users", params={"filter": 'userName eq "big"'}).json()["totalResults"] == 0


def test_rfc7644_3_12_very_large_body_is_413(small: Api) -> None:
    """A body many times the limit still gets its 413 answer."""
    body = {"schemas": [USER], "userName": "huge", "displayName": "x" * 2_000_000}
    assert_scim_error(small.post("/Users", json=body), 413)


def test_rfc7644_3_4_2_4_count_is_capped_at_max_results(small: Api) -> None:
    """A page never holds more than filter.maxResults resources, whatever count asks."""
    for n in range(5):
        small.post("/Users", json={"schemas": [USER], "userName": f"capped{n}"})
    for params in ({}, {"count": 100}):
        body = small.get("/Users", params=params).json()
        assert body["itemsPerPage"] == 3
        assert len(body["Resources"]) == 3
        assert body["totalResults"] >= 5


def test_rfc7644_3_7_4_too_many_bulk_operations_is_413(small: Api) -> None:
    """A Bulk request with more than maxOperations operations is refused with 413."""
    operations = [
        {"method": "POST", "path": "/Users", "bulkId": f"b{n}", "data": {"schemas": [USER]}}
        for n in range(3)
    ]
    body = {"schemas": [BULK_REQUEST], "Operations": operations}
    assert_scim_error(small.post("/Bulk", json=body), 413)
