"""Filters (RFC 7644 §3.4.2.2), evaluated by the database through Store.search."""

from __future__ import annotations

from typing import Any

import pytest
from scim2_models import SCIMException

from scim_helper.server.store import Store

from .builders import ENTERPRISE, group, ids, user


@pytest.fixture
def office(store: Store, tenant: str) -> dict[str, Any]:
    """Four users and two groups with every kind of attribute the filters touch."""
    michael = user(
        store,
        tenant,
        "MScott",
        externalId="EXT-1",
        displayName="Michael Scott",
        name={"givenName": "Michael", "familyName": "Scott"},
        title="Regional Manager",
        active=True,
        emails=[
            {"value": "Michael@DunderMifflin.com", "type": "work", "primary": True},
            {"value": "mike@home.example", "type": "home"},
        ],
        addresses=[{"type": "work", "locality": "Scranton", "country": "US"}],
        **{ENTERPRISE: {"department": "Management", "manager": {"value": "david-id"}}},
    )
    dwight = user(
        store,
        tenant,
        "dschrute",
        externalId="ext-2",
        name={"givenName": "Dwight", "familyName": "Schrute"},
        title="Assistant to the Regional Manager",
        active=True,
        emails=[{"value": "dwight@dundermifflin.com", "type": "work"}],
        phoneNumbers=[{"value": "555-0100", "type": "work"}],
        **{ENTERPRISE: {"department": "Sales", "employeeNumber": "42"}},
    )
    jim = user(
        store,
        tenant,
        "jhalpert",
        name={"givenName": "Jim", "familyName": "Halpert"},
        active=False,
        emails=[{"value": "jim@athlead.example", "type": "work"}],
        **{ENTERPRISE: {"department": "Sales"}},
    )
    toby = user(store, tenant, "tflenderson", active=True)
    sales = group(store, tenant, "Sales", dwight, jim)
    managers = group(store, tenant, "Managers", michael)
    return {
        "michael": michael["id"],
        "dwight": dwight["id"],
        "jim": jim["id"],
        "toby": toby["id"],
        "sales": sales["id"],
        "managers": managers["id"],
        "store": store,
        "tenant": tenant,
    }


def found(office: dict[str, Any], filter: str, *rtypes: str) -> set[str]:
    """The names (keys of ``office``) a filter selects."""
    names = {v: k for k, v in office.items() if isinstance(v, str)}
    selected = ids(office["store"], office["tenant"], filter, rtypes or ("User",))
    return {names[i] for i in selected}


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ('userName eq "mscott"', {"michael"}),
        ('userName ne "mscott"', {"dwight", "jim", "toby"}),
        ('userName co "SCH"', {"dwight"}),
        ('userName sw "j"', {"jim"}),
        ('userName ew "RT"', {"jim"}),
        ("title pr", {"michael", "dwight"}),
        ('userName gt "mscott"', {"toby"}),
        ('userName ge "mscott"', {"michael", "toby"}),
        ('userName lt "jhalpert"', {"dwight"}),
        ('userName le "jhalpert"', {"dwight", "jim"}),
    ],
)
def test_rfc7644_3_4_2_2_every_operator(office: dict[str, Any], filter: str, expected: set) -> None:
    """eq ne co sw ew pr gt ge lt le select what the RFC says."""
    assert found(office, filter) == expected


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ('userName eq "mscott" or userName eq "jhalpert"', {"michael", "jim"}),
        ("active eq true and title pr", {"michael", "dwight"}),
        ("not (active eq true)", {"jim"}),
        ('(userName sw "d" or userName sw "j") and not (active eq false)', {"dwight"}),
        ('title pr and (userName eq "jhalpert" or name.familyName eq "scott")', {"michael"}),
        ('userName eq "mscott" or userName eq "dschrute" and active eq false', {"michael"}),
    ],
)
def test_rfc7644_3_4_2_2_logical_operators_and_grouping(
    office: dict[str, Any], filter: str, expected: set
) -> None:
    """and, or, not and parentheses combine with and binding tighter than or."""
    assert found(office, filter) == expected


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ('emails[type eq "work" and value co "@dundermifflin"]', {"michael", "dwight"}),
        ('emails[type eq "home"]', {"michael"}),
        ('emails[type eq "work"].value eq "jim@athlead.example"', {"jim"}),
        ('emails[not (type eq "work")]', {"michael"}),
        ('emails.value eq "dwight@dundermifflin.com"', {"dwight"}),
        ('emails co "athlead"', {"jim"}),
        ("emails pr", {"michael", "dwight", "jim"}),
        ("emails.primary eq true", {"michael"}),
        ('phoneNumbers[type eq "work" and value eq "555-0100"]', {"dwight"}),
        ('addresses[locality eq "scranton"]', {"michael"}),
        ('addresses.country eq "US"', {"michael"}),
        ('emails.value ne "jim@athlead.example"', {"michael", "dwight", "toby"}),
    ],
)
def test_rfc7644_3_4_2_2_multi_valued_and_value_path(
    office: dict[str, Any], filter: str, expected: set
) -> None:
    """valuePath filters, sub-attributes of multi-valued attributes and the Entra form."""
    assert found(office, filter) == expected


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ('name.familyName sw "S"', {"michael", "dwight"}),
        ('name.givenName eq "jim"', {"jim"}),
        ('NAME.FAMILYNAME eq "halpert"', {"jim"}),
        (f'{ENTERPRISE}:department eq "Sales"', {"dwight", "jim"}),
        (f'{ENTERPRISE}:manager.value eq "david-id"', {"michael"}),
        (f"{ENTERPRISE}:employeeNumber pr", {"dwight"}),
        (f'{ENTERPRISE.upper()}:DEPARTMENT eq "management"', {"michael"}),
        ('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "toflenderson"', set()),
        ('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "tflenderson"', {"toby"}),
    ],
)
def test_rfc7644_3_4_2_2_sub_attributes_and_urns(
    office: dict[str, Any], filter: str, expected: set
) -> None:
    """Sub-attributes and URN-qualified names, with attribute names in any case."""
    assert found(office, filter) == expected


