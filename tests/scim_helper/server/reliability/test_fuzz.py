"""Fuzzing (issue 5): thousands of generated filters, PATCH bodies and resource bodies, each
sent over HTTP. No answer is a 5xx, the server logs no unhandled exception, and every 4xx is
a valid SCIM Error (RFC 7644 §3.12).

The generators follow the grammars (RFC 7644 §3.4.2.2 filters, §3.5.2 PATCH, RFC 7643
resources) and then break them: wrong types, unknown names, stray characters, truncation.
Hypothesis runs derandomized with no example database, so CI sends the same requests every
time; each test counts the requests it actually sent.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from .conftest import GROUP, PATCH_OP, SEARCH, USER, Api, check_error, seed

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
EXAMPLES = 700  # per test: three tests send at least 2,100 requests in all

FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)

ATTRIBUTES = [
    "userName",
    "USERNAME",
    "name.familyName",
    "name.givenName",
    "name",
    "displayName",
    "title",
    "active",
    "externalId",
    "id",
    "emails",
    "emails.value",
    "emails.type",
    "emails.primary",
    "phoneNumbers.value",
    "addresses.locality",
    "x509Certificates.value",
    "groups",
    "groups.value",
    "groups.display",
    "members",
    "members.value",
    "members.display",
    "meta.lastModified",
    "meta.created",
    "meta.resourceType",
    "meta.version",
    f"{USER}:userName",
    f"{ENTERPRISE}:employeeNumber",
    f"{ENTERPRISE}:manager.value",
    f"{ENTERPRISE}:manager",
    "schemas",
    "password",
    "shoeSize",
    "name.nick",
    "urn:example:x:y",
]
OPERATORS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "EQ", "Co", "xx", "=", "like"]
BREAKERS = ["(", ")", "[", "]", '"', "'", "\\", " and ", " or ", "not", ".", ":", "\x00", "%", ";"]

text = st.text(max_size=24)
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    text,
    st.sampled_from(["2024-05-13T04:42:34Z", "True", "false", "", "bulkId:x", "x" * 600]),
)
json_value = st.recursive(
    scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from([*ATTRIBUTES, "value", "type"]), text), inner, max_size=4
        ),
    ),
    max_leaves=10,
)


def _literal(value: Any) -> str:
    return json.dumps(value)  # ensure_ascii: non-ASCII, and lone surrogates, become \u escapes


# Mostly names and operators the server knows, so that values reach the database.
attribute_names = st.one_of(
    st.sampled_from(ATTRIBUTES[: ATTRIBUTES.index("schemas")]), st.sampled_from(ATTRIBUTES)
)
comparison = st.builds(
    lambda attribute, operator, value: f"{attribute} {operator} {value}",
    attribute_names,
    st.one_of(st.sampled_from(OPERATORS[:9]), st.sampled_from(OPERATORS)),
    st.one_of(
        st.builds(_literal, st.text(max_size=12)),
        st.builds(_literal, st.text(st.characters(categories=["Cs", "Ll"]), max_size=3)),
        st.builds(_literal, st.sampled_from(['x" or "1"="1', "'; DROP TABLE resources;--", "%_"])),
        st.builds(str, st.integers(-5, 5)),
        st.sampled_from(["true", "false", "null", "1.5", '"2024-01-01T00:00:00Z"', "x", "1e999"]),
    ),
)
present = st.builds(lambda attribute: f"{attribute} pr", attribute_names)
filter_text = st.recursive(
    st.one_of(comparison, present),
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"{a} and {b}", inner, inner),
        st.builds(lambda a, b: f"{a} or {b}", inner, inner),
        st.builds(lambda a: f"not ({a})", inner),
        st.builds(lambda a: f"({a})", inner),
        st.builds(
            lambda attribute, a: f"{attribute}[{a}]",
            st.sampled_from(["emails", "members", "addresses", "groups", "title", "phoneNumbers"]),
            inner,
        ),
    ),
    max_leaves=6,
)


@st.composite
def _mutated(draw: st.DrawFn, base: st.SearchStrategy[str]) -> str:
    """A string with a few characters inserted, removed or cut off."""
    value = draw(base)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.integers(0, len(value)))
        action = draw(st.sampled_from(["insert", "delete", "truncate"]))
        if action == "insert":
            value = value[:where] + draw(st.sampled_from(BREAKERS)) + value[where:]
        elif action == "delete":
            value = value[:where] + value[where + 1 :]
        else:
            value = value[:where]
    return value


filters = st.one_of(filter_text, _mutated(filter_text), st.text(max_size=40))

paths = st.one_of(
    st.none(),
    st.sampled_from(ATTRIBUTES),
    st.builds(
        lambda a, f: f"{a}[{f}]", st.sampled_from(["emails", "members", "addresses"]), filter_text
    ),
    st.builds(
        lambda a, f, s: f"{a}[{f}].{s}",
        st.sampled_from(["emails", "phoneNumbers", "members"]),
        filter_text,
        st.sampled_from(["value", "type", "primary", "display", "nope"]),
    ),
    _mutated(st.sampled_from(['members[value eq "x"]', 'emails[type eq "work"].value'])),
    text,
    st.integers(),
)
operation = st.fixed_dictionaries(
    {
        "op": st.one_of(
            st.sampled_from(["add", "replace", "remove", "Add", "REPLACE", "Remove"]),
            text,
            st.integers(),
        )
    },
    optional={"path": paths, "value": json_value},
)
patch_body = st.one_of(
    st.builds(
        lambda ops: {"schemas": [PATCH_OP], "Operations": ops},
        st.lists(operation, min_size=1, max_size=3),
    ),
    st.dictionaries(st.sampled_from(["schemas", "Operations", "op"]), json_value, max_size=3),
)
resource_body = st.one_of(
    st.builds(
        lambda schemas, attributes: {"schemas": schemas, **attributes},
        st.sampled_from([[USER], [GROUP], [USER, ENTERPRISE], ["urn:example"], "x"]),
        st.dictionaries(
            st.one_of(st.sampled_from([*(a.split(".")[0] for a in ATTRIBUTES), ENTERPRISE]), text),
            json_value,
            max_size=6,
        ),
    ),
    json_value,
)


class Fuzzer:
    """Sends requests for one tenant and checks each answer; counts what it sent."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.sent = 0
        self.ids = {name: resource["id"] for name, resource in seed(api).items()}

    def send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = self.api.request(method, path, **kwargs)
        self.sent += 1
        assert response.status_code < 500, (method, path, kwargs, response.text)
        if response.status_code >= 400:
            check_error(response)
        elif response.status_code not in (204, 304):
            assert isinstance(response.json(), dict)
        return response


