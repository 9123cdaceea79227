"""Chapter 02's checks: a ✓ for the asked technique, a hint for every way it can go wrong.

Every test drives the live server the way a learner would, through the client; the checks also
read what that client sent (its wire log), so wrong techniques are sent for real.
"""

from __future__ import annotations

from typing import Any

from scim_helper import checks
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import ProtocolError
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import Email, Name, User

from .conftest import Seeded
from .test_checks import hint, make_user, members, ok, patch_group, patch_user


def another_client(seeded: Seeded) -> SCIMClient:
    """A second client on the same tenant: an empty wire log, as after a kernel restart."""
    config = ClientConfiguration(server_url=seeded.tenant.url, auth_token=seeded.tenant.token)
    return SCIMClient(config)


def test_charles_created(seeded: Seeded) -> None:
    """✓ once cminer exists, active, named, with his work email; hints before and when wrong."""
    hint(checks.charles_created(seeded.client), "cminer")
    make_user(seeded.client, "cminer", "Charles", "Minor")
    hint(checks.charles_created(seeded.client), "familyName")
    patch_user(seeded.client, "cminer", Operation("replace", "name.familyName", "Miner"))
    hint(checks.charles_created(seeded.client), "work email")
    patch_user(
        seeded.client,
        "cminer",
        Operation("replace", 'emails[type eq "work"].value', "Charles.Miner@dundermifflin.com"),
    )
    ok(checks.charles_created(seeded.client))


def test_charles_joined(seeded: Seeded) -> None:
    """✓ once Charles is a member of Dunder Mifflin; a hint while he only exists."""
    charles = make_user(seeded.client, "cminer", "Charles", "Miner")
    hint(checks.charles_joined(seeded.client), "read-only")
    patch_group(seeded.client, seeded.group_id, Operation("add", "members", members([charles])))
    ok(checks.charles_joined(seeded.client))


def test_charles_in_dunder_mifflin(seeded: Seeded) -> None:
    """✓ once the group lists Charles; a hint before."""
    charles = make_user(seeded.client, "cminer", "Charles", "Miner")
    hint(checks.charles_in_dunder_mifflin(seeded.client), "not a member")
    patch_group(seeded.client, seeded.group_id, Operation("add", "members", members([charles])))
    ok(checks.charles_in_dunder_mifflin(seeded.client))


def test_charles_display_name(seeded: Seeded) -> None:
    """✓ for "Charles Miner" by a PATCH of displayName; hints for the refused path and the rest."""
    make_user(seeded.client, "cminer", "Charles", "Miner", displayName="Charles.Miner")
    hint(checks.charles_display_name(seeded.client), "'Charles.Miner'")
    # The exercise's request, as given: the userName where the URL wants the id.
    rename = PatchOp(operations=[Operation("replace", "displayName", "Charles Miner")])
    try:
        seeded.client.update_user(id="cminer", ops=rename)
    except ProtocolError as error:
        assert error.status == 404
    else:
        raise AssertionError("PATCH /Users/cminer was accepted")
    hint(checks.charles_display_name(seeded.client), "refused (404): the server has no User")
    patch_user(seeded.client, "cminer", Operation("replace", "displayName", "Charles Miner"))
    ok(checks.charles_display_name(seeded.client))


def test_charles_display_name_wrong_techniques(seeded: Seeded) -> None:
    """A PUT, a path-less replace, or another client's PATCH: the right name, but a hint."""
    charles = make_user(seeded.client, "cminer", "Charles", "Miner", displayName="Charles.Miner")
    with another_client(seeded) as other:
        whole = User(
            userName="cminer",
            displayName="Charles Miner",
            active=True,
            name=Name(givenName="Charles", familyName="Miner"),
            emails=[Email(value="charles.miner@dundermifflin.com", type="work", primary=True)],
        )
        other.replace_user(whole, id=charles)
        hint(checks.charles_display_name(other), "PUT")
    hint(checks.charles_display_name(seeded.client), "not by your client")
    with another_client(seeded) as other:
        patch_user(other, "cminer", Operation("replace", value={"displayName": "Charles Miner"}))
        hint(checks.charles_display_name(other), "no PATCH your client sent replaces the path")
    patch_user(seeded.client, "cminer", Operation("replace", "displayName", ""))
    hint(checks.charles_display_name(seeded.client), "no displayName at all")