def test_rfc7644_3_4_2_2_case_exact_is_honoured(office: dict[str, Any]) -> None:
    """caseExact=false attributes ignore case; id and externalId (caseExact) do not."""
    assert found(office, 'userName eq "MSCOTT"') == {"michael"}
    assert found(office, 'emails.value eq "MICHAEL@dundermifflin.com"') == {"michael"}
    assert found(office, 'externalId eq "EXT-1"') == {"michael"}
    assert found(office, 'externalId eq "ext-1"') == set()
    assert found(office, f'id eq "{office["michael"]}"') == {"michael"}
    assert found(office, f'id eq "{office["michael"].upper()}"') == set()


def test_rfc7643_4_1_groups_value_filter(office: dict[str, Any]) -> None:
    """groups.value eq selects the direct members of a group (the transcript's filter)."""
    assert found(office, f'groups.value eq "{office["sales"]}"') == {"dwight", "jim"}
    assert found(office, f'groups[value eq "{office["managers"]}"]') == {"michael"}
    assert found(office, 'groups.display eq "managers"') == {"michael"}
    assert found(office, "not (groups pr)") == {"toby"}


def test_rfc7644_3_4_2_2_group_filters(office: dict[str, Any]) -> None:
    """Groups filter on displayName and on members."""
    assert found(office, 'displayName eq "sales"', "Group") == {"sales"}
    assert found(office, f'members.value eq "{office["michael"]}"', "Group") == {"managers"}
    assert found(office, 'members[display eq "jhalpert"]', "Group") == {"sales"}
    assert found(office, 'members[type eq "User"]', "Group") == {"sales", "managers"}


def test_rfc7644_3_4_2_2_meta_dates_compare_as_dates(office: dict[str, Any]) -> None:
    """meta.created and meta.lastModified compare with gt/lt as dateTimes."""
    store, tenant = office["store"], office["tenant"]
    michael = store.get(tenant, "User", office["michael"])
    created = michael["meta"]["created"]
    assert found(office, 'meta.created gt "2000-01-01T00:00:00Z"') == {
        "michael",
        "dwight",
        "jim",
        "toby",
    }
    assert found(office, f'meta.created le "{created}"') == {"michael"}
    assert found(office, 'meta.lastModified lt "2000-01-01T00:00:00+00:00"') == set()
    assert found(office, 'meta.resourceType eq "user"') == {"michael", "dwight", "jim", "toby"}


def test_rfc7644_3_4_2_2_version_past_any_integer_matches_nothing(office: dict[str, Any]) -> None:
    """meta.version with more digits than the database holds is no version: eq finds
    nothing and ne everything, instead of an integer overflow (a 500)."""
    everyone = {"michael", "dwight", "jim", "toby"}
    for digits in ("99999999999999999999", "9" * 5000):
        assert found(office, f'meta.version eq "W/\\"{digits}\\""') == set()
        assert found(office, f'meta.version eq "{digits}"') == set()
        assert found(office, f'meta.version ne "W/\\"{digits}\\""') == everyone


