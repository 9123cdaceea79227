"""Cursor paging in the store (RFC 9865 §2), at its edges (issue 18).

Found missing by the fourth mutation run: ``Store.search_after`` was reached through HTTP only,
so what the store itself promises — its defaults, the very first row, what a page without
groups holds, a page of nothing — was never pinned.
"""

from __future__ import annotations

import pytest
from scim2_models import SCIMException

from scim_helper.server.store import Store

from .builders import group, user


def test_rfc9865_2_first_page_by_default_starts_at_the_first_row(store: Store, tenant: str) -> None:
    """Without a cursor: the first page, from the tenant's first resource on, with the total
    and a nextCursor when more follow."""
    first = user(store, tenant, "amartin")
    second = user(store, tenant, "kmalone")
    third = user(store, tenant, "omartinez")
    total, page, following = store.search_after(tenant, ["User"], count=2)
    assert total == 3
    assert [u["id"] for u in page] == [first["id"], second["id"]]
    assert following is not None
    total, page, following = store.search_after(tenant, ["User"], cursor=following, count=2)
    assert (total, [u["id"] for u in page], following) == (None, [third["id"]], None)


def test_rfc9865_2_pages_show_members_and_groups_by_default(store: Store, tenant: str) -> None:
    """By default a Group's page holds its members and a User's its groups (RFC 7643 §4.1.2)."""
    jim = user(store, tenant, "jhalpert")
    sales = group(store, tenant, "Sales", jim)
    _, groups, _ = store.search_after(tenant, ["Group"], count=5)
    assert [m["value"] for m in groups[0]["members"]] == [jim["id"]]
    _, users, _ = store.search_after(tenant, ["User"], count=5)
    assert [g["value"] for g in users[0]["groups"]] == [sales["id"]]


def test_rfc9865_2_a_filtered_page_without_groups_leaves_them_out(
    store: Store, tenant: str
) -> None:
    """with_groups=False on a filter most users match (the page walks the rows in key order):
    the users come without groups."""
    jim = user(store, tenant, "jhalpert")
    user(store, tenant, "jlevinson")
    group(store, tenant, "Sales", jim)
    _, page, _ = store.search_after(
        tenant, ["User"], filter='userName sw "j"', count=5, with_groups=False
    )
    assert [u["userName"] for u in page] == ["jhalpert", "jlevinson"]
    assert all("groups" not in u for u in page)


def test_rfc9865_2_a_page_of_nothing_after_a_cursor_counts_zero(store: Store, tenant: str) -> None:
    """count=0 with a cursor: no rows, no nextCursor, and a total of 0 (ours: a cursor page
    carries no total, and an empty one says 0 rather than nothing)."""
    user(store, tenant, "amartin")
    user(store, tenant, "kmalone")
    _, _, following = store.search_after(tenant, ["User"], count=1)
    assert following is not None
    assert store.search_after(tenant, ["User"], cursor=following, count=0) == (0, [], None)


def test_rfc9865_2_a_page_without_members_leaves_them_out(store: Store, tenant: str) -> None:
    """with_members=False (a client that asked not to see them): groups come without members."""
    group(store, tenant, "Sales", user(store, tenant, "jhalpert"))
    _, page, _ = store.search_after(tenant, ["Group"], count=5, with_members=False)
    assert [g["displayName"] for g in page] == ["Sales"]
    assert "members" not in page[0]


def test_rfc7644_3_4_2_search_shows_groups_by_default_and_not_when_asked(
    store: Store, tenant: str
) -> None:
    """A search's users carry their groups (RFC 7643 §4.1.2) unless with_groups=False."""
    jim = user(store, tenant, "jhalpert")
    sales = group(store, tenant, "Sales", jim)
    _, users = store.search(tenant, ["User"])
    assert [g["value"] for g in users[0]["groups"]] == [sales["id"]]
    _, users = store.search(tenant, ["User"], with_groups=False)
    assert "groups" not in users[0]


def test_rfc7644_3_4_1_unknown_id_detail_in_full(store: Store, tenant: str) -> None:
    """GET of an id the tenant does not hold: 404, and a detail that says where to look."""
    with pytest.raises(SCIMException) as info:
        store.get(tenant, "User", "nope")
    assert (info.value.status, info.value.detail) == (
        404,
        "No User with id 'nope' in your tenant. List /Users to see the ids that exist.",
    )


def test_rfc7644_3_3_created_group_is_returned_with_its_members(store: Store, tenant: str) -> None:
    """A created Group comes back with the members it was created with (RFC 7644 §3.3)."""
    jim = user(store, tenant, "jhalpert")
    created = store.create(
        tenant, "Group", {"displayName": "Sales", "members": [{"value": jim["id"]}]}
    )
    assert [m["value"] for m in created["members"]] == [jim["id"]]
