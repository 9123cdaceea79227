"""Filter edges (RFC 7644 §3.4.2.2), found missing by the mutation run (issue 18).

Every refusal's detail is pinned word for word: a learner reads it (our wording; the RFC only
names the scimType). The other tests pin what each stored operand compares: case rules,
``pr`` on empty values and the indexed column a filter reaches.
"""

from __future__ import annotations

from typing import Any

import pytest
from scim2_models import SCIMException
from sqlalchemy.dialects import sqlite

from scim_helper.server.filters import compile_filter, equalities_only, sort_expression
from scim_helper.server.store import Store

from .builders import ENTERPRISE, group, ids, user


@pytest.mark.parametrize(
    ("rtypes", "text", "scim_type", "detail"),
    [
        (
            ["User"],
            "   ",
            "invalidFilter",
            'The filter is empty: write one like userName eq "bjensen".',
        ),
        (
            ["User"],
            "userName eq",
            "invalidFilter",
            (
                "The filter 'userName eq' is incomplete: a value must follow 'eq' (a "
                '"string" in double quotes, a number, true, false or null).'
            ),
        ),
        (
            ["User"],
            "userName",
            "invalidFilter",
            (
                "The filter 'userName' is incomplete: an operator (eq, ne, co, sw, ew, "
                "gt, ge, lt, le or pr) must follow 'userName'."
            ),
        ),
        (
            ["User"],
            'userName eq "x" and',
            "invalidFilter",
            "The filter 'userName eq \"x\" and' ends too early.",
        ),
        (
            ["User"],
            "userName eq bjensen",
            "invalidFilter",
            (
                "The filter 'userName eq bjensen' needs a value after 'eq' at column "
                '13: strings go in double quotes, e.g. userName eq "bjensen".'
            ),
        ),
        (
            ["User"],
            '(userName eq "x"',
            "invalidFilter",
            ("The filter '(userName eq \"x\"' is missing a closing parenthesis ')'."),
        ),
        (
            ["User"],
            'userName eq "x" )',
            "invalidFilter",
            (
                "The filter 'userName eq \"x\" )' has an unexpected ')' at column 17. "
                "Combine comparisons with and, or, not (…)."
            ),
        ),
        (
            ["User"],
            "userName & 1",
            "invalidFilter",
            (
                "The filter 'userName & 1' has a character the SCIM grammar does not "
                "allow at column 10 ('&'). Strings go in double quotes, e.g. userName "
                'eq "bjensen".'
            ),
        ),
        (
            ["User"],
            'userName eq "x" and (title',
            "invalidFilter",
            (
                "The filter 'userName eq \"x\" and (title' is incomplete: an operator "
                "(eq, ne, co, sw, ew, gt, ge, lt, le or pr) must follow '(title'."
            ),
        ),
        (
            ["User"],
            'emails[value eq "x" and emails[value eq "y"]]',
            "invalidFilter",
            (
                "The filter 'emails[value eq \"x\" and emails[value eq \"y\"]]' has '[' "
                "at column 31 where an operator (eq, ne, co, sw, ew, gt, ge, lt, le or "
                "pr) was expected."
            ),
        ),
        (
            ["User"],
            'meta.location eq "x"',
            "invalidFilter",
            (
                "meta.location is not stored (it is built from the server's URL): "
                'filter on id instead, e.g. id eq "…".'
            ),
        ),
        (
            ["User"],
            'name eq "x"',
            "invalidFilter",
            (
                "name is a complex attribute: compare one of its sub-attributes (e.g. "
                "name.formatted or name.familyName) or test it with pr."
            ),
        ),
        (
            ["User"],
            "title gt null",
            "invalidFilter",
            "null can only be compared with eq or ne (title gt null).",
        ),
        (
            ["User"],
            'active eq "yes"',
            "invalidFilter",
            "active is a boolean: compare it with true or false.",
        ),
        (
            ["User"],
            "active gt true",
            "invalidFilter",
            "The operator gt cannot be applied to the boolean active; use eq or ne.",
        ),
        (
            ["User"],
            'password gt "x"',
            "invalidFilter",
            "password is write-only: it can only be compared with eq or ne.",
        ),
        (
            ["User"],
            "password eq 1",
            "invalidFilter",
            "password is write-only: it can only be compared with eq or ne.",
        ),
        (
            ["User"],
            "groups.value eq 12",
            "invalidFilter",
            (
                "groups.value is a string: put the value in double quotes, e.g. "
                'groups.value eq "12".'
            ),
        ),
        (
            ["User"],
            "groups.display eq 1",
            "invalidFilter",
            (
                "groups.display is a string: put the value in double quotes, e.g. "
                'groups.display eq "1".'
            ),
        ),
        (
            ["User"],
            "groups.type eq 1",
            "invalidFilter",
            ('groups.type is a string: put the value in double quotes, e.g. groups.type eq "1".'),
        ),
        (
            ["User"],
            'groups.$ref eq "x"',
            "invalidFilter",
            "groups.$ref is not stored and cannot be filtered on; use groups.value.",
        ),
        (
            ["User"],
            "emails.type eq 1",
            "invalidFilter",
            ('emails.type is a string: put the value in double quotes, e.g. emails.type eq "1".'),
        ),
        (
            ["User"],
            "emails.primary eq 1",
            "invalidFilter",
            "emails.primary is a boolean: compare it with true or false.",
        ),
        (
            ["User"],
            "emails.display eq 1",
            "invalidFilter",
            (
                "emails.display is a string: put the value in double quotes, e.g. "
                'emails.display eq "1".'
            ),
        ),
        (
            ["User"],
            'emails[primary eq "maybe"]',
            "invalidFilter",
            "emails.primary is a boolean: compare it with true or false.",
        ),
        (
            ["User"],
            'meta.created gt "yesterday"',
            "invalidFilter",
            ('meta.created is a dateTime: compare it with a value like "2024-05-13T04:42:34Z".'),
        ),
        (
            ["User"],
            'favouriteColour eq "x"',
            "invalidFilter",
            (
                "The filter names 'favouriteColour', which is not an attribute of User. "
                "Check the spelling (see /Schemas)."
            ),
        ),
        (
            ["User"],
            'addresses eq "x"',
            "invalidFilter",
            "addresses has no value: compare one of its sub-attributes.",
        ),
        (
            ["User"],
            "emails eq 1",
            "invalidFilter",
            ('emails.value is a string: put the value in double quotes, e.g. emails.value eq "1".'),
        ),
        (
            ["User"],
            'title[value eq "x"]',
            "invalidFilter",
            (
                "title is not multi-valued, so title[…] selects nothing; compare it "
                'directly, e.g. title eq "…".'
            ),
        ),
        (
            ["User"],
            'emails[bogus eq "x"]',
            "invalidFilter",
            ("bogus is not a sub-attribute of emails (it has value, display, type, primary)."),
        ),
        (
            ["User"],
            'emails[value.sub eq "x"]',
            "invalidFilter",
            ("value.sub is not a sub-attribute of emails (it has value, display, type, primary)."),
        ),
        (
            ["User"],
            "title eq 1.5",
            "invalidFilter",
            ('title is a string: put the value in double quotes, e.g. title eq "1.5".'),
        ),
        (
            ["User"],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq 1",
            "invalidFilter",
            (
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value "
                "is a string: put the value in double quotes, e.g. "
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value "
                'eq "1".'
            ),
        ),
        (
            ["Group"],
            "members.value eq 1",
            "invalidFilter",
            (
                "members.value is a string: put the value in double quotes, e.g. "
                'members.value eq "1".'
            ),
        ),
        (
            ["Group"],
            "members.display eq 1",
            "invalidFilter",
            (
                "members.display is a string: put the value in double quotes, e.g. "
                'members.display eq "1".'
            ),
        ),
        (
            ["Group"],
            "members.type eq 1",
            "invalidFilter",
            ('members.type is a string: put the value in double quotes, e.g. members.type eq "1".'),
        ),
        (
            ["Group"],
            'members.$ref eq "x"',
            "invalidFilter",
            ("members.$ref is not stored and cannot be filtered on; use members.value."),
        ),
        (
            ["Group"],
            "members eq 1",
            "invalidFilter",
            (
                "members.value is a string: put the value in double quotes, e.g. "
                'members.value eq "1".'
            ),
        ),
        (
            ["Group"],
            'userName eq "x"',
            "invalidFilter",
            (
                "The filter names 'userName', which is not an attribute of Group. Check "
                "the spelling (see /Schemas)."
            ),
        ),
        (
            ["User", "Group"],
            'favouriteColour eq "x"',
            "invalidFilter",
            (
                "The filter names 'favouriteColour', which is not an attribute of User "
                "or Group. Check the spelling (see /Schemas)."
            ),
        ),
    ],
)
def test_rfc7644_3_4_2_2_each_refused_filter_says_what_to_send(
    rtypes: list[str], text: str, scim_type: str, detail: str
) -> None:
    """A filter the server cannot take is 400 with a detail that names the fix."""
    with pytest.raises(SCIMException) as info:
        compile_filter(rtypes, text)
    assert (info.value.status, info.value.scim_type, info.value.detail) == (400, scim_type, detail)


