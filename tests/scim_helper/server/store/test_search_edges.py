"""Paging and sorting at their edges (RFC 7644 §3.4.2.3–4; issue 18): a page that ends
exactly at the last match, one past it, count 1, and the sortOrder and type checks."""

from __future__ import annotations

import pytest
from scim2_models import SCIMException

from scim_helper.server.store import Store

from .builders import group, user


@pytest.fixture
def three(store: Store, tenant: str) -> list[str]:
    for name in ("b", "a", "c"):
        user(store, tenant, name)
    return ["b", "a", "c"]


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (1, 1, ["b"]),
        (1, 2, ["b", "a"]),
        (1, 3, ["b", "a", "c"]),
        (1, 4, ["b", "a", "c"]),
        (2, 2, ["a", "c"]),
        (3, 1, ["c"]),
        (3, None, ["c"]),
        (4, 1, []),
        (4, None, []),
    ],
)
def test_rfc7644_3_4_2_4_total_is_every_match_whatever_the_page(
    store: Store, tenant: str, three: list[str], start: int, count: int | None, expected: list
) -> None:
    """totalResults is 3 for every page: one that holds the last match, one that stops just
    before it, and one past the end."""
    total, page = store.search(tenant, ["User"], start_index=start, count=count)
    assert (total, [r["userName"] for r in page]) == (3, expected)


@pytest.mark.parametrize("order", ["descending", "DESCENDING", "Descending"])
def test_rfc7644_3_4_2_3_sort_order_any_case(
    store: Store, tenant: str, three: list[str], order: str
) -> None:
    """sortOrder is read without case."""
    _, page = store.search(tenant, ["User"], sort_by="userName", sort_order=order)
    assert [r["userName"] for r in page] == ["c", "b", "a"]


@pytest.mark.parametrize("order", ["", None])
def test_rfc7644_3_4_2_3_missing_sort_order_is_ascending(
    store: Store, tenant: str, three: list[str], order: str | None
) -> None:
    """An empty or missing sortOrder sorts ascending (RFC 7644 §3.4.2.3's default)."""
    _, page = store.search(tenant, ["User"], sort_by="userName", sort_order=order)  # type: ignore[arg-type]
    assert [r["userName"] for r in page] == ["a", "b", "c"]


def test_rfc7644_3_4_2_3_unknown_sort_order_says_the_two_values(store: Store, tenant: str) -> None:
    """A sortOrder other than ascending/descending is 400 invalidValue naming both."""
    with pytest.raises(SCIMException) as info:
        store.search(tenant, ["User"], sort_by="userName", sort_order="up")
    assert info.value.scim_type == "invalidValue"
    assert info.value.detail == 'sortOrder is "ascending" or "descending", not \'up\'.'


def test_rfc7644_3_4_3_search_needs_a_resource_type(store: Store, tenant: str) -> None:
    """A search over no resource type is 400 invalidValue."""
    with pytest.raises(SCIMException) as info:
        store.search(tenant, [])
    assert info.value.detail == "Search at least one resource type (User or Group)."


def test_rfc7644_3_4_3_repeated_types_count_once(store: Store, tenant: str) -> None:
    """["User", "User"] searches Users once, not twice."""
    user(store, tenant, "solo")
    total, page = store.search(tenant, ["User", "User"])
    assert (total, len(page)) == (1, 1)


def test_rfc7644_3_4_3_filter_over_two_types_and_empty_filter(store: Store, tenant: str) -> None:
    """displayName over Users and Groups finds both kinds; an empty filter matches all."""
    user(store, tenant, "u", displayName="Sales")
    group(store, tenant, "Sales")
    total, page = store.search(tenant, ["User", "Group"], filter='displayName eq "sales"')
    assert total == 2
    assert sorted(r["meta"]["resourceType"] for r in page) == ["Group", "User"]
    assert store.search(tenant, ["User", "Group"], filter="")[0] == 2


def test_rfc7644_3_4_2_4_group_pages_carry_members_unless_told_not_to(
    store: Store, tenant: str
) -> None:
    """A page of groups shows their members, or none when with_members is False."""
    member = user(store, tenant, "m")
    group(store, tenant, "G", member)
    (_, (with_members,)) = store.search(tenant, ["Group"])
    (_, (without,)) = store.search(tenant, ["Group"], with_members=False)
    assert [m["value"] for m in with_members["members"]] == [member["id"]]
    assert "members" not in without
    assert store.get(tenant, "User", member["id"])["groups"][0]["display"] == "G"