SENT: dict[str, int] = {}  # requests sent, per fuzz test


@pytest.fixture(scope="module", autouse=True)
def at_least_2000_requests() -> Iterator[None]:
    """When the three fuzz tests ran, together they sent at least 2,000 requests."""
    yield
    if len(SENT) == 3:
        assert sum(SENT.values()) >= 2000, SENT


@pytest.fixture
def fuzzer(
    api: Api, caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest
) -> Iterator[Fuzzer]:
    """A seeded tenant to fuzz; afterwards the server log must hold no unhandled error."""
    with caplog.at_level(logging.ERROR, logger="scim_helper.server"):
        fuzzer = Fuzzer(api)
        yield fuzzer
    SENT[request.node.name] = fuzzer.sent
    unhandled = [r.getMessage() for r in caplog.records if r.name.startswith("scim_helper")]
    assert unhandled == []


def test_fuzz_filters(fuzzer: Fuzzer) -> None:
    """Generated and broken filters, by GET and by .search, never make the server fail."""

    @FUZZ
    @example(filter='userName eq "\\ud800"', how="get-users")  # was a 500 (lone surrogate)
    @example(filter=" or ".join(['title eq "x"'] * 1000), how="search")  # was a 500 (SQLite)
    @given(
        filter=filters, how=st.sampled_from(["get-users", "get-groups", "search", "search-users"])
    )
    def check(filter: str, how: str) -> None:
        if how == "get-users":
            fuzzer.send("GET", "/Users", params={"filter": filter})
        elif how == "get-groups":
            fuzzer.send("GET", "/Groups", params={"filter": filter, "sortBy": "displayName"})
        else:
            path = "/.search" if how == "search" else "/Users/.search"
            fuzzer.send("POST", path, json={"schemas": [SEARCH], "filter": filter})

    check()
    assert fuzzer.sent >= EXAMPLES


def test_fuzz_patch_bodies(fuzzer: Fuzzer) -> None:
    """Generated PATCH bodies, on a User and on a Group, never make the server fail."""

    @FUZZ
    @given(body=patch_body, target=st.sampled_from(["pam", "jim", "group"]))
    def check(body: Any, target: str) -> None:
        endpoint = "Groups" if target == "group" else "Users"
        fuzzer.send("PATCH", f"/{endpoint}/{fuzzer.ids[target]}", json=body)

    check()
    assert fuzzer.sent >= EXAMPLES


def test_fuzz_resource_bodies(fuzzer: Fuzzer) -> None:
    """Generated resource bodies, created, replaced and sent in Bulk, never make the server fail."""

    @FUZZ
    @given(
        body=resource_body,
        how=st.sampled_from(["post-user", "post-group", "put-user", "put-group", "bulk"]),
    )
    def check(body: Any, how: str) -> None:
        if how == "post-user":
            fuzzer.send("POST", "/Users", json=body)
        elif how == "post-group":
            fuzzer.send("POST", "/Groups", json=body)
        elif how == "put-user":
            fuzzer.send("PUT", f"/Users/{fuzzer.ids['jim']}", json=body)
        elif how == "put-group":
            fuzzer.send("PUT", f"/Groups/{fuzzer.ids['group']}", json=body)
        else:
            operations = [{"method": "POST", "path": "/Users", "bulkId": "a", "data": body}]
            operations.append(
                {"method": "PUT", "path": f"/Groups/{fuzzer.ids['group']}", "data": body}
            )
            document = {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
                "Operations": operations,
            }
            response = fuzzer.send("POST", "/Bulk", json=document)
            for result in response.json().get("Operations", []) if response.ok else []:
                assert int(result["status"]) < 500, result

    check()
    assert fuzzer.sent >= EXAMPLES
