"""``checks.sent``: a check sees what the learner's client sent, not its own reads."""

from __future__ import annotations

from typing import Any

from scim_helper.checks._framework import Check, sent
from scim_helper.tenant import Tenant
from sync_app.client import ClientConfiguration, SCIMClient


def test_sent_lists_the_learners_requests_before_the_check_read_anything(fresh_tenant: Any) -> None:
    """Exchanges made by the check itself are not in ``sent``; filters by method and path work."""
    seen: dict[str, list[str]] = {}

    def look(tenant: Tenant) -> str:
        tenant.users('userName eq "nobody"')  # the check's own read
        seen["all"] = [f"{e.method} {e.path}" for e in sent(tenant)]
        seen["get"] = [e.path for e in sent(tenant, "get", "/ServiceProvider")]
        return "done"

    probe = Check(look, "test")  # not registered: CHECKS lists the chapters' checks only

    config = ClientConfiguration(server_url=fresh_tenant.url, auth_token=fresh_tenant.token)
    with SCIMClient(config) as client:
        client.service_provider_config()
        client.get_users(count=1)
        assert probe(client).ok
    assert seen["all"] == ["GET /ServiceProviderConfig", "GET /Users?count=1"]
    assert seen["get"] == ["/ServiceProviderConfig"]


def test_sent_leaves_out_what_earlier_checks_asked(fresh_tenant: Any) -> None:
    """A check's own reads are not the learner's: the next check does not see them in sent."""
    seen: list[list[str]] = []

    def look(tenant: Tenant) -> str:
        seen.append([f"{e.method} {e.path}" for e in sent(tenant)])
        tenant.users('userName eq "nobody"')  # the check's own read
        return "done"

    probe = Check(look, "test")
    config = ClientConfiguration(server_url=fresh_tenant.url, auth_token=fresh_tenant.token)
    with SCIMClient(config) as client:
        client.get_users(count=1)
        assert probe(client).ok
        client.service_provider_config()
        assert probe(client).ok
    assert seen == [
        ["GET /Users?count=1"],
        ["GET /Users?count=1", "GET /ServiceProviderConfig"],
    ]
