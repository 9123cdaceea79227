"""Listing (RFC 7644 §3.4.2.3–4): sorting and paging through Store.search."""

from __future__ import annotations

import pytest
from scim2_models import InvalidValueException

from scim_helper.server.store import Store

from .builders import user


@pytest.fixture
def five(store: Store, tenant: str) -> list[str]:
    """Five users created in order c, A, e, b, d, some without a familyName."""
    for name, family in [("c", "Charlie"), ("A", None), ("e", "echo"), ("b", "Bravo"), ("d", None)]:
        attrs = {"name": {"familyName": family}} if family else {}
        user(store, tenant, name, **attrs)
    return ["c", "A", "e", "b", "d"]


def names(store: Store, tenant: str, **kwargs: object) -> list[str]:
    _, page = store.search(tenant, ["User"], **kwargs)  # type: ignore[arg-type]
    return [r["userName"] for r in page]


def test_rfc7644_3_4_2_4_default_order_is_creation(store: Store, tenant: str, five: list) -> None:
    """Without sortBy, resources come in a stable creation order."""
    assert names(store, tenant) == five


def test_rfc7644_3_4_2_4_paging(store: Store, tenant: str, five: list) -> None:
    """startIndex is 1-based and count bounds the page; totalResults counts all matches."""
    total, page = store.search(tenant, ["User"], start_index=2, count=2)
    assert total == 5
    assert [r["userName"] for r in page] == ["A", "e"]
    assert names(store, tenant, start_index=5, count=10) == ["d"]
    assert names(store, tenant, start_index=6, count=10) == []


@pytest.mark.parametrize("start", [1, 2, 3])
def test_rfc7644_3_4_2_4_no_match_totals_zero_from_any_start(
    store: Store, tenant: str, five: list, start: int
) -> None:
    """A filter that matches nothing totals 0, whatever the startIndex (the first page
    answers without counting; later ones count)."""
    found = store.search(tenant, ["User"], filter='userName eq "zz"', start_index=start, count=9)
    assert found == (0, [])


def test_rfc7644_3_4_2_4_total_from_a_page_past_the_end(
    store: Store, tenant: str, five: list
) -> None:
    """An empty page past the last match still says how many there are."""
    assert store.search(tenant, ["User"], start_index=7, count=10) == (5, [])
    assert store.search(tenant, ["User"], start_index=2, count=10)[0] == 5
    assert store.search(tenant, ["User"], start_index=1, count=5)[0] == 5
    assert store.search(tenant, ["User"], start_index=1, count=4)[0] == 5


def test_rfc7644_3_4_2_4_start_index_below_one_is_one(
    store: Store, tenant: str, five: list
) -> None:
    """A startIndex below 1 is read as 1."""
    assert names(store, tenant, start_index=0, count=1) == ["c"]
    assert names(store, tenant, start_index=-5, count=1) == ["c"]


@pytest.mark.parametrize("start", [2**63 - 1, 2**63, 99999999999999999999])
def test_rfc7644_3_4_2_4_start_index_past_any_integer_is_an_empty_page(
    store: Store, tenant: str, five: list, start: int
) -> None:
    """A startIndex larger than the database's integers is a page past the end: empty."""
    assert store.search(tenant, ["User"], start_index=start, count=10) == (5, [])
    assert store.search(tenant, ["User", "Group"], start_index=start) == (5, [])


def test_rfc7644_3_4_2_4_count_past_any_integer_is_every_match(
    store: Store, tenant: str, five: list
) -> None:
    """A count larger than the database's integers asks for everything (the HTTP layer caps
    it at filter.maxResults first); a hugely negative one for the total alone."""
    assert names(store, tenant, count=99999999999999999999) == five
    assert store.search(tenant, ["User"], count=-99999999999999999999) == (5, [])


def test_rfc7644_3_4_2_4_count_zero_returns_only_total(
    store: Store, tenant: str, five: list
) -> None:
    """count=0 returns totalResults and no resources."""
    assert store.search(tenant, ["User"], count=0) == (5, [])


def test_rfc7644_3_4_2_3_sort_ascending_ignores_case(store: Store, tenant: str, five: list) -> None:
    """sortBy userName sorts case-insensitively (userName is caseExact=false)."""
    assert names(store, tenant, sort_by="userName") == ["A", "b", "c", "d", "e"]
    assert names(store, tenant, sort_by="USERNAME", sort_order="descending") == [
        "e",
        "d",
        "c",
        "b",
        "A",
    ]


def test_rfc7644_3_4_2_3_sort_by_sub_attribute_missing_last(
    store: Store, tenant: str, five: list
) -> None:
    """sortBy name.familyName puts users without one last, in either order."""
    assert names(store, tenant, sort_by="name.familyName") == ["b", "c", "e", "A", "d"]
    assert names(store, tenant, sort_by="name.familyName", sort_order="descending") == [
        "e",
        "c",
        "b",
        "A",
        "d",
    ]


def test_rfc7644_3_4_2_3_sort_by_meta_last_modified(store: Store, tenant: str, five: list) -> None:
    """sortBy meta.lastModified follows the latest writes."""
    _, page = store.search(tenant, ["User"], filter='userName eq "c"')
    store.patch(tenant, "User", page[0]["id"], [{"op": "add", "path": "title", "value": "x"}])
    assert names(store, tenant, sort_by="meta.lastModified")[-1] == "c"
    assert names(store, tenant, sort_by="meta.lastModified", sort_order="descending")[0] == "c"


def test_rfc7644_3_4_2_3_sort_then_page(store: Store, tenant: str, five: list) -> None:
    """Paging applies after sorting."""
    assert names(store, tenant, sort_by="userName", start_index=2, count=2) == ["b", "c"]


def test_rfc7644_3_4_2_3_sort_by_multi_valued_uses_primary(store: Store, tenant: str) -> None:
    """sortBy emails.value sorts by each user's primary email."""
    user(store, tenant, "x", emails=[{"value": "z@x"}, {"value": "a@x", "primary": True}])
    user(store, tenant, "y", emails=[{"value": "m@x", "primary": True}])
    assert names(store, tenant, sort_by="emails.value") == ["x", "y"]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"sort_by": "favouriteColour"}, "favouriteColour"),
        ({"sort_by": "name"}, "complex"),
        ({"sort_order": "sideways"}, "sortOrder"),
    ],
)
def test_rfc7644_3_4_2_3_bad_sort_is_400(
    store: Store, tenant: str, kwargs: dict, fragment: str
) -> None:
    """An unknown sortBy attribute or sortOrder is a 400 naming it."""
    with pytest.raises(InvalidValueException, match=fragment):
        store.search(tenant, ["User"], **kwargs)  # type: ignore[arg-type]


def test_rfc7644_3_4_3_search_over_users_and_groups(store: Store, tenant: str) -> None:
    """Searching both types lists Users and Groups together."""
    user(store, tenant, "a")
    store.create(tenant, "Group", {"displayName": "G"})
    total, page = store.search(tenant, ["User", "Group"])
    assert total == 2
    assert {r["meta"]["resourceType"] for r in page} == {"User", "Group"}