@pytest.mark.parametrize(
    ("rtypes", "text", "scim_type", "detail"),
    [
        (
            ["User"],
            "groups",
            "invalidValue",
            "sortBy='groups': groups cannot be sorted on.",
        ),
        (
            ["Group"],
            "members",
            "invalidValue",
            "sortBy='members': members cannot be sorted on.",
        ),
        (
            ["User"],
            "name",
            "invalidValue",
            "sortBy='name' is complex: sort by a sub-attribute.",
        ),
        (
            ["User"],
            "addresses",
            "invalidValue",
            "sortBy='addresses': addresses cannot be sorted on.",
        ),
        (
            ["User", "Group"],
            "bogus",
            "invalidValue",
            "sortBy='bogus' is not an attribute of User or Group (see /Schemas).",
        ),
        (
            ["User"],
            'emails[type eq "x"]',
            "invalidValue",
            ("sortBy='emails[type eq \"x\"]' is not an attribute name such as name.familyName."),
        ),
        (
            ["User"],
            "groups.display",
            "invalidValue",
            "sortBy='groups.display': groups cannot be sorted on.",
        ),
        (
            ["User"],
            "meta.location",
            "invalidFilter",
            (
                "meta.location is not stored (it is built from the server's URL): "
                'filter on id instead, e.g. id eq "…".'
            ),
        ),
    ],
)
def test_rfc7644_3_4_2_3_each_refused_sort_by_says_why(
    rtypes: list[str], text: str, scim_type: str, detail: str
) -> None:
    """A sortBy the server cannot sort on is 400 invalidValue saying why."""
    with pytest.raises(SCIMException) as info:
        sort_expression(rtypes, text)
    assert (info.value.status, info.value.scim_type, info.value.detail) == (400, scim_type, detail)


