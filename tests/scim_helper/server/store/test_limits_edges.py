"""Every documented store and filter limit, exactly at it and one over (issue 18).

The limits are ours (server/limits.py documents them); RFC 7644 §3.4.2.2 only says a server
answers 400 ``invalidFilter`` for a filter it cannot take, and §3.12 names the scimTypes.
"""

from __future__ import annotations

from typing import Any

import pytest
from scim2_models import SCIMException

from scim_helper.server.filters import MAX_COMPARISONS, MAX_NESTING
from scim_helper.server.store import Store
from scim_helper.server.store.rows import CHUNK, chunks

from .builders import group, ids, user


def nested(depth: int, inner: str = 'userName eq "mscott"') -> str:
    return "(" * depth + inner + ")" * depth


def chain(comparisons: int) -> str:
    return " or ".join(f'userName eq "u{n}"' for n in range(comparisons))


@pytest.fixture
def michael(store: Store, tenant: str) -> str:
    return user(store, tenant, "mscott", emails=[{"value": "m@x.example", "type": "work"}])["id"]


def test_rfc7644_3_4_2_2_nesting_exactly_at_the_limit_is_accepted(
    store: Store, tenant: str, michael: str
) -> None:
    """A filter nesting exactly MAX_NESTING (64) parentheses is evaluated."""
    assert MAX_NESTING == 64
    assert ids(store, tenant, nested(MAX_NESTING)) == {michael}


def test_rfc7644_3_4_2_2_nesting_one_over_the_limit_is_invalid_filter(
    store: Store, tenant: str, michael: str
) -> None:
    """One parenthesis more is 400 invalidFilter, and the detail names the limit."""
    with pytest.raises(SCIMException) as info:
        store.search(tenant, ["User"], filter=nested(MAX_NESTING + 1))
    assert info.value.scim_type == "invalidFilter"
    assert f"more than {MAX_NESTING} levels" in info.value.detail


