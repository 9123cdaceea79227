"""Chapter 01's checks: a ✓ for the asked technique, a hint for every way it can go wrong.

Every test drives the live server the way a learner would, through the client; the checks also
read what that client sent (its wire log), so wrong techniques are sent for real.
"""

from __future__ import annotations

import contextlib

from scim_helper import checks
from scim_helper.checks._framework import Hint
from scim_helper.tenant import Tenant
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import ProtocolError
from sync_app.wirelog import Exchange

from .conftest import Seeded
from .test_checks import hint, ok


def another_client(seeded: Seeded) -> SCIMClient:
    """A second client on the same tenant: an empty wire log, as after a kernel restart."""
    config = ClientConfiguration(server_url=seeded.tenant.url, auth_token=seeded.tenant.token)
    return SCIMClient(config)


def test_welcome_bulk_limit(seeded: Seeded) -> None:
    """✓ for the server's bulk.maxOperations; hints for nothing, a wrong type, a wrong number."""
    bulk = seeded.client.service_provider_config().to_dict()["bulk"]
    hint(checks.welcome_bulk_limit(seeded.client, None), "No answer yet")
    hint(checks.welcome_bulk_limit(seeded.client, bulk), "number itself")
    hint(checks.welcome_bulk_limit(seeded.client, bulk["maxPayloadSize"]), "not the server's")
    ok(checks.welcome_bulk_limit(seeded.client, bulk["maxOperations"]))


def missing_user(client: SCIMClient) -> None:
    """The exercise's request: GET /Users/{id} for an id that does not exist."""
    with contextlib.suppress(ProtocolError):
        client.get_user("no-such-person-works-here")


def test_welcome_missing_user(seeded: Seeded) -> None:
    """✓ for the (status, scimType) the server answered; hints for each wrong prediction."""
    client = seeded.client
    hint(checks.welcome_missing_user(client, None), "No prediction yet")
    hint(checks.welcome_missing_user(client, "404"), "pair")
    hint(checks.welcome_missing_user(client, (True, None)), "pair")
    hint(checks.welcome_missing_user(client, (404, None)), "no failed GET /Users/{id}")
    missing_user(client)
    hint(checks.welcome_missing_user(client, (400, "invalidValue")), "another status")
    hint(checks.welcome_missing_user(client, (404, "noTarget")), "sent no scimType")
    ok(checks.welcome_missing_user(client, (404, None)))
    ok(checks.welcome_missing_user(client, [404, ""]))
    assert "404, with no scimType" in checks.welcome_missing_user(client, (404, None)).message


def test_welcome_missing_user_needs_the_chapters_client(seeded: Seeded) -> None:
    """A request made by another client is not in this client's log: the hint says so."""
    with another_client(seeded) as other:
        missing_user(other)
    hint(checks.welcome_missing_user(seeded.client, (404, None)), "chapter's `client`")


def test_welcome_missing_user_compares_the_scim_type_when_there_is_one(seeded: Seeded) -> None:
    """Where a server sends a scimType with its error, a prediction must name it."""
    tenant = Tenant(seeded.client)
    tenant.history = [
        Exchange(
            method="GET",
            url=f"{seeded.tenant.url}/Users/x",
            path="/Users/x",
            status=404,
            response_body={"status": "404", "scimType": "noTarget"},
        )
    ]
    check = checks.welcome_missing_user.func
    try:
        check(tenant, (404, None))
    except Hint as wrong:
        assert "not the scimType" in str(wrong)
    else:
        raise AssertionError("a missing scimType in the prediction was accepted")
    assert "404 noTarget" in check(tenant, (404, "noTarget"))
