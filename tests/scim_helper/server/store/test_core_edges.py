"""Store (core.py) edges found missing by the mutation run of session 3 (issue 18): token
lookups by another process, the versions a DELETE moves on, If-Match on DELETE (also through
Bulk's transaction), and PUT of a Group's members."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scim2_models import PreconditionFailedException

from scim_helper.server.store import Store

from .builders import group, user


def test_a_token_bound_by_another_store_is_found(tmp_path: Path) -> None:
    """A second process (Store) on the same database finds a token's tenant by lookup, and
    again from its cache; an unknown, empty or non-string token has none."""
    first = Store(str(tmp_path / "scim.db"))
    second = Store(str(tmp_path / "scim.db"))
    try:
        tenant = first.add_token("shared-token")
        assert second.tenant_for_token("shared-token") == tenant
        assert second.tenant_for_token("shared-token") == tenant
        assert second.tenant_for_token("other-token") is None
        assert second.tenant_for_token("") is None
        assert second.tenant_for_token(123) is None  # type: ignore[arg-type]
    finally:
        first.close()
        second.close()


def _version(doc: dict[str, Any]) -> int:
    return int(doc["meta"]["version"].removeprefix('W/"').rstrip('"'))


def test_rfc7644_3_6_delete_moves_on_exactly_the_related_versions(
    store: Store, tenant: str
) -> None:
    """Deleting a user moves on the version (by one) and lastModified of its groups only;
    deleting a group moves on those of its members and of the groups holding it only. Other
    groups keep their members and versions (RFC 7644 §3.14: a changed representation, a new
    version)."""
    a, b = user(store, tenant, "a"), user(store, tenant, "b")
    g1 = group(store, tenant, "G1", a)
    g2 = group(store, tenant, "G2", b)
    outer = group(store, tenant, "Outer", g1)
    a, b, g1, g2, outer = (
        store.get(tenant, d["meta"]["resourceType"], d["id"]) for d in (a, b, g1, g2, outer)
    )
    store.delete(tenant, "User", a["id"])
    g1_after = store.get(tenant, "Group", g1["id"])
    assert _version(g1_after) == _version(g1) + 1
    assert g1_after["meta"]["lastModified"] != g1["meta"]["lastModified"]
    assert "members" not in g1_after
    assert store.get(tenant, "Group", g2["id"]) == g2
    assert store.get(tenant, "User", b["id"]) == b
    assert store.get(tenant, "Group", outer["id"]) == outer
    store.delete(tenant, "Group", g1["id"])
    outer_after = store.get(tenant, "Group", outer["id"])
    assert _version(outer_after) == _version(outer) + 1
    assert "members" not in outer_after
    assert store.get(tenant, "Group", g2["id"]) == g2


def test_rfc7644_3_14_delete_with_if_match(store: Store, tenant: str) -> None:
    """DELETE with the current ETag deletes; through Bulk's transaction a stale one is 412."""
    a, b = user(store, tenant, "a"), user(store, tenant, "b")
    store.delete(tenant, "User", a["id"], if_match=a["meta"]["version"])
    with pytest.raises(PreconditionFailedException):
        store.transaction(tenant, lambda tx: tx.delete("User", b["id"], 'W/"99"'))
    assert store.get(tenant, "User", b["id"]) == b
    store.transaction(tenant, lambda tx: tx.delete("User", b["id"], b["meta"]["version"]))


@pytest.mark.parametrize("name", ["Sales", "Sales Team"])
def test_rfc7644_3_5_1_put_group_moves_on_its_changed_members(
    store: Store, tenant: str, name: str
) -> None:
    """A PUT that replaces a Group's members moves on the version of the member who joined
    and of the one who left (their groups changed), with or without a new displayName."""
    jim, pam = user(store, tenant, "jim"), user(store, tenant, "pam")
    sales = group(store, tenant, "Sales", jim)
    jim = store.get(tenant, "User", jim["id"])
    store.replace(
        tenant, "Group", sales["id"], {"displayName": name, "members": [{"value": pam["id"]}]}
    )
    assert _version(store.get(tenant, "User", jim["id"])) == _version(jim) + 1
    assert _version(store.get(tenant, "User", pam["id"])) == _version(pam) + 1


def test_rfc7644_3_4_2_5_put_without_members_in_the_answer(store: Store, tenant: str) -> None:
    """PUT with with_members=False (excludedAttributes=members) answers without members."""
    jim = user(store, tenant, "jim")
    sales = group(store, tenant, "Sales", jim)
    body = {"displayName": "Sales", "members": [{"value": jim["id"]}]}
    assert "members" not in store.replace(tenant, "Group", sales["id"], body, with_members=False)
    assert "members" in store.replace(tenant, "Group", sales["id"], body)


@pytest.mark.parametrize(
    ("rtype", "bodies", "detail"),
    [
        (
            "User",
            [{"userName": "mscott"}, {"userName": "dschrute"}, {"userName": "MScott"}],
            "userName 'MScott' is already taken (409 uniqueness). userName is unique "
            "case-insensitively: pick another, or find the existing user with "
            'filter=userName eq "MScott".',
        ),
        (
            "Group",
            [{"displayName": "Sales"}, {"displayName": "SALES"}],
            "A Group with displayName 'SALES' already exists (409 uniqueness). Find it with "
            'filter=displayName eq "SALES".',
        ),
    ],
)
def test_rfc7644_3_7_a_name_twice_in_one_batch_is_409_naming_the_second(
    store: Store, tenant: str, rtype: str, bodies: list[dict[str, Any]], detail: str
) -> None:
    """A Bulk batch naming one userName (or group displayName) twice, in any case, is 409
    uniqueness before anything is written, naming the repeat; nothing is created."""
    from scim2_models import ConflictException

    from scim_helper.server import resources

    normals = [resources.normalise(rtype, body) for body in bodies]
    with pytest.raises(ConflictException) as info:
        store.transaction(tenant, lambda tx: tx.create_many(rtype, normals))
    assert (info.value.scim_type, info.value.detail) == ("uniqueness", detail)
    assert store.search(tenant, [rtype])[0] == 0
