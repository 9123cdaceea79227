"""attributes/excludedAttributes at their edges (RFC 7644 §3.4.2.5, RFC 7643 §7; issue 18).

The course's schemas have only ``always`` (id) and ``never`` (password) besides ``default``;
the ``request`` and sub-attribute rules are pinned with attribute tables built here, as a
custom schema would declare them.
"""

from __future__ import annotations

from typing import Any

import pytest
from scim2_models import SCIMException

from scim_helper.server.projection import (
    _DROP,
    ALWAYS,
    DEFAULT,
    NEVER,
    REQUEST,
    Projection,
    _Attribute,
    split_names,
)

from .conftest import ENTERPRISE, USER, Api

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
DOCUMENT: dict[str, Any] = {
    "schemas": [USER, ENTERPRISE],
    "id": "42",
    "userName": "dwallace",
    "title": "CFO",
    "password": "hunter2",
    "name": {"givenName": "David", "familyName": "Wallace"},
    "emails": [{"value": "d@dm.example", "type": "work"}, {}],
    "addresses": {},
    ENTERPRISE: {"employeeNumber": "1", "manager": {"value": "7", "displayName": "Jo"}},
    "meta": {"resourceType": "User", "version": 'W/"1"'},
}


@pytest.mark.parametrize(
    ("value", "names"),
    [
        (None, []),
        ("", []),
        ("userName, name.givenName ,,", ["userName", "name.givenName"]),
        (["userName", " emails "], ["userName", "emails"]),
        (("title",), ["title"]),
    ],
)
def test_rfc7644_3_4_2_5_attribute_lists(value: Any, names: list[str]) -> None:
    """A comma-separated parameter or a SearchRequest list gives trimmed, non-empty names."""
    assert split_names(value) == names


def test_rfc7644_3_4_3_attributes_list_of_non_strings_is_invalid_value() -> None:
    """A SearchRequest "attributes" holding a number is 400 invalidValue, saying why."""
    with pytest.raises(SCIMException) as info:
        split_names(["userName", 7])  # type: ignore[list-item]
    assert info.value.scim_type == "invalidValue"
    assert info.value.detail == "attributes and excludedAttributes must be attribute names."


def test_rfc7644_3_4_2_5_both_parameters_detail() -> None:
    """The detail of attributes with excludedAttributes names the section and the fix."""
    with pytest.raises(SCIMException) as info:
        Projection("User", ["userName"], ["emails"])
    assert info.value.detail == (
        "attributes and excludedAttributes cannot be used together (RFC 7644 §3.4.2.5); "
        "send one of them."
    )


def test_rfc7644_3_4_2_5_without_parameters_empty_values_are_dropped() -> None:
    """With no parameters every default attribute is returned, but {} values are not."""
    result = Projection("User").apply(DOCUMENT)
    assert result["emails"] == [{"value": "d@dm.example", "type": "work"}]
    assert "addresses" not in result
    assert result["title"] == "CFO"
    assert result[ENTERPRISE] == DOCUMENT[ENTERPRISE]


def test_rfc7644_3_4_2_5_empty_lists_and_extension_not_an_object_are_dropped() -> None:
    """A list of only empty values, or an extension that is not an object, is left out."""
    document = {**DOCUMENT, "emails": [{}], ENTERPRISE: "not an object"}
    for projection in (Projection("User"), Projection("User", excluded=["title"])):
        result = projection.apply(document)
        assert "emails" not in result
        assert ENTERPRISE not in result


def test_rfc7644_3_4_2_5_excluded_sub_attribute_of_each_value() -> None:
    """excludedAttributes=emails.type drops type from every email and keeps the rest."""
    result = Projection("User", excluded=["emails.type"]).apply(DOCUMENT)
    assert result["emails"] == [{"value": "d@dm.example"}]
    assert result["name"] == DOCUMENT["name"]


def test_rfc7644_3_4_2_5_excluding_every_sub_attribute_drops_the_attribute() -> None:
    """Excluding name's only sub-attributes leaves no name at all, not {}."""
    result = Projection("User", excluded=["name.givenName", "name.familyName"]).apply(DOCUMENT)
    assert "name" not in result


def test_rfc7644_3_4_2_5_excluding_a_whole_extension() -> None:
    """excludedAttributes=<extension URN> drops the extension, in any case."""
    for name in (ENTERPRISE, ENTERPRISE.upper()):
        assert ENTERPRISE not in Projection("User", excluded=[name]).apply(DOCUMENT)


def test_rfc7644_3_4_2_5_excluding_an_extension_attribute() -> None:
    """excludedAttributes=<URN>:manager drops manager and keeps the other attributes."""
    result = Projection("User", excluded=[f"{ENTERPRISE}:manager"]).apply(DOCUMENT)
    assert result[ENTERPRISE] == {"employeeNumber": "1"}


def test_rfc7644_3_4_2_5_asking_for_an_extension_attribute_only() -> None:
    """attributes=<URN>:employeeNumber returns that one extension attribute, no core ones."""
    result = Projection("User", [f"{ENTERPRISE}:employeeNumber"]).apply(DOCUMENT)
    assert result == {
        "schemas": DOCUMENT["schemas"],
        "id": "42",
        ENTERPRISE: {"employeeNumber": "1"},
    }


def test_rfc7644_3_4_2_5_unknown_names_are_ignored() -> None:
    """Names the server does not know select nothing and raise nothing (RFC 7644 §3.4.2.5)."""
    result = Projection("User", ["favouriteColour", "emails.colour"]).apply(DOCUMENT)
    assert result == {"schemas": DOCUMENT["schemas"], "id": "42"}


