"""attributes, excludedAttributes and ``returned`` (RFC 7644 §3.4.2.5, RFC 7643 §7)."""

from __future__ import annotations

from typing import Any

import pytest
from scim2_models import InvalidValueException

from scim_helper.server.projection import Projection

from .conftest import ENTERPRISE, USER, Api, assert_scim_error

DOCUMENT: dict[str, Any] = {
    "schemas": [USER, ENTERPRISE],
    "id": "42",
    "externalId": "e-42",
    "userName": "dwallace",
    "password": "hunter2",
    "name": {"givenName": "David", "familyName": "Wallace"},
    "emails": [{"value": "d@dm.example", "type": "work", "primary": True}],
    ENTERPRISE: {"employeeNumber": "1", "manager": {"value": "7", "displayName": "Jo"}},
    "meta": {"resourceType": "User", "version": 'W/"1"'},
}


def test_rfc7643_7_password_is_never_returned() -> None:
    """password (returned: never) is left out, even when asked for by name."""
    assert "password" not in Projection("User").apply(DOCUMENT)
    assert "password" not in Projection("User", ["password"]).apply(DOCUMENT)


def test_rfc7644_3_4_2_5_attributes_keep_only_those_named_and_always() -> None:
    """attributes returns the named attributes plus id and schemas (returned: always)."""
    result = Projection("User", ["userName"]).apply(DOCUMENT)
    assert result == {"schemas": [USER, ENTERPRISE], "id": "42", "userName": "dwallace"}


def test_rfc7644_3_4_2_5_attribute_names_are_case_insensitive() -> None:
    """USERNAME selects userName."""
    assert "userName" in Projection("User", ["USERNAME"]).apply(DOCUMENT)


def test_rfc7644_3_4_2_5_sub_attribute_selects_part_of_a_complex_value() -> None:
    """name.givenName returns name with only givenName; emails.value does so per value."""
    result = Projection("User", ["name.givenName", "emails.value"]).apply(DOCUMENT)
    assert result["name"] == {"givenName": "David"}
    assert result["emails"] == [{"value": "d@dm.example"}]


def test_rfc7644_3_4_2_5_urn_qualified_names() -> None:
    """A URN-qualified name reaches into the extension; a bare URN takes all of it."""
    result = Projection("User", [f"{ENTERPRISE}:manager.value", f"{USER}:userName"]).apply(DOCUMENT)
    assert result[ENTERPRISE] == {"manager": {"value": "7"}}
    assert result["userName"] == "dwallace"
    assert Projection("User", [ENTERPRISE]).apply(DOCUMENT)[ENTERPRISE] == DOCUMENT[ENTERPRISE]


def test_rfc7644_3_4_2_5_excluded_attributes_drop_only_those() -> None:
    """excludedAttributes removes the named attributes and keeps the rest."""
    result = Projection("User", excluded=["emails", "name.familyName", "meta"]).apply(DOCUMENT)
    assert "emails" not in result and "meta" not in result
    assert result["name"] == {"givenName": "David"}
    assert result["userName"] == "dwallace"


def test_rfc7643_7_always_attributes_cannot_be_excluded() -> None:
    """id (returned: always) stays even when excluded."""
    assert Projection("User", excluded=["id"]).apply(DOCUMENT)["id"] == "42"


def test_rfc7644_3_4_2_5_attributes_and_excluded_together_are_invalid() -> None:
    """attributes and excludedAttributes are mutually exclusive."""
    with pytest.raises(InvalidValueException):
        Projection("User", ["userName"], ["emails"])


def test_rfc7644_3_4_2_5_attributes_over_http(api: Api) -> None:
    """GET /Users/{id}?attributes=userName returns id, schemas and userName only."""
    user = api.create_user("projected", displayName="Projected", password="Secret-123")
    assert "password" not in user
    body = api.get(f"/Users/{user['id']}", params={"attributes": "userName"}).json()
    assert set(body) == {"schemas", "id", "userName"}


def test_rfc7644_3_4_2_5_excluded_attributes_over_http_in_lists(api: Api) -> None:
    """GET /Users?excludedAttributes=displayName,meta leaves them out of every resource."""
    api.create_user("listed", displayName="Listed")
    body = api.get("/Users", params={"excludedAttributes": "displayName,meta"}).json()
    assert body["Resources"] and all(
        "displayName" not in r and "meta" not in r for r in body["Resources"]
    )


def test_rfc7644_3_9_attributes_on_create(api: Api) -> None:
    """POST /Users?attributes=userName answers 201 with only the asked-for attributes."""
    response = api.post(
        "/Users", params={"attributes": "userName"}, json={"schemas": [USER], "userName": "p1"}
    )
    assert response.status_code == 201
    assert set(response.json()) == {"schemas", "id", "userName"}


def test_rfc7644_3_4_2_5_both_parameters_over_http_is_invalid_value(api: Api) -> None:
    """attributes with excludedAttributes is a 400 invalidValue."""
    response = api.get("/Users", params={"attributes": "userName", "excludedAttributes": "id"})
    assert_scim_error(response, 400, "invalidValue")
