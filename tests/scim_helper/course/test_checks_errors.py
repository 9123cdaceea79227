"""Chapter 07's checks: a caught 409, a predicted status, and Angela's filter fixed and sent."""

from __future__ import annotations

import pytest

from scim_helper import checks, course_external_id
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import SCIMError
from sync_app.scim.group import Group
from sync_app.scim.user import User
from tests.fixtures.peer import PeerServer

from .conftest import Seeded
from .test_checks import hint, ok


def test_caught_uniqueness(seeded: Seeded) -> None:
    """✓ for the 409 uniqueness error; hints for nothing, a non-error and another error."""
    hint(checks.caught_uniqueness(None), "No answer yet")
    hint(checks.caught_uniqueness("409"), "not the exception")
    hint(checks.caught_uniqueness(ValueError("409")), "not an error from the SCIM client")
    try:
        seeded.client.get_user("no-such-id")
    except SCIMError as error:
        hint(checks.caught_uniqueness(error), "status 404")
    try:
        seeded.client.get_users('userName eq dschrute"')
    except SCIMError as error:
        hint(checks.caught_uniqueness(error), "before anything reached the server")
    try:
        seeded.client.create_user(User(userName="dschrute", active=True))
    except SCIMError as error:
        ok(checks.caught_uniqueness(error))
    else:
        pytest.fail("a second dschrute was accepted")


def _copy() -> Group:
    marker = course_external_id("group:dunder-mifflin-copy")
    return Group(displayName="Dunder Mifflin", externalId=marker)


def test_duplicate_group_predicted(seeded: Seeded) -> None:
    """On this course's server a second "Dunder Mifflin" is a 409: ✓ for 409, a hint for 201."""
    hint(checks.duplicate_group_predicted(seeded.client, None), "No prediction yet")
    hint(checks.duplicate_group_predicted(seeded.client, "409"), "should be a status")
    hint(checks.duplicate_group_predicted(seeded.client, 409), "has not sent a POST /Groups")
    with pytest.raises(SCIMError):
        seeded.client.create_group(_copy())
    hint(
        checks.duplicate_group_predicted(seeded.client, 201),
        "You predicted 201; this server answered 409",
        "RFC 7643",
    )
    result = checks.duplicate_group_predicted(seeded.client, 409)
    ok(result)
    assert "its choice" in result.message


def test_duplicate_group_predicted_on_a_server_that_allows_it(peer_server: PeerServer) -> None:
    """scim2-server creates the second group (RFC 7643 allows it): ✓ for 201, a hint for 409."""
    config = ClientConfiguration(server_url=peer_server.url, auth_token=peer_server.token)
    with SCIMClient(config) as client:
        first = client.create_group(_copy()).to_dict()
        second = client.create_group(_copy()).to_dict()
        try:
            hint(checks.duplicate_group_predicted(client, 409), "this server answered 201")
            result = checks.duplicate_group_predicted(client, 201)
            ok(result)
            assert "lets two groups share a name" in result.message
        finally:
            client.delete_group(first["id"])
            client.delete_group(second["id"])


def test_fixed_filter(seeded: Seeded) -> None:
    """✓ for Dwight's id; hints for the whole response and for someone else's id."""
    response = seeded.client.get_users('userName eq "dschrute"')
    hint(checks.fixed_filter(seeded.client, None))
    hint(checks.fixed_filter(seeded.client, response), "just the user's id")
    hint(checks.fixed_filter(seeded.client, seeded.user_ids["Jim Halpert"]), "not the id")
    ok(checks.fixed_filter(seeded.client, response.to_dict()["Resources"][0]["id"]))


def test_fixed_filter_without_the_fixed_filter_gets_a_hint(seeded: Seeded) -> None:
    """Dwight's id found by listing everyone (no fixed filter sent) gets a hint, even twice."""
    everyone = seeded.client.get_users(count=100).to_dict()["Resources"]
    dwight = next(u["id"] for u in everyone if u["userName"] == "dschrute")
    hint(checks.fixed_filter(seeded.client, dwight), 'userName eq "dschrute"')
    # The check looks Dwight up with that very filter; its own read never counts.
    hint(checks.fixed_filter(seeded.client, dwight), 'userName eq "dschrute"')