@pytest.mark.parametrize(
    ("attributes", "excluded", "members"),
    [
        ((), (), True),
        (("members",), (), True),
        (("MEMBERS",), (), True),
        (("members.value",), (), True),
        (("displayName",), (), False),
        ((), ("members",), False),
        ((), ("Members",), False),
        ((), ("members.display",), True),
        ((), ("displayName",), True),
        ((f"{GROUP}:members",), (), True),
    ],
)
def test_rfc7644_3_4_2_5_whether_members_are_read(
    attributes: tuple[str, ...], excluded: tuple[str, ...], members: bool
) -> None:
    """A Group's members are read only when the response can hold some of them."""
    assert Projection("Group", attributes, excluded).returns("members") is members


def test_rfc7643_7_returns_always_and_never() -> None:
    """id is always returned whatever is asked; password never, even when asked for."""
    assert Projection("User", ["userName"]).returns("id") is True
    assert Projection("User", excluded=["id"]).returns("ID") is True
    assert Projection("User", ["password"]).returns("password") is False
    assert Projection("User", ["userName"]).returns("title") is False
    assert Projection("User", ["userName"]).returns("userName") is True


def test_rfc7644_3_4_2_5_excluded_members_are_not_read_over_http(api: Api) -> None:
    """GET /Groups?excludedAttributes=members answers groups without members; asking for
    displayName alone leaves them out too, and attributes=members brings them."""
    member = api.create_user("oscar")
    group = api.post(
        "/Groups",
        json={
            "schemas": [GROUP],
            "displayName": "Accounting",
            "members": [{"value": member["id"]}],
        },
    ).json()
    url = f"/Groups/{group['id']}"
    assert "members" not in api.get(url, params={"excludedAttributes": "members"}).json()
    assert "members" not in api.get(url, params={"attributes": "displayName"}).json()
    assert [
        m["value"] for m in api.get(url, params={"attributes": "members"}).json()["members"]
    ] == [member["id"]]


# -- rules for schemas that declare request/never sub-attributes ---------------------------------

RICH = _Attribute(DEFAULT, {"value": DEFAULT, "secret": NEVER, "id": ALWAYS, "extra": REQUEST})
VALUES = [{"value": "a", "secret": "s", "id": "1", "extra": "e"}, {"secret": "only"}]


def test_rfc7643_7_sub_attribute_returned_rules_without_parameters() -> None:
    """never sub-attributes go, request ones go unless asked, always ones stay; a value left
    empty is dropped, and a list left empty drops the attribute."""
    projection = Projection("User")
    assert projection._sub_filter(RICH, VALUES, keep=None) == [{"value": "a", "id": "1"}]
    assert projection._sub_filter(RICH, [{"secret": "s"}], keep=None) is _DROP
    assert projection._sub_filter(RICH, {"secret": "s"}, keep=None) is _DROP


def test_rfc7643_7_sub_attribute_rules_when_some_are_asked_for() -> None:
    """Asking for extra returns it (request) and id (always), never secret."""
    projection = Projection("User")
    assert projection._sub_filter(RICH, VALUES, keep={"extra"}) == [{"id": "1", "extra": "e"}]
    assert projection._sub_filter(RICH, VALUES[0], keep={"secret"}) == {"id": "1"}


def test_rfc7643_7_excluded_always_sub_attribute_stays() -> None:
    """Excluding an always sub-attribute keeps it; excluding value drops value."""
    projection = Projection("User")
    result = projection._sub_filter(RICH, VALUES[0], keep=None, drop={"id", "value"})
    assert result == {"id": "1"}


def test_rfc7643_7_request_attribute_needs_asking() -> None:
    """An attribute returned on request is left out unless attributes names it."""

    def projection(attributes: tuple[str, ...] = (), excluded: tuple[str, ...] = ()) -> Any:
        made = Projection("User", attributes, excluded)
        made.schemas["urn:x"] = {"n": _Attribute(REQUEST)}
        return made

    assert projection()._select("urn:x", "n", "v") is _DROP
    assert projection(excluded=("title",))._select("urn:x", "n", "v") is _DROP
    assert projection(("userName",))._select("urn:x", "n", "v") is _DROP
    asking = projection(("userName",))
    asking.attributes.add(("urn:x", "n", None))
    assert asking._select("urn:x", "n", "v") == "v"


def test_rfc7644_3_4_2_5_a_name_naming_nothing_is_ignored() -> None:
    """attributes=<core URN>: (nothing after the colon) names no attribute: the response is
    as without the parameter."""
    assert Projection("User", [f"{USER}:"]).apply(DOCUMENT) == Projection("User").apply(DOCUMENT)


def test_rfc7644_3_4_2_5_extension_not_an_object_does_not_stop_the_rest() -> None:
    """An extension value that is not an object is skipped; the attributes after it stay."""
    result = Projection("User").apply({**DOCUMENT, ENTERPRISE: "x"})
    assert ENTERPRISE not in result
    assert result["meta"] == DOCUMENT["meta"]


def test_rfc7643_7_never_attribute_of_an_extension_is_dropped_when_asked_for_whole() -> None:
    """Asking for a whole extension returns its attributes except those returned never."""
    projection = Projection("User", [ENTERPRISE])
    urn = ENTERPRISE.lower()
    projection.schemas[urn] = {**projection.schemas[urn], "secret": _Attribute(NEVER)}
    document = {**DOCUMENT, ENTERPRISE: {"employeeNumber": "1", "Secret": "s"}}
    assert projection.apply(document)[ENTERPRISE] == {"employeeNumber": "1"}
