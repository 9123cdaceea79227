"""Store._search_shape: a search's statements are built once per shape and shared by every
tenant, the tenant bound per call. Each tenant still sees only its own resources (RFC 7644
§3.4.2), through every path of a search: the first page, a later page, count=0, the count."""

from __future__ import annotations

import secrets

import pytest
from scim2_models import InvalidFilterException, InvalidValueException

from scim_helper.server.store import Store
from scim_helper.server.store import core as core_module

USER = "urn:ietf:params:scim:schemas:core:2.0:User"


def _tenant_with(store: Store, *names: str) -> str:
    tenant = store.add_token(secrets.token_urlsafe(16))
    for name in names:
        store.create(tenant, "User", {"schemas": [USER], "userName": name})
    return tenant


def _names(page: list[dict[str, object]]) -> list[object]:
    return [user["userName"] for user in page]


def test_rfc7644_3_4_2_the_same_filter_in_two_tenants_finds_each_ones_own(store: Store) -> None:
    scranton = _tenant_with(store, "kevin", "oscar", "angela")
    stamford = _tenant_with(store, "kevin", "andy")
    everyone = 'userName pr and not (userName eq "nobody")'
    for tenant, expected in (
        (scranton, ["kevin", "oscar", "angela"]),
        (stamford, ["kevin", "andy"]),
    ):
        total, page = store.search(tenant, ["User"], filter=everyone)
        assert (total, _names(page)) == (len(expected), expected)
        # count=0: the total alone; a later page; a first page cut short (then counted).
        assert store.search(tenant, ["User"], filter=everyone, count=0) == (len(expected), [])
        total, later = store.search(tenant, ["User"], filter=everyone, start_index=2)
        assert (total, _names(later)) == (len(expected), expected[1:])
        total, first = store.search(tenant, ["User"], filter=everyone, count=1)
        assert (total, _names(first)) == (len(expected), expected[:1])
    kept = [key for key in store._searches if key[1] == everyone]
    assert len(kept) == 3, "one shape per (filter, count); start_index is not one"


def test_shapes_differ_by_order_page_size_and_columns(store: Store) -> None:
    tenant = _tenant_with(store, "b", "a", "c")
    ascending = store.search(tenant, ["User"], sort_by="userName")[1]
    descending = store.search(tenant, ["User"], sort_by="userName", sort_order="descending")[1]
    assert _names(ascending) == ["a", "b", "c"] and _names(descending) == ["c", "b", "a"]
    assert _names(store.search(tenant, ["User"], sort_by="userName", count=2)[1]) == ["a", "b"]
    (a,) = store.search(tenant, ["User"], filter='userName eq "a"')[1]
    group = {"schemas": [], "displayName": "Sales", "members": [{"value": a["id"]}]}
    store.create(tenant, "Group", group)
    without = store.search(tenant, ["User"], filter='userName eq "a"', with_groups=False)[1]
    with_groups = store.search(tenant, ["User"], filter='userName eq "a"')[1]
    assert "groups" not in without[0]
    assert [g["display"] for g in with_groups[0]["groups"]] == ["Sales"]


def test_invalid_input_raises_every_time_and_is_not_kept(store: Store) -> None:
    tenant = _tenant_with(store, "toby")
    for _ in range(2):
        with pytest.raises(InvalidFilterException):
            store.search(tenant, ["User"], filter="userName eq")
        with pytest.raises(InvalidValueException, match="sortOrder"):
            store.search(tenant, ["User"], sort_by="userName", sort_order="sideways")
    assert not [key for key in store._searches if key[1] == "userName eq" or key[3] == "sideways"]
    store.search(tenant, ["User"], sort_by="userName", sort_order="Descending")
    assert (("User",), None, "userName", "Descending", None, True) in store._searches


def test_the_kept_shapes_are_bounded(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core_module, "_SEARCHES_KEPT", 2)
    tenant = _tenant_with(store, "pam", "jim", "dwight")
    for name in ("pam", "jim", "dwight", "pam"):
        total, page = store.search(tenant, ["User"], filter=f'userName eq "{name}"')
        assert (total, _names(page)) == (1, [name])
        assert 1 <= len(store._searches) <= 2
