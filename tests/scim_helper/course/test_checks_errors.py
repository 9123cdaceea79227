"""Chapter 07's checks: a caught 409, a predicted status, and Angela's filter fixed and sent."""

from __future__ import annotations

import pytest

from scim_helper import checks, course_external_id
from scim_helper.tenant import Tenant
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import Conflict, NotFound, ProtocolError, SCIMError, Uniqueness
from sync_app.scim.group import Group
from sync_app.scim.user import User
from sync_app.wirelog import Exchange
from tests.fixtures.peer import PeerServer

from .conftest import Seeded
from .test_checks import hint, ok, says


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


def test_caught_uniqueness_says_each_hint_in_full(seeded: Seeded) -> None:
    """Every hint of the caught-error check, word for word, and its ✓."""
    says(
        checks.caught_uniqueness(None),
        "No answer yet: catch the error with `except SCIMError as error:` and keep it.",
    )
    says(checks.caught_uniqueness("409"), "The answer is a str, not the exception you caught.")
    says(
        checks.caught_uniqueness(ValueError("409")),
        "That is a ValueError, not an error from the SCIM client.",
    )
    with pytest.raises(SCIMError) as invalid:
        seeded.client.get_users('userName eq dschrute"')
    says(
        checks.caught_uniqueness(invalid.value),
        f"That is a {type(invalid.value).__name__}, raised before anything reached the server; "
        "the error to catch is the server's answer to the create.",
    )
    with pytest.raises(NotFound) as missing:
        seeded.client.get_user("no-such-id")
    says(
        checks.caught_uniqueness(missing.value),
        "That is a NotFound (status 404, scimType None); creating a userName that is taken "
        "gives a different one.",
    )
    with pytest.raises(SCIMError) as taken:
        seeded.client.create_user(User(userName="dschrute", active=True))
    says(
        checks.caught_uniqueness(taken.value),
        "Caught: 409 uniqueness, the userName is already taken.",
    )


def test_caught_uniqueness_wants_both_the_status_and_the_scim_type() -> None:
    """A 409 of another kind, or "uniqueness" on another status, is not the error asked for."""
    for wrong in [
        Conflict("conflict", status=409, scim_type="mutability"),
        Conflict("conflict", status=409),
        ProtocolError("odd", status=400, scim_type="uniqueness"),
    ]:
        hint(
            checks.caught_uniqueness(wrong), f"(status {wrong.status}, scimType {wrong.scim_type})"
        )
    ok(checks.caught_uniqueness(Uniqueness("taken", status=409, scim_type="uniqueness")))


def test_duplicate_group_predicted_says_each_hint_in_full(seeded: Seeded) -> None:
    """Every hint of the duplicate-group prediction, word for word, and its ✓."""
    client = seeded.client
    says(
        checks.duplicate_group_predicted(client, None),
        "No prediction yet: set prediction to a status (201 or 409) and run the cell.",
    )
    says(
        checks.duplicate_group_predicted(client, True),
        "The prediction is a bool; it should be a status: 201 or 409.",
    )
    says(
        checks.duplicate_group_predicted(client, 409),
        "Your client has not sent a POST /Groups named 'Dunder Mifflin' yet: run the cell that "
        "sends it.",
    )
    client.create_group(Group(displayName="Dunder Mifflin Paper", externalId=None))
    hint(checks.duplicate_group_predicted(client, 409), "has not sent a POST /Groups")
    with pytest.raises(SCIMError):
        client.create_group(_copy())
    says(
        checks.duplicate_group_predicted(client, 201),
        "You predicted 201; this server answered 409. RFC 7643 does not make a group's "
        "displayName unique, so each server decides.",
    )
    says(
        checks.duplicate_group_predicted(client, 409),
        "Right: this server keeps group names unique (its choice) and answered 409.",
    )


def test_duplicate_group_predicted_grades_the_last_attempt(seeded: Seeded) -> None:
    """A request that got no answer is not an attempt; the last answered one is graded."""
    tenant = Tenant(seeded.client)
    body = {"displayName": "Dunder Mifflin"}
    url = f"{seeded.tenant.url}/Groups"
    tenant.history = [
        Exchange(method="POST", url=url, path="/Groups", request_body=body, status=409),
        Exchange(method="POST", url=url, path="/Groups", request_body=body, status=201),
        Exchange(method="POST", url=url, path="/Groups", request_body=body, status=None),
    ]
    check = checks.duplicate_group_predicted.func
    assert check(tenant, 201) == (
        "Right: this server answered 201; RFC 7643 lets two groups share a name."
    )


def test_fixed_filter_says_each_hint_in_full(seeded: Seeded) -> None:
    """Every hint of the fixed-filter check, word for word, and its ✓."""
    client = seeded.client
    says(
        checks.fixed_filter(client, None),
        "No answer yet: fix the filter, run it, and keep the id of the user it finds.",
    )
    says(
        checks.fixed_filter(client, 7),
        "The answer is a int; keep just the user's id (a string) from the list response's "
        "Resources.",
    )
    says(
        checks.fixed_filter(client, seeded.user_ids["Jim Halpert"]),
        "That is not the id of the user the exercise is looking for.",
    )
    dwight = seeded.user_ids["Dwight Schrute"]
    says(
        checks.fixed_filter(client, dwight),
        "The id is right, but your client sent no GET /Users with the filter "
        'userName eq "dschrute": the exercise asks you to fix Angela\'s filter and run it.',
    )
    client.get_users('userName  EQ   "dschrute"')
    says(
        checks.fixed_filter(client, dwight),
        "Found him: string values in a filter need double quotes.",
    )


def test_fixed_filter_without_dwight_says_to_run_setup(client: SCIMClient) -> None:
    """On an empty tenant the hint says to seed it first."""
    says(
        checks.fixed_filter(client, "some-id"),
        "There is no user dschrute on the server: run course_setup(...) first.",
    )


def test_duplicate_group_predicted_counts_only_a_post_of_a_group(seeded: Seeded) -> None:
    """A PUT of the group, or a POST of a user shown as "Dunder Mifflin", is not the attempt."""
    client = seeded.client
    group = client.get_group(seeded.group_id).resource
    client.replace_group(group, id=seeded.group_id)
    client.create_user(User(userName="dm-account", displayName="Dunder Mifflin", active=True))
    hint(checks.duplicate_group_predicted(client, 201), "has not sent a POST /Groups")