@pytest.mark.parametrize("length", [120, 121])
def test_rfc7644_3_4_2_2_long_filter_is_shortened_in_the_detail(length: int) -> None:
    """A filter up to 120 characters is quoted whole; a longer one is cut to 117 and "..."."""
    text = 'userName eq "' + "a" * (length - 17) + '" an'
    assert len(text) == length
    with pytest.raises(SCIMException) as info:
        compile_filter(["User"], text)
    shown = text if length <= 120 else text[:117] + "..."
    assert info.value.detail.startswith(f"The filter {shown!r} has an unexpected 'an' at column")


@pytest.fixture
def office(store: Store, tenant: str) -> dict[str, Any]:
    pam = user(
        store,
        tenant,
        "pbeesly",
        displayName="Pam",
        emails=[{"value": "Pam@DM.example", "type": "Work", "primary": True, "display": "P B"}],
        addresses=[{"locality": "Scranton", "type": "work"}],
        x509Certificates=[{"value": "TUlJQw=="}],
        **{ENTERPRISE: {"employeeNumber": "7", "manager": {"value": "boss-id"}}},
    )
    kevin = user(store, tenant, "kmalone", emails=[{"value": "kevin@dm.example", "display": ""}])
    sales = group(store, tenant, "Sales Team", pam)
    empty = group(store, tenant, "Empty")
    return {
        "pam": pam["id"],
        "kevin": kevin["id"],
        "sales": sales["id"],
        "empty": empty["id"],
        "store": store,
        "tenant": tenant,
    }


def found(office: dict[str, Any], text: str, *rtypes: str) -> set[str]:
    names = {v: k for k, v in office.items() if isinstance(v, str)}
    return {names[i] for i in ids(office["store"], office["tenant"], text, rtypes or ("User",))}


