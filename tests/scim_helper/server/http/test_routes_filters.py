"""The filter parameter over HTTP: the full RFC 7644 §3.4.2.2 grammar, evaluated in SQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from scim_helper.server.runner import LocalServer

from .conftest import ENTERPRISE, PATCH_OP, USER, Api, assert_scim_error

SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


@pytest.fixture
def office(api: Api) -> dict[str, str]:
    """Three users and a group in a fresh tenant; names → ids."""
    michael = api.create_user(
        "MScott",
        externalId="EXT-1",
        title="Regional Manager",
        active=True,
        name={"givenName": "Michael", "familyName": "Scott"},
        emails=[
            {"value": "michael@dundermifflin.com", "type": "work", "primary": True},
            {"value": "mike@home.example", "type": "home"},
        ],
        **{ENTERPRISE: {"department": "Management"}},
    )
    dwight = api.create_user(
        "dschrute",
        title="Assistant to the Regional Manager",
        active=True,
        name={"givenName": "Dwight", "familyName": "Schrute"},
        emails=[{"value": "dwight@dundermifflin.com", "type": "work"}],
        **{ENTERPRISE: {"department": "Sales"}},
    )
    jim = api.create_user(
        "jhalpert",
        active=False,
        emails=[{"value": "jim@athlead.example", "type": "work"}],
        **{ENTERPRISE: {"department": "Sales"}},
    )
    sales = api.create_group("Sales", members=[{"value": dwight["id"]}, {"value": jim["id"]}])
    people = {"michael": michael, "dwight": dwight, "jim": jim, "sales": sales}
    return {name: resource["id"] for name, resource in people.items()}


def _found(api: Api, office: dict[str, str], filter: str, endpoint: str = "/Users") -> set[str]:
    response = api.get(endpoint, params={"filter": filter})
    assert response.status_code == 200, response.text
    names = {v: k for k, v in office.items()}
    return {names[r["id"]] for r in response.json()["Resources"]}


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ('userName eq "mscott"', {"michael"}),
        ('userName ne "mscott"', {"dwight", "jim"}),
        ('userName co "SCH"', {"dwight"}),
        ('userName sw "j"', {"jim"}),
        ('userName ew "RT"', {"jim"}),
        ("title pr", {"michael", "dwight"}),
        ('userName gt "jhalpert"', {"michael"}),
        ('userName ge "jhalpert"', {"michael", "jim"}),
        ('userName lt "jhalpert"', {"dwight"}),
        ('userName le "jhalpert"', {"dwight", "jim"}),
        ('userName eq "mscott" or userName eq "jhalpert"', {"michael", "jim"}),
        ("active eq true and title pr", {"michael", "dwight"}),
        ("not (active eq true)", {"jim"}),
        ('(userName sw "d" or userName sw "j") and not (active eq false)', {"dwight"}),
        ('emails[type eq "work" and value co "@dundermifflin"]', {"michael", "dwight"}),
        ('emails[type eq "home"]', {"michael"}),
        ('emails.value eq "jim@athlead.example"', {"jim"}),
        ('name.familyName sw "S"', {"michael", "dwight"}),
        ('NAME.FAMILYNAME eq "scott"', {"michael"}),
        ('USERNAME Eq "dschrute"', {"dwight"}),
        (f'{ENTERPRISE}:department eq "Sales"', {"dwight", "jim"}),
        ('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "jhalpert"', {"jim"}),
    ],
)
def test_rfc7644_3_4_2_2_filter_grammar(
    api: Api, office: dict[str, str], filter: str, expected: set[str]
) -> None:
    """Every operator, and/or/not, parentheses, valuePath, sub-attributes and URNs."""
    assert _found(api, office, filter) == expected


def test_rfc7644_3_4_2_2_case_exact_is_honoured(api: Api, office: dict[str, str]) -> None:
    """userName (caseExact false) ignores case; id and externalId (caseExact true) do not."""
    assert _found(api, office, 'userName eq "MSCOTT"') == {"michael"}
    assert _found(api, office, 'externalId eq "EXT-1"') == {"michael"}
    assert _found(api, office, 'externalId eq "ext-1"') == set()
    assert _found(api, office, f'id eq "{office["michael"].upper()}"') == set()


def test_rfc7643_4_1_user_groups_are_computed_and_filterable(
    api: Api, office: dict[str, str]
) -> None:
    """User.groups comes from membership, and groups.value finds a group's members."""
    groups = api.get(f"/Users/{office['dwight']}").json()["groups"]
    assert [(g["value"], g["display"]) for g in groups] == [(office["sales"], "Sales")]
    assert _found(api, office, f'groups.value eq "{office["sales"]}"') == {"dwight", "jim"}
    assert _found(api, office, "not (groups pr)") == {"michael"}


