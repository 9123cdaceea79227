"""The RFC 7644 messages: ListResponse, SearchRequest, Bulk, Error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sync_app.errors import ValidationError
from sync_app.scim.messages import (
    BulkOperation,
    BulkRequest,
    BulkResponse,
    Error,
    ListResponse,
    SearchRequest,
)
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import User


def test_rfc7644_3_4_2_list_response(sample: Callable[[str], Any]) -> None:
    """A ListResponse reads its Users and writes back the same JSON."""
    data = sample("rfc7644-3.4.2-list-response")
    page = ListResponse.from_dict(data)
    assert page.totalResults == 2 and len(page) == 2
    assert [u.userName for u in page] == ["bjensen", "jsmith"]
    assert all(isinstance(u, User) for u in page)
    assert page.to_dict() == data
    assert repr(page) == "<ListResponse 2 of 2: [<User bjensen>, <User jsmith>]>"


def test_rfc7644_3_4_3_search_request() -> None:
    """A SearchRequest carries the query parameters in the body, under the RFC names."""
    request = SearchRequest(filter='userName sw "m"', attributes=["userName"], count=10)
    assert request.to_dict() == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "attributes": ["userName"],
        "filter": 'userName sw "m"',
        "count": 10,
    }
    with pytest.raises(ValidationError):
        SearchRequest(sortOrder="up")


def test_rfc7644_3_7_bulk_request_serializes_each_data() -> None:
    """Bulk data is sent in the context of its method: a POST's User without id or meta."""
    request = BulkRequest(
        operations=[
            BulkOperation(
                method="post", path="/Users", bulkId="q", data=User(userName="x", user_id="1")
            ),
            BulkOperation(
                method="PATCH",
                path="/Users/1",
                version='W/"1"',
                data=PatchOp(operations=[Operation(op="replace", path="active", value=False)]),
            ),
            BulkOperation(method="DELETE", path="/Users/2"),
        ],
        failOnErrors=1,
    )
    data = request.to_dict()
    assert data["failOnErrors"] == 1
    post, patch, delete = data["Operations"]
    assert post["method"] == "POST" and post["data"]["userName"] == "x" and "id" not in post["data"]
    assert patch["data"]["Operations"] == [{"op": "replace", "path": "active", "value": False}]
    assert patch["version"] == 'W/"1"'
    assert delete == {"method": "DELETE", "path": "/Users/2"}


def test_bulk_method_is_checked() -> None:
    """A bulk operation's method is one of POST, PUT, PATCH, DELETE."""
    with pytest.raises(ValidationError) as caught:
        BulkOperation(method="GET", path="/Users")
    assert caught.value.field == "method"


def test_rfc7644_3_7_3_bulk_response(sample: Callable[[str], Any]) -> None:
    """A BulkResponse gives each operation's status, and the Error of a failed one."""
    data = sample("rfc7644-3.7.3-bulk-response")
    outcome = BulkResponse.from_dict(data)
    assert [op.status_code for op in outcome.operations] == [201, 400]
    assert outcome.operations[1].response["scimType"] == "invalidSyntax"
    assert outcome.to_dict() == data


def test_rfc7644_3_12_error(sample: Callable[[str], Any]) -> None:
    """An Error body: status as a string, scimType, detail."""
    data = sample("rfc7644-3.12-error-uniqueness")
    error = Error.from_dict(data)
    assert (error.status, error.scimType) == ("409", "uniqueness")
    assert error.to_dict() == data
    assert Error(status=409).status == "409"  # type: ignore[arg-type]