def test_rfc7644_3_4_2_2_search_over_both_types(office: dict[str, Any]) -> None:
    """Across Users and Groups, an attribute one type lacks is false for that type."""
    assert found(office, 'userName eq "mscott" or displayName eq "Sales"', "User", "Group") == {
        "michael",
        "sales",
    }


@pytest.mark.parametrize(
    "value",
    [
        "x' OR '1'='1",
        'x" OR 1=1 --',
        "'; DROP TABLE resources; --",
        "%",
        "_",
        "\\",
    ],
)
def test_rfc7644_7_sql_looking_values_are_data(office: dict[str, Any], value: str) -> None:
    """Values that look like SQL or LIKE wildcards match only themselves."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    assert found(office, f'userName eq "{escaped}"') == set()
    assert found(office, f'userName co "{escaped}"') == set()
    assert found(office, "userName pr") == {"michael", "dwight", "jim", "toby"}


def test_rfc7644_3_4_2_2_like_wildcards_match_literally(store: Store, tenant: str) -> None:
    """% and _ inside co/sw/ew values are literal characters."""
    user(store, tenant, "100%_sure")
    user(store, tenant, "100xsure")
    assert len(ids(store, tenant, 'userName co "%_"')) == 1
    assert len(ids(store, tenant, 'userName sw "100%"')) == 1


@pytest.mark.parametrize(
    ("filter", "message"),
    [
        ("userName eq", "The filter 'userName eq' is incomplete: a value must follow 'eq'"),
        ("userName", "an operator"),
        ('userName eq "x" and', "ends too early"),
        ("userName eq bjensen", "double quotes"),
        ('(userName eq "x"', "closing parenthesis"),
        # The messages below read lark's errors (its expected terminals, its column): these
        # cases fail if a scim2-models or lark release changes what they report.
        ('userName "x" eq "y"', "has '\"x\"' at column 10 where an operator (eq, ne"),
        ("userName eq )", "needs a value after 'eq' at column 13"),
        ('userName eq "x" userName', "unexpected 'userName' at column 17"),
        ('userName eq "x" #', "a character the SCIM grammar does not allow at column 17 ('#')"),
        ('favouriteColour eq "blue"', "'favouriteColour'"),
        ('name.nickname eq "x"', "'name.nickname'"),
        ('emails[bogus eq "x"]', "bogus is not a sub-attribute of emails"),
        ('title[value eq "x"]', "not multi-valued"),
        ("active gt true", "boolean"),
        ('active eq "yes"', "boolean"),
        ("userName eq 12", "double quotes"),
        ('meta.created gt "yesterday"', "dateTime"),
        ('name eq "x"', "complex"),
    ],
)
def test_rfc7644_3_4_2_2_invalid_filters(
    store: Store, tenant: str, filter: str, message: str
) -> None:
    """A wrong filter is 400 invalidFilter with a message saying what is wrong."""
    with pytest.raises(SCIMException) as info:
        store.search(tenant, ["User"], filter=filter)
    assert info.value.scim_type == "invalidFilter"
    assert message in info.value.detail


@pytest.mark.parametrize("depth", [65, 10_000])
def test_rfc7644_3_4_2_2_deep_nesting_is_invalid_filter(
    store: Store, tenant: str, depth: int
) -> None:
    """Thousands of nested parentheses or nots are invalidFilter, never a RecursionError."""
    for text in (
        "(" * depth + 'userName eq "x"' + ")" * depth,
        "not (" * depth + 'userName eq "x"' + ")" * depth,
    ):
        with pytest.raises(SCIMException) as info:
            store.search(tenant, ["User"], filter=text)
        assert info.value.scim_type == "invalidFilter"


def test_rfc7644_3_4_2_2_moderate_nesting_works(office: dict[str, Any]) -> None:
    """A few levels of parentheses are fine."""
    assert found(office, "((((" + 'userName eq "mscott"' + "))))") == {"michael"}


def test_rfc7644_3_4_2_2_parentheses_inside_strings_are_not_nesting(
    store: Store, tenant: str
) -> None:
    """Parentheses inside a quoted value do not count as nesting."""
    user(store, tenant, "a" + "(" * 100)
    assert len(ids(store, tenant, 'userName eq "a' + "(" * 100 + '"')) == 1


# -- The `attr eq "value"` fast path gives what the parser gives ------------------------------

FAST_PATH_FILTERS = [
    'userName eq "bjensen"',
    'USERNAME eq "BJensen"',
    'userName EQ "x"',
    'userName Eq ""',
    '  userName \t eq\n"padded"  ',
    'name.familyName eq "Schrute"',
    'emails.value eq "michael@dundermifflin.com"',
    'groups.value eq "3f1c"',
    'members.value eq "3f1c"',
    'externalId eq "EXT-1"',
    'id eq "2819c223-7f76-453a-919d-413861904646"',
    'displayName eq "Dunder Mifflin (Scranton)"',
    'title eq "it\'s (not) \\"quoted\\""',
    'title eq "a/b"',
    'title eq "caf\u00e9 \U0001f600"',
    'meta.location eq "x"',
    'meta.resourceType eq "User"',
    'meta.lastModified eq "2024-05-13T04:42:34Z"',
    'meta.created eq "not a date"',
    'meta.version eq "W/\\"3\\""',
    'meta.version eq "3"',
    'password eq "secret"',
    'active eq "true"',
    'name eq "x"',
    'emails eq "x"',
    'nosuch eq "x"',
    'name.nosuch eq "x"',
    '$ref eq "x"',
    'a-b_c$d eq "x"',
    'notes eq "x"',
    'order eq "x"',
    'name.pr eq "x"',
    'name.and eq "x"',
    'not eq "x"',
    'and eq "x"',
    'pr eq "x"',
    'eq eq "x"',
    'true eq "x"',
    'null eq "x"',
    'userName eq"x"',
    'userName eq "x" ',
    'userNameeq "x"',
    "userName eq x",
    'userName eq "x',
    'userName eq "a\tb"',
    'userName eq "a\\tb"',
    'userName eq "\\u00e9"',
    'userName eq "x" and active eq true',
    'userName eq "x" or userName eq "y"',
    '(userName eq "x")',
    'not (userName eq "x")',
    'userName ne "x"',
    "userName eq 1",
    "userName eq null",
    "userName eq true",
    'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"',
    '1userName eq "x"',
    'name.familyName.x eq "x"',
    'emails[type eq "work"].value eq "x"',
    'emails[value eq "x"]',
    'userName eq "\ud800"',
]


def _parsed(text: str) -> Any:
    from scim2_models.exceptions import InvalidFilterException
    from scim2_models.path.grammar import _parse_filter

    try:
        return _parse_filter(text)
    except InvalidFilterException:
        return None


@pytest.mark.parametrize("text", FAST_PATH_FILTERS)
def test_fast_path_builds_the_parsers_node(text: str) -> None:
    """The `attr eq "value"` fast path builds the parser's node, or leaves the filter to it."""
    from scim_helper.server.filters import _simple_eq

    fast = _simple_eq(text)
    if fast is not None:
        assert fast == _parsed(text)
        assert type(fast.value) is str


