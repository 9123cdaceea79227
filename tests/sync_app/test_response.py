"""SCIMResponse: the server's JSON as received, typed, with notebook-friendly displays."""

from __future__ import annotations

import pytest

from sync_app.errors import ValidationError
from sync_app.scim.messages import ListResponse
from sync_app.scim.user import User
from tests.sync_app.conftest import Reply, StubServer

USER = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "1",
    "userName": "dschrute",
    "active": True,
    "meta": {"resourceType": "User", "location": "http://x/Users/1", "version": 'W/"7"'},
    "nonStandard": {"kept": True},
}


def test_to_dict_is_the_json_as_received(stub: StubServer) -> None:
    """to_dict() is the server's JSON, unknown attributes included; changing it changes nothing."""
    stub.queue(Reply(body=USER))
    with stub.client() as client:
        response = client.get_user("1")
    assert response.to_dict() == USER
    response.to_dict()["userName"] = "changed"
    assert response.to_dict()["userName"] == "dschrute"


def test_resource_is_typed(stub: StubServer) -> None:
    """resource is a User built from the JSON; version comes from meta without an ETag header."""
    stub.queue(Reply(body=USER))
    with stub.client() as client:
        response = client.get_user("1")
    assert isinstance(response.resource, User)
    assert response.resource.extra == {"nonStandard": {"kept": True}}
    assert response.etag == response.version == 'W/"7"'
    assert response.location == "http://x/Users/1"


def test_list_response_resources_are_typed(stub: StubServer) -> None:
    """A ListResponse's Resources become Users."""
    page = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 1,
        "Resources": [USER],
    }
    stub.queue(Reply(body=page))
    with stub.client() as client:
        response = client.get_users()
    assert isinstance(response.resource, ListResponse)
    assert [u.userName for u in response.resource] == ["dschrute"]


def test_repr_is_short_and_html_is_a_table(stub: StubServer) -> None:
    """The repr names status and resource; the HTML is small tables, not raw JSON."""
    stub.queue(Reply(body=USER))
    with stub.client() as client:
        response = client.get_user("1")
    assert repr(response) == "<SCIMResponse 200 <User dschrute active>>"
    html = response._repr_html_()
    assert html.startswith("<table>") and "dschrute" in html and "W/&quot;7&quot;" in html
    assert '"schemas"' not in html


def test_display_never_raises_on_an_odd_body(stub: StubServer) -> None:
    """A body the models refuse still displays; .resource says what is wrong."""
    odd = {**USER, "active": "sometimes"}
    stub.queue(Reply(body=odd))
    with stub.client() as client:
        response = client.get_user("1")
    assert "User.active must be True or False" in repr(response)
    assert "User.active" in response._repr_html_()
    assert response.to_dict() == odd
    with pytest.raises(ValidationError):
        response.resource  # noqa: B018
