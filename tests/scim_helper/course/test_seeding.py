"""Bulk seeding: operations per request, cutting them up, reading the results (RFC 7644 §3.7)."""

from __future__ import annotations

import pytest

from scim_helper import seeding
from scim_helper.seeding import BYTES_PER_OPERATION, MAX_BATCH, batch_size, chunks
from sync_app.client import SCIMClient
from sync_app.scim.messages import BulkOperation


def _bulk(**bulk: object) -> dict[str, object]:
    return {"bulk": bulk}


@pytest.mark.parametrize(
    ("config", "size"),
    [
        ({}, 1),
        ({"bulk": None}, 1),
        (_bulk(supported=False, maxOperations=1000, maxPayloadSize=1_048_576), 1),
        (_bulk(supported=True, maxOperations=1000, maxPayloadSize=1_048_576), MAX_BATCH),
        (_bulk(supported=True, maxOperations=MAX_BATCH + 1, maxPayloadSize=10**9), MAX_BATCH),
        (_bulk(supported=True, maxOperations=MAX_BATCH - 1, maxPayloadSize=10**9), MAX_BATCH - 1),
        (_bulk(supported=True, maxOperations=10, maxPayloadSize=1_048_576), 10),
        (_bulk(supported=True, maxOperations=1000, maxPayloadSize=10 * BYTES_PER_OPERATION), 10),
        (
            _bulk(supported=True, maxOperations=1000, maxPayloadSize=11 * BYTES_PER_OPERATION - 1),
            10,
        ),
        (_bulk(supported=True, maxOperations=1000, maxPayloadSize=BYTES_PER_OPERATION - 1), 1),
        (_bulk(supported=True, maxPayloadSize=1_048_576), 1),
        (
            _bulk(supported=True, maxOperations=1000),
            min(1_048_576 // BYTES_PER_OPERATION, MAX_BATCH),
        ),
        (_bulk(supported=True, maxOperations=150, maxPayloadSize=0), 150),
        (_bulk(supported=True, maxOperations=0, maxPayloadSize=1_048_576), 1),
    ],
)
def test_rfc7643_5_batch_size_follows_the_advertised_bulk_limits(
    config: dict[str, object], size: int
) -> None:
    """maxOperations, maxPayloadSize over a generous size per operation, and our own ceiling."""
    assert batch_size(config) == size


def test_batch_size_constants_are_ours() -> None:
    """Our ceiling and our size per operation, as documented in the module."""
    assert (MAX_BATCH, BYTES_PER_OPERATION) == (200, 1500)
    assert batch_size(_bulk(supported=True, maxOperations=10**6)) == min(699, MAX_BATCH)
    assert batch_size(_bulk(supported=True, maxOperations=500, maxPayloadSize=300_000)) == 200
    assert batch_size(_bulk(supported=True, maxOperations=500, maxPayloadSize=150_000)) == 100


def test_chunks_cut_at_the_size_and_keep_the_order() -> None:
    """Every item once, in order; the last chunk holds the rest; lists, not views."""
    assert list(chunks(list(range(5)), 2)) == [[0, 1], [2, 3], [4]]
    assert list(chunks(list(range(4)), 2)) == [[0, 1], [2, 3]]
    assert list(chunks(list(range(3)), 5)) == [[0, 1, 2]]
    assert list(chunks([], 3)) == []
    assert list(chunks((7, 8), 1)) == [[7], [8]]


def test_rfc7644_3_7_3_location_id_is_the_last_segment() -> None:
    """The id from a result's location, a trailing slash or not; none without a location."""
    result = BulkOperation(method="POST", location="http://h/scim/v2/Users/abc-1")
    assert seeding.location_id(result) == "abc-1"
    assert seeding.location_id(BulkOperation(method="POST", location="http://h/Users/x/")) == "x"
    assert seeding.location_id(BulkOperation(method="POST", location="plain")) == "plain"
    assert seeding.location_id(BulkOperation(method="POST", location="http://h/Users/ABX")) == "ABX"
    assert seeding.location_id(BulkOperation(method="POST")) is None
    assert seeding.location_id(BulkOperation(method="POST", location="")) is None


def test_rfc7644_3_12_detail_of_a_failed_operation() -> None:
    """The error body's detail, or "" when there is none to read."""
    failed = BulkOperation(
        method="POST", status="409", response={"detail": "taken", "status": "409"}
    )
    assert seeding.detail(failed) == "taken"
    assert seeding.detail(BulkOperation(method="POST", response={"status": "409"})) == ""
    assert seeding.detail(BulkOperation(method="POST", response={"detail": None})) == ""
    assert seeding.detail(BulkOperation(method="POST", response="oops")) == ""
    assert seeding.detail(BulkOperation(method="POST")) == ""


def test_rfc7644_3_7_send_pairs_each_operation_with_its_result(client: SCIMClient) -> None:
    """One /Bulk request over real HTTP: each operation sent, beside the server's result for it."""
    operations = [
        BulkOperation(method="POST", path="/Users", bulkId=f"u{i}", data={"userName": f"user{i}"})
        for i in range(3)
    ]
    pairs = seeding.send(client, operations)
    assert [sent for sent, _result in pairs] == operations
    assert [result.status for _sent, result in pairs] == ["201", "201", "201"]
    ids = [seeding.location_id(result) for _sent, result in pairs]
    names = [client.get_user(str(i)).to_dict()["userName"] for i in ids]
    assert names == ["user0", "user1", "user2"]
    exchange = client.wire_log[-len(names) - 1]
    assert exchange.path == "/Bulk" and "failOnErrors" not in exchange.request_body


def test_rfc7644_3_7_3_send_stops_at_fail_on_errors(client: SCIMClient) -> None:
    """failOnErrors=1: after the first failure the server performs nothing more."""
    operations = [
        BulkOperation(method="POST", path="/Users", bulkId="a", data={"userName": "same"}),
        BulkOperation(method="POST", path="/Users", bulkId="b", data={"userName": "same"}),
        BulkOperation(method="POST", path="/Users", bulkId="c", data={"userName": "other"}),
    ]
    pairs = seeding.send(client, operations, fail_on_errors=1)
    statuses = [result.status for _sent, result in pairs]
    assert statuses[:2] == ["201", "409"]
    assert len(pairs) == 2
    assert client.wire_log[-1].request_body["failOnErrors"] == 1