def test_fast_path_is_taken_for_plain_equality() -> None:
    """userName, sub-attribute and multi-valued equality skip the parser."""
    from scim_helper.server.filters import _simple_eq

    for text in ('userName eq "bjensen"', 'name.familyName EQ "x"', 'emails.value eq "a@b.c"'):
        assert _simple_eq(text) is not None
    for text in ('userName eq "a\\"b"', 'not eq "x"', 'userName eq "x" and active eq true'):
        assert _simple_eq(text) is None


def _compiled(rtypes: list[str], text: str) -> str:
    from sqlalchemy.dialects import postgresql, sqlite

    from scim_helper.server.filters import compile_filter

    try:
        clause = compile_filter(rtypes, text)
    except SCIMException as exc:
        return f"error {exc.status} {exc.scim_type} {exc.detail}"
    return "\n".join(
        str(clause.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        for dialect in (sqlite.dialect(), postgresql.dialect())
    )


@pytest.mark.parametrize("rtypes", [["User"], ["Group"], ["User", "Group"]])
def test_fast_path_compiles_to_the_same_sql_and_errors(
    rtypes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every filter compiles to the same SQL, or the same error, with and without the fast path."""
    from scim_helper.server import filters

    fast = {text: _compiled(rtypes, text) for text in FAST_PATH_FILTERS if "\ud800" not in text}
    monkeypatch.setattr(filters, "_simple_eq", lambda text: None)
    slow = {text: _compiled(rtypes, text) for text in fast}
    assert fast == slow


def test_fast_path_refuses_half_a_surrogate_pair_like_the_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A lone surrogate is 400 invalidFilter with the same message on either path."""
    from scim_helper.server import filters

    text = 'userName eq "\ud800"'
    with pytest.raises(SCIMException) as fast:
        filters.parse_filter(text)
    monkeypatch.setattr(filters, "_simple_eq", lambda text: None)
    with pytest.raises(SCIMException) as slow:
        filters.parse_filter(text)
    assert (fast.value.scim_type, fast.value.detail) == (slow.value.scim_type, slow.value.detail)


@pytest.fixture
def presence(store: Store, tenant: str) -> dict[str, Any]:
    """Users with a value, with an empty value, and without each attribute ``pr`` tests."""
    full = user(
        store,
        tenant,
        "with",
        title="Manager",
        name={"givenName": "Michael"},
        emails=[{"value": "m@dundermifflin.com"}],
        **{ENTERPRISE: {"manager": {"value": "david-id"}}},
    )
    empty = user(
        store,
        tenant,
        "empty",
        title="",
        name={},
        emails=[],
        **{ENTERPRISE: {"manager": {}, "department": "Sales"}},
    )
    blank = user(
        store,
        tenant,
        "blank",
        name={"givenName": "", "familyName": ""},
        emails=[{"value": ""}],
        **{ENTERPRISE: {"manager": {"value": "", "displayName": ""}}},
    )
    without = user(store, tenant, "without")
    people = {"with": full, "empty": empty, "blank": blank, "without": without}
    return {
        **{name: resource["id"] for name, resource in people.items()},
        "store": store,
        "tenant": tenant,
    }


@pytest.mark.parametrize(
    "attribute",
    [
        "name",
        "emails",
        "title",
        f"{ENTERPRISE}:manager",
        f"{ENTERPRISE.upper()}:MANAGER",
        "manager",
        f"{ENTERPRISE}:manager.value",
    ],
)
def test_rfc7644_3_4_2_2_present_needs_a_non_empty_value(
    presence: dict[str, Any], attribute: str
) -> None:
    """pr matches a non-empty value or a non-empty complex node: not {}, "", [] or absent."""
    assert found(presence, f"{attribute} pr") == {"with"}
    assert found(presence, f"not ({attribute} pr)") == {"empty", "blank", "without"}


def test_rfc7644_3_4_2_2_present_on_complex_with_any_sub_attribute(
    store: Store, tenant: str
) -> None:
    """A complex attribute is present when any one of its sub-attributes has a value."""
    family = user(store, tenant, "family", name={"familyName": "Scott"})["id"]
    ref = user(store, tenant, "ref", **{ENTERPRISE: {"manager": {"$ref": "../Users/x"}}})["id"]
    user(store, tenant, "none")
    assert ids(store, tenant, "name pr") == {family}
    assert ids(store, tenant, "manager pr") == {ref}


def test_rfc7643_2_5_empty_complex_value_is_not_stored(store: Store, tenant: str) -> None:
    """{} holds no sub-attribute: the attribute stays unassigned and is not returned."""
    created = user(store, tenant, "empty", name={}, **{ENTERPRISE: {"manager": {}}})
    assert "name" not in created
    assert ENTERPRISE not in created
    assert created["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:User"]
    assert store.get(tenant, "User", created["id"]) == created


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        # ne: "the attribute and operator values are not identical"; an absent value is not
        # identical to any value (our reading: the RFC does not say it outright).
        ('title ne "Manager"', {"empty", "blank", "without"}),
        ('title ne ""', {"with", "blank", "without"}),
        ('name.givenName ne "Michael"', {"empty", "blank", "without"}),
        (f'{ENTERPRISE}:manager.value ne "david-id"', {"empty", "blank", "without"}),
        ('emails.value ne "m@dundermifflin.com"', {"empty", "blank", "without"}),
        # not (x eq v) selects exactly what x ne v selects, absent values included.
        ('not (title eq "Manager")', {"empty", "blank", "without"}),
        ('not (name.givenName eq "Michael")', {"empty", "blank", "without"}),
        ('not (title sw "M")', {"empty", "blank", "without"}),
        ('not (title ne "Manager")', {"with"}),
        ("title eq null", {"blank", "without"}),
        ("title ne null", {"with", "empty"}),
    ],
)
def test_rfc7644_3_4_2_2_ne_and_not_on_absent_and_empty_values(
    presence: dict[str, Any], filter: str, expected: set
) -> None:
    """ne and not (…) count an absent value as different from every value; "" is a value."""
    assert found(presence, filter) == expected