def test_rfc7644_3_4_2_2_closed_parentheses_do_not_add_up(
    store: Store, tenant: str, michael: str
) -> None:
    """Nesting counts open parentheses, not all of them: many groups side by side are fine."""
    side_by_side = " or ".join(nested(MAX_NESTING // 2) for _ in range(4))
    assert ids(store, tenant, side_by_side) == {michael}


def test_rfc7644_3_4_2_2_escaped_quote_keeps_parentheses_inside_the_string(
    store: Store, tenant: str
) -> None:
    """An escaped quote does not end a string: the parentheses after it are data."""
    name = 'a\\"' + "(" * (MAX_NESTING + 1)
    created = user(store, tenant, 'a"' + "(" * (MAX_NESTING + 1))["id"]
    assert ids(store, tenant, f'userName eq "{name}"') == {created}


def test_rfc7644_3_4_2_2_comparisons_exactly_at_the_limit_are_accepted(
    store: Store, tenant: str
) -> None:
    """A filter of exactly MAX_COMPARISONS (200) comparisons is evaluated."""
    assert MAX_COMPARISONS == 200
    last = user(store, tenant, f"u{MAX_COMPARISONS - 1}")["id"]
    assert ids(store, tenant, chain(MAX_COMPARISONS)) == {last}


@pytest.mark.parametrize("negated", [False, True])
def test_rfc7644_3_4_2_2_comparisons_one_over_the_limit_is_invalid_filter(
    store: Store, tenant: str, negated: bool
) -> None:
    """201 comparisons (inside a not, too) are 400 invalidFilter naming the limit."""
    text = chain(MAX_COMPARISONS + 1)
    with pytest.raises(SCIMException) as info:
        store.search(tenant, ["User"], filter=f"not ({text})" if negated else text)
    assert info.value.scim_type == "invalidFilter"
    assert f"more than {MAX_COMPARISONS} comparisons" in info.value.detail
    assert "split it into several requests" in info.value.detail


def test_rfc7644_3_4_2_2_comparisons_inside_brackets_count(store: Store, tenant: str) -> None:
    """Comparisons inside a value filter count towards the limit like any other."""
    inner = " or ".join(f'value eq "v{n}"' for n in range(MAX_COMPARISONS))
    with pytest.raises(SCIMException) as info:
        store.search(tenant, ["User"], filter=f'emails[{inner}] or userName eq "x"')
    assert info.value.scim_type == "invalidFilter"


def patch_path(store: Store, tenant: str, rid: str, path: str) -> dict[str, Any]:
    return store.patch(tenant, "User", rid, [{"op": "replace", "path": path, "value": "n@x.y"}])


def test_rfc7644_3_5_2_path_filter_at_and_over_the_comparison_limit(
    store: Store, tenant: str, michael: str
) -> None:
    """A PATCH path's value filter may hold 200 comparisons; 201 is 400 invalidPath."""
    at = " or ".join(['type eq "work"'] + [f'type eq "t{n}"' for n in range(MAX_COMPARISONS - 1)])
    assert patch_path(store, tenant, michael, f"emails[{at}].value")["emails"][0]["value"] == (
        "n@x.y"
    )
    over = f'{at} or type eq "one-more"'
    with pytest.raises(SCIMException) as info:
        patch_path(store, tenant, michael, f"emails[{over}].value")
    assert info.value.scim_type == "invalidPath"
    assert f"path has more than {MAX_COMPARISONS} comparisons" in info.value.detail


def test_rfc7644_3_5_2_path_at_and_over_the_nesting_limit(
    store: Store, tenant: str, michael: str
) -> None:
    """A PATCH path nests at most 64 brackets and parentheses; one more is invalidPath."""
    at = "emails[" + nested(MAX_NESTING - 1, 'type eq "work"') + "].value"
    assert patch_path(store, tenant, michael, at)["emails"][0]["value"] == "n@x.y"
    over = "emails[" + nested(MAX_NESTING, 'type eq "work"') + "].value"
    with pytest.raises(SCIMException) as info:
        patch_path(store, tenant, michael, over)
    assert info.value.scim_type == "invalidPath"
    assert f"path nests parentheses more than {MAX_NESTING}" in info.value.detail


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 1])
def test_chunks_cover_every_item_once_in_order(size: int) -> None:
    """The IN-list chunks hold every id exactly once, in order, at most CHUNK at a time."""
    items = list(range(size))
    parts = list(chunks(items))
    assert [i for part in parts for i in part] == items
    assert all(0 < len(part) <= CHUNK for part in parts)
    assert len(parts) == -(-size // CHUNK)


def test_rfc7644_3_5_2_group_one_over_a_chunk_of_members(store: Store, tenant: str) -> None:
    """A group of CHUNK + 1 members is created, read, renamed and emptied whole: every
    IN (...) list the store splits at CHUNK ids still reaches every member."""
    users = [user(store, tenant, f"m{n}") for n in range(CHUNK + 1)]
    created = group(store, tenant, "Warehouse", *users)
    expected = {u["id"] for u in users}
    assert {m["value"] for m in store.get(tenant, "Group", created["id"])["members"]} == expected
    last = store.get(tenant, "User", users[-1]["id"])
    assert [g["value"] for g in last["groups"]] == [created["id"]]
    store.patch(
        tenant,
        "Group",
        created["id"],
        [{"op": "replace", "path": "displayName", "value": "Warehouse crew"}],
    )
    assert store.get(tenant, "User", users[0]["id"])["groups"][0]["display"] == "Warehouse crew"
    store.patch(
        tenant,
        "Group",
        created["id"],
        [{"op": "remove", "path": "members", "value": [{"value": i} for i in sorted(expected)]}],
    )
    assert "members" not in store.get(tenant, "Group", created["id"])
    assert "groups" not in store.get(tenant, "User", users[-1]["id"])