@pytest.mark.parametrize(
    ("text", "rtypes", "expected"),
    [
        ('groups.display eq "SALES TEAM"', ("User",), {"pam"}),
        ('groups.display sw "sales"', ("User",), {"pam"}),
        ('groups.type eq "DIRECT"', ("User",), {"pam"}),
        ('groups[type eq "Direct" and display co "TEAM"]', ("User",), {"pam"}),
        ('groups.value eq "{sales}"', ("User",), {"pam"}),
        ('members.display eq "PAM"', ("Group",), {"sales"}),
        ('members.type eq "user"', ("Group",), {"sales"}),
        ('members[type eq "USER"]', ("Group",), {"sales"}),
        ('members.value eq "{pam}"', ("Group",), {"sales"}),
        ('members.value ne "{pam}"', ("Group",), {"empty"}),
        ('emails.type eq "WORK"', ("User",), {"pam"}),
        ('emails[type eq "work" and value eq "pam@dm.EXAMPLE"]', ("User",), {"pam"}),
        ('emails.display eq "p b"', ("User",), {"pam"}),
        ("emails.display pr", ("User",), {"pam"}),
        ("emails[display pr]", ("User",), {"pam"}),
        ("emails.primary eq true", ("User",), {"pam"}),
        ('emails.primary eq "TRUE"', ("User",), {"pam"}),
        ("emails.primary ne true", ("User",), {"kevin"}),
        ('addresses.locality eq "scranton"', ("User",), {"pam"}),
        ('addresses[locality sw "SCR"]', ("User",), {"pam"}),
        ("addresses pr", ("User",), {"pam"}),
        ('x509Certificates.value eq "TUlJQw=="', ("User",), {"pam"}),
        ('x509Certificates.value eq "tuljqw=="', ("User",), set()),
        (f'{ENTERPRISE}:employeeNumber eq "7"', ("User",), {"pam"}),
        (f'{ENTERPRISE}:manager.value eq "boss-id"', ("User",), {"pam"}),
        ('manager.value eq "BOSS-ID"', ("User",), set()),
        ('displayName eq "pam"', ("User",), {"pam"}),
        ('displayName eq "sales team"', ("User", "Group"), {"sales"}),
        ('meta.resourceType eq "group"', ("User", "Group"), {"sales", "empty"}),
        ("members pr", ("Group",), {"sales"}),
        ("not (members pr)", ("Group",), {"empty"}),
        ("groups pr", ("User",), {"pam"}),
        ('not (emails.display eq "p b")', ("User",), {"kevin"}),
    ],
)
def test_rfc7644_3_4_2_2_each_stored_operand_compares_by_its_case_rule(
    office: dict[str, Any], text: str, rtypes: tuple[str, ...], expected: set[str]
) -> None:
    """Every place a value is stored (index columns, child rows, memberships, JSON) follows
    the attribute's caseExact (RFC 7643 §2.2, §7) and the pr/ne rules of RFC 7644 §3.4.2.2."""
    text = text.format(**{k: v for k, v in office.items() if isinstance(v, str)})
    assert found(office, text, *rtypes) == expected


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ('emails.value eq "a"', "multi_values.value_lower"),
        ('x509Certificates.value eq "a"', "multi_values.item"),
        ('emails.type eq "a"', "multi_values.type_lower"),
        ("emails.primary eq true", 'multi_values."primary"'),
        ('emails.display eq "a"', "multi_values.item"),
        ('groups.value eq "a"', "g.id"),
        ('groups.display eq "a"', "g.display_name_lower"),
        ('userName eq "a"', "resources.user_name_lower"),
        ('name.familyName eq "a"', "resources.family_name_lower"),
    ],
)
def test_filters_reach_the_indexed_column(text: str, column: str) -> None:
    """Our design, not the RFC's: a comparison on an indexed value is compiled against its
    index column (so it stays fast on 100,000 users), not against the JSON document."""
    sql = str(compile_filter(["User"], text).compile(dialect=sqlite.dialect()))
    assert column in sql


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ('members.value eq "a"', "mbr.id"),
        ('members.display eq "a"', "memberships.display_lower"),
        ('members.type eq "a"', "mbr.rtype"),
    ],
)
def test_member_filters_reach_the_membership_rows(text: str, column: str) -> None:
    """members.* compiles against the membership table and the member's row (our design)."""
    sql = str(compile_filter(["Group"], text).compile(dialect=sqlite.dialect()))
    assert column in sql


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ('emails[type eq "work"', "a closing bracket ']'"),
        ('emails[(type eq "work")', "a closing bracket ']'"),
        ('emails[value eq "a\\"(" and type pr', "a closing bracket ']'"),
        ('(emails[value eq "a\\"]" and title pr', "a closing bracket ']'"),
        ('(emails[type eq "work"]', "a closing parenthesis ')'"),
        ('emails[(type eq "work"', "a closing parenthesis ')'"),
        ('(userName eq "x" and (title pr)', "a closing parenthesis ')'"),
    ],
)
def test_rfc7644_3_4_2_2_unclosed_filter_names_the_missing_closer(text: str, missing: str) -> None:
    """An unclosed filter names the closer it lacks: "]" for an open value selection, ")" for
    an open group; brackets and parentheses inside quoted strings do not count."""
    with pytest.raises(SCIMException) as info:
        compile_filter(["User"], text)
    assert info.value.detail == f"The filter {text!r} is missing {missing}."


