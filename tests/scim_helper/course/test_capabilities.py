"""Capabilities: what a server supports, from /ServiceProviderConfig, /Schemas and answers."""

from __future__ import annotations

import pytest

from scim_helper.capabilities import Capabilities, capabilities, supports
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.scim.group import Group
from sync_app.scim.user import User
from tests.fixtures.peer import PeerServer

from .conftest import Seeded


def test_rfc7643_5_capabilities_of_the_course_server(seeded: Seeded) -> None:
    """Our server announces every feature and fills User.groups (RFC 7643 §4.1.2)."""
    found = capabilities(seeded.client, refresh=True)
    assert found.patch and found.bulk and found.filter and found.sort and found.etag
    assert found.groups
    assert found.bulk_max_operations > 1
    assert supports(seeded.client, "groups")
    assert found.note("groups") == (
        "This server supports User.groups (the groups a user is in) "
        "(a member's User.groups lists its group)."
    )


def test_rfc7643_4_1_2_peer_declares_user_groups_but_leaves_it_empty(
    peer_server: PeerServer,
) -> None:
    """scim2-server declares User.groups in /Schemas and never fills it: learned from the answer."""
    config = ClientConfiguration(server_url=peer_server.url, auth_token=peer_server.token)
    with SCIMClient(config) as client:
        user = client.create_user(User(userName="capabilities-probe")).to_dict()
        group = client.create_group(
            Group.from_dict(
                {
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                    "displayName": "capabilities-probe",
                    "members": [{"value": user["id"], "type": "User"}],
                }
            )
        ).to_dict()
        try:
            found = capabilities(client)
            assert found.patch and found.sort
            assert not found.groups
            assert not supports(client, "groups")
            assert "so the course asks each group for its members instead" in found.note("groups")
        finally:
            client.delete_group(group["id"])
            client.delete_user(user["id"])


def test_capabilities_note_for_a_missing_feature_names_the_rfc_and_the_way_round() -> None:
    """A feature the server lacks gets one line: what, where it is optional, what instead."""
    found = Capabilities(patch=True)
    assert found.note("sort") == (
        "This server does not offer sorting (/ServiceProviderConfig; optional in "
        "RFC 7644 §3.4.2.3), so the results come back in the server's own order."
    )
    assert "It does not offer: Bulk requests" in str(found)


def test_capabilities_unknown_feature_lists_the_known_ones() -> None:
    """A misspelt feature is an error that lists the real names."""
    with pytest.raises(ValueError, match="'sort'"):
        Capabilities().supports("sorting")