def lookup(client: SCIMClient, external_id: str) -> int:
    """Look a user up by externalId, as the exercise asks; how many answered."""
    found = client.get_users(f'externalId eq "{external_id}"').to_dict()
    return int(found["totalResults"])


def create_wallace(client: SCIMClient, **extra: Any) -> str:
    user = User(
        userName="dwallace",
        displayName="David Wallace",
        active=True,
        name=Name(givenName="David", familyName="Wallace"),
        emails=[Email(value="david.wallace@dundermifflin.com", type="work", primary=True)],
        **extra,
    )
    return str(client.create_user(user).to_dict()["id"])


def test_wallace_created(seeded: Seeded) -> None:
    """✓ for David Wallace with displayName and primary work email; hints along the way."""
    hint(checks.wallace_created(seeded.client), "dwallace")
    make_user(seeded.client, "dwallace", "David", "Wallace")
    hint(checks.wallace_created(seeded.client), "displayName")
    patch_user(seeded.client, "dwallace", Operation("replace", "displayName", "David Wallace"))
    hint(checks.wallace_created(seeded.client), "no course externalId")
    patch_user(seeded.client, "dwallace", Operation("replace", "externalId", "office-course:dw"))
    # Created straight away, without the lookup the exercise asks for.
    hint(checks.wallace_created(seeded.client), "without asking first")
    with another_client(seeded) as other:
        hint(checks.wallace_created(other), "neither lookup nor POST")
        assert lookup(other, "office-course:dw") == 1
        ok(checks.wallace_created(other))


def test_wallace_created_looked_up_then_created(seeded: Seeded) -> None:
    """The solution's way, run twice: look up, create if absent; ✓ both times."""
    key = "office-course:dwallace"
    if not lookup(seeded.client, key):
        create_wallace(seeded.client, externalId=key)
    ok(checks.wallace_created(seeded.client))
    assert lookup(seeded.client, key) == 1  # the second run finds him and creates nothing
    ok(checks.wallace_created(seeded.client))


def test_wallace_created_needs_the_marker(seeded: Seeded) -> None:
    """Looked up and created, but without the course externalId: a hint about the marker."""
    assert lookup(seeded.client, "dwallace") == 0
    create_wallace(seeded.client, externalId="dwallace")
    hint(checks.wallace_created(seeded.client), "RFC 7643 §3.1")


def test_wallace_created_end_state_hints(seeded: Seeded) -> None:
    """Inactive, misnamed, no work email, a work email not primary: a hint for each."""
    make_user(seeded.client, "dwallace", "David", "Walace", displayName="David Wallace")
    hint(checks.wallace_created(seeded.client), "familyName Wallace")
    patch_user(seeded.client, "dwallace", Operation("replace", "name.familyName", "Wallace"))
    patch_user(seeded.client, "dwallace", Operation("replace", "active", False))
    hint(checks.wallace_created(seeded.client), "not active")
    patch_user(seeded.client, "dwallace", Operation("replace", "active", True))
    home = {"value": "david.wallace@dundermifflin.com", "type": "home"}
    patch_user(seeded.client, "dwallace", Operation("replace", "emails", [home]))
    hint(checks.wallace_created(seeded.client), "no work email")
    work = {**home, "type": "work", "primary": False}
    patch_user(seeded.client, "dwallace", Operation("replace", "emails", [work]))
    hint(checks.wallace_created(seeded.client), "not marked primary")


def test_charles_joined_on_a_server_without_user_groups() -> None:
    """scim2-server never fills User.groups: the group's members alone decide, ✓."""
    from scim_helper.setup import course_setup
    from tests.fixtures.peer import serve_peer

    with serve_peer() as peer:
        group_id, _ids = course_setup(peer.token, server_url=peer.url, reset=True)
        config = ClientConfiguration(server_url=peer.url, auth_token=peer.token)
        with SCIMClient(config) as client:
            charles = make_user(client, "cminer", "Charles", "Miner")
            patch_group(client, group_id, Operation("add", "members", members([charles])))
            result = checks.charles_joined(client)
    assert result.ok and "leaves User.groups out" in result.message, result.message


def test_wallace_created_looked_up_with_search(seeded: Seeded) -> None:
    """A lookup by POST /Users/.search (RFC 7644 §3.4.3) counts as asking first."""
    key = "office-course:dwallace"
    found = seeded.client.search(f'externalId eq "{key}"', resource_type="User").to_dict()
    assert found["totalResults"] == 0
    create_wallace(seeded.client, externalId=key)
    ok(checks.wallace_created(seeded.client))