@pytest.fixture
def blanks(store: Store, tenant: str) -> dict[str, Any]:
    """Users holding empty strings where a value could be, and one holding real values."""
    full = user(
        store,
        tenant,
        "full",
        profileUrl="https://dm.example/full",
        x509Certificates=[{"value": "TUlJQw=="}],
        photos=[{"value": "https://dm.example/p.png"}],
        password="secret",
        active=True,
    )
    blank = user(
        store,
        tenant,
        "blank",
        profileUrl="",
        x509Certificates=[{"value": "", "display": "empty cert"}],
        photos=[{"value": "", "type": "photo"}],
        active=False,
    )
    return {"full": full["id"], "blank": blank["id"], "store": store, "tenant": tenant}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("profileUrl pr", {"full"}),
        ("x509Certificates.value pr", {"full"}),
        ("x509Certificates[value pr]", {"full"}),
        ("photos.value pr", {"full"}),
        ("photos[value pr]", {"full"}),
        ("x509Certificates pr", {"full", "blank"}),
        ("meta pr", {"full", "blank"}),
        ("meta.created pr", {"full", "blank"}),
        ('password eq "secret"', {"full"}),
        ('password ne "secret"', {"blank"}),
        ('active eq "False"', {"blank"}),
        ('active eq "TRUE"', {"full"}),
        ('active ne "true"', {"blank"}),
        ("not (active eq true)", {"blank"}),
        ('profileUrl co "\\\\"', set()),
    ],
)
def test_rfc7644_3_4_2_2_present_and_typed_values_on_blanks(
    blanks: dict[str, Any], text: str, expected: set[str]
) -> None:
    """pr needs a non-empty value for strings, references and binaries (a complex value
    with any sub-attribute is present); booleans compare with "true"/"false" in any case;
    password compares by its hash (write-only, RFC 7643 §4.1.1)."""
    assert found(blanks, text) == expected


@pytest.mark.parametrize(
    ("value", "matches"),
    [
        ('W/\\"1\\"', True),
        ('\\"1\\"', True),
        ("1", True),
        ("w/1", False),
        ("2", False),
        ("1" * 20, False),
        ("9223372036854775808", False),
        ("x1", False),
    ],
)
def test_rfc7644_3_14_meta_version_filter(
    store: Store, tenant: str, value: str, matches: bool
) -> None:
    """meta.version eq takes the ETag (W/"1"), its quoted or bare number; anything else,
    or a number past any version, matches nothing, and ne matches everything then."""
    created = user(store, tenant, "v")["id"]
    assert ids(store, tenant, f'meta.version eq "{value}"') == ({created} if matches else set())
    assert ids(store, tenant, f'meta.version ne "{value}"') == (set() if matches else {created})


@pytest.mark.parametrize(
    "text",
    ['meta.version gt "W/\\"0\\""', 'meta.version co "1"'],
)
def test_rfc7644_3_14_meta_version_only_compares_for_equality(
    store: Store, tenant: str, text: str
) -> None:
    """Versions are opaque (RFC 7644 §3.14): ordering or substring operators match nothing."""
    user(store, tenant, "v")
    assert ids(store, tenant, text) == set()


@pytest.mark.parametrize("text", ['password gt "x"', "password eq 1", "password ne true"])
def test_rfc7643_4_1_1_password_only_compares_with_eq_or_ne_and_a_string(
    store: Store, tenant: str, text: str
) -> None:
    """password is write-only: anything but eq/ne with a string is 400 invalidFilter."""
    with pytest.raises(SCIMException) as info:
        store.search(tenant, ["User"], filter=text)
    assert info.value.detail == "password is write-only: it can only be compared with eq or ne."


def test_rfc7644_3_4_2_2_backslash_in_co_is_literal(store: Store, tenant: str) -> None:
    """A backslash inside a co value matches a backslash, not an escape."""
    slash = user(store, tenant, "a\\b")["id"]
    user(store, tenant, "ab")
    assert ids(store, tenant, 'userName co "a\\\\b"') == {slash}
    assert ids(store, tenant, 'userName sw "a\\\\"') == {slash}


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ('emails[value eq "a\\\\" and (type pr', "a closing parenthesis ')'"),
        ('emails[type eq "w" and Xyz pr', "a closing bracket ']'"),
        ('emails[(type eq "w") and Xyz pr', "a closing bracket ']'"),
    ],
)
def test_rfc7644_3_4_2_2_unclosed_filter_after_escapes_and_names(text: str, missing: str) -> None:
    """An escaped backslash ends before the quote; letters never open or close anything."""
    with pytest.raises(SCIMException) as info:
        compile_filter(["User"], text)
    assert info.value.detail == f"The filter {text!r} is missing {missing}."


@pytest.fixture
def sortable(store: Store, tenant: str) -> dict[str, Any]:
    """Users whose emails and phone numbers sort differently."""
    a = user(
        store,
        tenant,
        "a",
        emails=[
            {"value": "z@x.example", "type": "work"},
            {"value": "b@x.example", "primary": True},
        ],
        phoneNumbers=[{"value": "1"}],
    )
    b = user(
        store,
        tenant,
        "b",
        emails=[{"value": "c@x.example", "type": "home"}, {"value": "a@x.example", "type": "aaa"}],
        phoneNumbers=[{"value": "9"}],
    )
    c = user(store, tenant, "c", phoneNumbers=[{"value": "5"}])
    return {"a": a["id"], "b": b["id"], "c": c["id"], "store": store, "tenant": tenant}