def test_rfc7644_3_4_2_2_group_filters(api: Api, office: dict[str, str]) -> None:
    """Groups filter on displayName and on members."""
    assert _found(api, office, 'displayName eq "sales"', "/Groups") == {"sales"}
    by_member = f'members[value eq "{office["jim"]}"]'
    assert _found(api, office, by_member, "/Groups") == {"sales"}


def test_rfc7644_3_4_2_2_bad_filter_is_invalid_filter(api: Api) -> None:
    """A filter that does not parse, or names an unknown attribute, is a 400 invalidFilter."""
    assert_scim_error(api.get("/Users", params={"filter": "userName eq"}), 400, "invalidFilter")
    response = api.get("/Users", params={"filter": 'favoriteBeet eq "x"'})
    assert_scim_error(response, 400, "invalidFilter")


def _user_names(api: Api, filter: str) -> set[str]:
    response = api.post("/Users/.search", json={"schemas": [SEARCH], "filter": filter, "count": 50})
    assert response.status_code == 200, response.text
    return {r["userName"] for r in response.json()["Resources"]}


def test_rfc7644_3_4_2_2_present_over_http(db_api: Api) -> None:
    """pr on complex, multi-valued and extension attributes, written with, without and with
    an empty value, as a client sends them (the chapter 5 question, issue 11)."""
    db_api.create_user(
        "michael",
        name={"givenName": "Michael"},
        emails=[{"value": "michael@dundermifflin.com"}],
        **{ENTERPRISE: {"manager": {"value": "david-id"}}},
    )
    empty = db_api.create_user("david", name={}, emails=[], **{ENTERPRISE: {"manager": {}}})
    db_api.create_user("toby")
    # {} holds nothing, so it is not stored, not returned (RFC 7643 §2.5) and not present.
    assert "name" not in empty and ENTERPRISE not in empty
    assert empty["schemas"] == [USER]
    for attribute in ("name", "emails", f"{ENTERPRISE}:manager", "manager"):
        assert _user_names(db_api, f"{attribute} pr") == {"michael"}, attribute
        assert _user_names(db_api, f"not ({attribute} pr)") == {"david", "toby"}, attribute
    response = db_api.get("/Users", params={"filter": f"not ({ENTERPRISE}:manager pr)"})
    assert {r["userName"] for r in response.json()["Resources"]} == {"david", "toby"}


@pytest.fixture
def statements(local_server: LocalServer) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements the server runs, with their parameters, while the test runs."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        seen.append((statement, parameters))

    engine = local_server.store.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_filters_are_evaluated_by_the_database(
    api: Api, office: dict[str, str], statements: list[tuple[str, Any]]
) -> None:
    """The filter becomes a WHERE clause with the value bound, not a scan in Python."""
    value = "needle@dundermifflin.com"
    response = api.get("/Users", params={"filter": f'emails.value eq "{value}"'})
    assert response.status_code == 200 and response.json()["totalResults"] == 0
    selects = [
        (sql, params)
        for sql, params in statements
        if sql.lstrip().upper().startswith("SELECT") and "WHERE" in sql.upper()
    ]
    assert any(value in repr(params) for _, params in selects), selects
    assert all(value not in sql for sql, _ in statements), "values are bound, never inlined"


def test_rfc7644_3_4_2_3_sort_by_meta_is_refused_as_complex(api: Api) -> None:
    """meta is a complex attribute (RFC 7643 §3.1): sortBy=meta is a 400 invalidValue that says
    to sort by a sub-attribute, like sortBy=name, not a list in some order of our choosing."""
    for attribute in ("meta", "name"):
        response = api.get("/Users", params={"sortBy": attribute})
        assert_scim_error(response, 400, "invalidValue")
        detail = f"sortBy='{attribute}' is complex: sort by a sub-attribute."
        assert response.json()["detail"] == detail


def test_rfc7644_3_5_2_member_filter_sees_only_this_groups_members(api: Api) -> None:
    """A PATCH path ``members[value eq "id"]`` filters the members of the group patched: a user
    who is a member of another group only is no target there (RFC 7644 §3.12 noTarget)."""
    kevin = api.create_user("kmalone")
    oscar = api.create_user("omartinez")
    accounting = api.create_group("Accounting", members=[{"value": kevin["id"]}])
    api.create_group("Finance", members=[{"value": oscar["id"]}])
    for op, path, value in (
        ("replace", f'members[value eq "{oscar["id"]}"].display', "Oscar"),
        ("remove", f'members[value eq "{oscar["id"]}"]', None),
    ):
        operation = {"op": op, "path": path} | ({"value": value} if value else {})
        response = api.patch(
            f"/Groups/{accounting['id']}",
            json={"schemas": [PATCH_OP], "Operations": [operation]},
        )
        assert_scim_error(response, 400, "noTarget")
        assert response.json()["detail"] == f"Operation 1: no member matches {path!r}."
    members = api.get(f"/Groups/{accounting['id']}").json()["members"]
    assert [m["value"] for m in members] == [kevin["id"]]
