"""Bearer tokens bound to tenants in the store (issue 18, found by the fourth mutation run).

Ours, not the RFC's: RFC 7644 §2 leaves authentication to the service provider; this server
binds each bearer token to one tenant.
"""

from __future__ import annotations

import pytest

from scim_helper.server.store import Store


def test_add_token_returns_the_tenant_the_token_then_opens(store: Store) -> None:
    """add_token answers the tenant it bound (a new one per new token), and the token opens
    that same tenant."""
    tenant = store.add_token("course-token")
    assert isinstance(tenant, str) and tenant
    assert store.tenant_for_token("course-token") == tenant
    other_tenant = store.add_token("other-token")
    assert other_tenant != tenant


@pytest.mark.parametrize("token", ["", None, 42])
def test_add_token_refuses_what_is_no_token(store: Store, token: object) -> None:
    """An empty or non-string token is refused with a message saying what a token is."""
    with pytest.raises(ValueError) as info:
        store.add_token(token)  # type: ignore[arg-type]
    assert str(info.value) == "A bearer token must be a non-empty string."