@pytest.mark.parametrize(
    ("sort_by", "order", "expected"),
    [
        ("emails", "ascending", ["a", "b", "c"]),
        ("emails.value", "descending", ["b", "a", "c"]),
        ("emails.type", "ascending", ["b", "a", "c"]),
        ("phoneNumbers", "ascending", ["a", "c", "b"]),
        ("phoneNumbers.value", "descending", ["b", "c", "a"]),
    ],
)
def test_rfc7644_3_4_2_3_sort_by_multi_valued_uses_primary_then_first(
    sortable: dict[str, Any], sort_by: str, order: str, expected: list[str]
) -> None:
    """A multi-valued attribute sorts by its primary value, else its first one, and only its
    own values (RFC 7644 §3.4.2.3); resources without it come last either way."""
    store, tenant = sortable["store"], sortable["tenant"]
    _, page = store.search(tenant, ["User"], sort_by=sort_by, sort_order=order)
    names = {v: k for k, v in sortable.items() if isinstance(v, str)}
    assert [names[r["id"]] for r in page] == expected


def test_rfc7644_3_4_2_3_sort_over_two_types(store: Store, tenant: str) -> None:
    """sortBy=displayName over Users and Groups sorts both by their displayName."""
    user(store, tenant, "u1", displayName="Beta")
    group(store, tenant, "Alpha")
    user(store, tenant, "u2", displayName="gamma")
    _, page = store.search(tenant, ["User", "Group"], sort_by="displayName")
    assert [r["displayName"] for r in page] == ["Alpha", "Beta", "gamma"]
    _, users_first = store.search(tenant, ["User", "Group"], sort_by="userName")
    assert [r.get("userName") for r in users_first] == ["u1", "u2", None]


# -- found by the mutation run of session 3 (issue 18) ------------------------------------


def _nested_not(depth: int) -> str:
    return "not (" * depth + "userName pr" + ")" * depth


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        (
            "userName eq(",
            "The filter 'userName eq(' needs a value after 'eq' at column 12: strings go in "
            'double quotes, e.g. userName eq "bjensen".',
        ),
        (
            '!userName eq "x"',
            "The filter '!userName eq \"x\"' has a character the SCIM grammar does not allow at "
            "column 1 ('!'). Strings go in double quotes, e.g. userName eq \"bjensen\".",
        ),
        (
            _nested_not(33),
            f"The filter {_nested_not(33)[:117] + '...'!r} is invalid: the filter nests more "
            "than 32 expressions.",
        ),
    ],
)
def test_rfc7644_3_4_2_2_rarer_parse_errors_say_where(text: str, detail: str) -> None:
    """The last word before a bad token is the one shown even with no space before it; a
    bad first character is quoted; scim2-models' own depth limit is passed on (our wording)."""
    with pytest.raises(SCIMException) as info:
        compile_filter(["User"], text)
    assert (info.value.status, info.value.scim_type, info.value.detail) == (
        400,
        "invalidFilter",
        detail,
    )


def test_rfc7644_3_4_2_2_thirty_two_nested_expressions_are_allowed(
    store: Store, tenant: str
) -> None:
    """Exactly at scim2-models' depth limit (32) a filter runs (one more is refused above),
    and unknown stays false at every level. Before, SQLite's parser ran out of stack on about
    25 nested nots (a 500)."""
    a = user(store, tenant, "a", emails=[{"value": "a@x.example"}])
    b = user(store, tenant, "b")
    assert ids(store, tenant, _nested_not(32)) == {a["id"], b["id"]}
    assert ids(store, tenant, _nested_not(31)) == set()
    alternating = "(not (emails pr and " * 16 + "title pr" + "))" * 16
    # innermost false; each level is "not (emails pr and …)": b (no emails) is true at the top
    assert ids(store, tenant, alternating) == {b["id"]}
    inside = "emails[" + "(not (value pr and " * 15 + "type pr" + "))" * 15 + "]"
    assert ids(store, tenant, inside) == {a["id"]}


def test_rfc7644_3_5_2_empty_path_detail() -> None:
    """An empty PATCH path is refused with the column, as the grammar refuses other paths."""
    from scim2_models import InvalidPathException

    from scim_helper.server.filters import parse_path

    with pytest.raises(InvalidPathException) as info:
        parse_path("")
    assert info.value.detail == "invalid syntax at column 1"


def test_rfc7644_3_4_2_2_qualified_name_inside_brackets_is_refused() -> None:
    """Inside brackets a sub-attribute is named alone (RFC 7644 §3.4.2.2 valuePath: attrPath
    of the sub-attribute); a schema-qualified name there is refused (our choice)."""
    text = 'emails[urn:ietf:params:scim:schemas:core:2.0:User:value eq "x"]'
    with pytest.raises(SCIMException) as info:
        compile_filter(["User"], text)
    assert info.value.detail == (
        "urn:ietf:params:scim:schemas:core:2.0:User:value is not a sub-attribute of emails (it "
        "has value, display, type, primary)."
    )


