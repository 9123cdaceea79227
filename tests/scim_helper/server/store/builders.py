"""Small builders shared by the storage core tests."""

from __future__ import annotations

from typing import Any

from scim_helper.server.store import Store

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def user(store: Store, tenant: str, user_name: str, **attrs: Any) -> dict[str, Any]:
    """Create a User with ``userName`` and any other attributes."""
    return store.create(tenant, "User", {"userName": user_name, **attrs})


def group(store: Store, tenant: str, name: str, *members: dict[str, Any]) -> dict[str, Any]:
    """Create a Group whose members are the given resources."""
    body: dict[str, Any] = {"displayName": name}
    if members:
        body["members"] = [{"value": m["id"]} for m in members]
    return store.create(tenant, "Group", body)


def ids(store: Store, tenant: str, filter: str, rtypes: tuple[str, ...] = ("User",)) -> set[str]:
    """The ids a filter selects."""
    _, found = store.search(tenant, list(rtypes), filter=filter)
    return {r["id"] for r in found}