def _sorted(store: Store, tenant: str, sort_by: str, rtypes: list[str] | None = None) -> list:
    _, page = store.search(tenant, rtypes or ["User"], sort_by=sort_by)
    return [r.get("userName") or r.get("displayName") for r in page]


def test_rfc7644_3_4_2_3_sort_by_case_insensitive_string_ignores_case(
    store: Store, tenant: str
) -> None:
    """title (caseExact false, RFC 7643 §4.1.1) sorts as it compares, without case: "a_c"
    before "AAB" ("_" sorts before letters once both are lower case, after them in upper
    case). Our reading of §3.4.2.3 with RFC 7643 §2.2 caseExact."""
    user(store, tenant, "u1", title="banana")
    user(store, tenant, "u2", title="AAB")
    user(store, tenant, "u3", title="a_c")
    _, page = store.search(tenant, ["User"], sort_by="title")
    assert [r["title"] for r in page] == ["a_c", "AAB", "banana"]


def test_rfc7644_3_4_2_3_sort_by_case_exact_string_keeps_case(store: Store, tenant: str) -> None:
    """externalId is caseExact (RFC 7643 §3.1): "B1" sorts before "a2" (code point order)."""
    user(store, tenant, "u1", externalId="a2")
    user(store, tenant, "u2", externalId="B1")
    _, page = store.search(tenant, ["User"], sort_by="externalId")
    assert [r["externalId"] for r in page] == ["B1", "a2"]


def test_rfc7644_3_4_2_3_sort_by_user_name_lowercases_beyond_ascii(
    store: Store, tenant: str
) -> None:
    """userName sorts by its lower-case form for every letter, not only A–Z: "ébert" before
    "Édgar" (SQLite's own lower() would leave "É" upper case and put "Édgar" first)."""
    user(store, tenant, "Édgar")
    user(store, tenant, "ébert")
    assert _sorted(store, tenant, "userName") == ["ébert", "Édgar"]


def test_rfc7644_3_4_2_3_sort_over_types_in_any_order(store: Store, tenant: str) -> None:
    """An attribute only one of the searched types has sorts, whichever type is named first."""
    user(store, tenant, "zed")
    user(store, tenant, "amy")
    group(store, tenant, "G")
    assert _sorted(store, tenant, "userName", ["Group", "User"]) == ["amy", "zed", "G"]


def test_rfc7644_3_4_2_3_primary_false_is_no_primary(store: Store, tenant: str) -> None:
    """A multi-valued attribute sorts by its primary value, "if any, or else the first value"
    (§3.4.2.3): "primary": false marks no primary, so the first value still counts."""
    user(
        store,
        tenant,
        "first-is-a",
        emails=[{"value": "a@x.example"}, {"value": "z@x.example", "primary": False}],
    )
    user(store, tenant, "only-m", emails=[{"value": "m@x.example"}])
    assert _sorted(store, tenant, "emails") == ["first-is-a", "only-m"]


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        (
            'meta eq "x"',
            # two sub-attributes meta has (it has no "value")
            "meta is a complex attribute: compare one of its sub-attributes (e.g. "
            "meta.resourceType or meta.created) or test it with pr.",
        ),
        (
            f'{ENTERPRISE}:manager eq "x"',
            f"{ENTERPRISE}:manager is a complex attribute: compare one of its sub-attributes "
            f"(e.g. {ENTERPRISE}:manager.value or {ENTERPRISE}:manager.$ref) or test it with pr.",
        ),
        (
            "photos.value eq 1",
            'photos.value is a string: put the value in double quotes, e.g. photos.value eq "1".',
        ),
        (
            'photos[value eq "x" and type eq 1]',
            'photos.type is a string: put the value in double quotes, e.g. photos.type eq "1".',
        ),
    ],
)
def test_rfc7644_3_4_2_2_refusals_name_the_attribute(text: str, detail: str) -> None:
    """meta is complex (RFC 7643 §3.1): compared whole, it is refused like name; a case-exact
    value (photos.value, a reference) and a type are named in their refusals."""
    with pytest.raises(SCIMException) as info:
        compile_filter(["User"], text)
    assert (info.value.status, info.value.scim_type) == (400, "invalidFilter")
    assert info.value.detail == detail


def test_rfc7644_3_4_2_2_meta_pr_and_empty_type(store: Store, tenant: str) -> None:
    """Every resource has meta (RFC 7643 §3.1), so "meta pr" selects them all; an email whose
    type is "" has no type for pr (an empty string is no value)."""
    empty = user(store, tenant, "empty-type", emails=[{"value": "a@x.example", "type": ""}])
    typed = user(store, tenant, "typed", emails=[{"value": "b@x.example", "type": "work"}])
    g = group(store, tenant, "G")
    assert ids(store, tenant, "meta pr", ("User", "Group")) == {empty["id"], typed["id"], g["id"]}
    assert ids(store, tenant, "emails[type pr]") == {typed["id"]}
    assert ids(store, tenant, "emails.type pr") == {typed["id"]}


@pytest.mark.parametrize(
    ("value", "found"), [('W/\\"1\\"', True), ('\\"1\\"', True), ("1", True), ("X1", False)]
)
def test_rfc7644_3_14_version_filter_reads_only_the_etag_quotes(
    store: Store, tenant: str, value: str, found: bool
) -> None:
    """meta.version compares the weak ETag W/"1", its quoted or bare number; other characters
    around the digits make it no version at all, never a stripped one (our reading)."""
    created = user(store, tenant, "v")
    expected = {created["id"]} if found else set()
    assert ids(store, tenant, f'meta.version eq "{value}"') == expected


def test_rfc7644_3_4_2_2_groups_filter_over_two_types_selects_users_only(
    store: Store, tenant: str
) -> None:
    """groups is a User attribute (RFC 7643 §4.1.2): searched over Users and Groups,
    groups.value eq G selects G's users, not a group nested in G (a Group has no groups)."""
    member = user(store, tenant, "member")
    nested = group(store, tenant, "Nested")
    outer = group(store, tenant, "Outer", member, nested)
    found = ids(store, tenant, f'groups.value eq "{outer["id"]}"', ("User", "Group"))
    assert found == {member["id"]}


@pytest.mark.parametrize(("text", "found"), [('sw "HR:"', True), ('sw "hr:"', False)])
def test_rfc7643_3_1_external_id_sw_is_case_exact(
    store: Store, tenant: str, text: str, found: bool
) -> None:
    """externalId is caseExact (RFC 7643 §3.1), so sw compares its case too."""
    created = user(store, tenant, "hr", externalId="HR:1")
    assert ids(store, tenant, f"externalId {text}") == ({created["id"]} if found else set())


def test_rfc7644_3_4_2_2_nesting_counts_depth_not_parentheses(store: Store, tenant: str) -> None:
    """The cap of 64 is on depth: closed groups before a deep one do not add to it, and the
    65th level is refused whatever came before, saying what to do (our limit)."""
    deep = "(" * 64 + "userName pr" + ")" * 64
    a = user(store, tenant, "a")
    assert ids(store, tenant, f"((userName pr)) and {deep}") == {a["id"]}
    text = f"(userName pr) and ({deep})"
    with pytest.raises(SCIMException) as info:
        compile_filter(["User"], text)
    assert info.value.detail == (
        "The filter nests parentheses more than 64 levels deep; simplify it (and/or chains "
        "need no parentheses)."
    )


def test_rfc7644_3_4_2_2_lone_surrogate_detail() -> None:
    """A string escaping half of a UTF-16 pair cannot be stored or compared: 400 saying so."""
    with pytest.raises(SCIMException) as info:
        compile_filter(["User"], 'title eq "\\ud800" or title pr')
    assert info.value.detail == (
        "The filter has a string escaping half of a UTF-16 surrogate pair (like \\ud800) "
        "without the other half; send the whole character."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('userName eq "pam"', True),
        ('USERNAME EQ "pam"', True),
        ('emails[type eq "work" and value eq "pam@example.com"]', True),
        ('name.familyName eq "Beesly" and active eq true', True),
        ('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "7"', True),
        ('displayName eq "a co b or c pr"', True),  # operators inside a value are values
        ('displayName eq "say \\"co\\" or not"', True),  # escaped quotes stay inside
        ('userName co "pam"', False),
        ('userName sw "p"', False),
        ('userName ew "m"', False),
        ("title pr", False),
        ('meta.lastModified gt "2026-01-01T00:00:00Z"', False),
        ('userName ne "pam"', False),
        ('userName eq "a" or userName eq "b"', False),
        ('userName eq "a"or userName eq "b"', False),  # the parser takes no space after a value
        ('not (userName eq "a")', False),
        ('emails[value co "@"]', False),
        ("", False),
        ("   ", False),
        (None, False),
        (42, False),
        ('"eq"', False),  # a value alone: no comparison
    ],
)
def test_ours_equalities_only_sees_the_operators_outside_the_values(
    text: Any, expected: bool
) -> None:
    """Ours: what decides where a search runs (routes.py), never what it finds."""
    assert equalities_only(text) is expected
