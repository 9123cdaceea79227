"""Chapter 02's checks: a ✓ for the asked technique, a hint for every way it can go wrong.

Every test drives the live server the way a learner would, through the client; the checks also
read what that client sent (its wire log), so wrong techniques are sent for real.
"""

from __future__ import annotations

import contextlib
from typing import Any

from scim_helper import checks
from scim_helper.checks._framework import Hint
from scim_helper.tenant import Tenant
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import ProtocolError
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import Email, Name, User
from sync_app.wirelog import Exchange

from .conftest import Seeded
from .test_checks import (
    another_client,
    hint,
    make_group,
    make_user,
    members,
    ok,
    patch_group,
    patch_user,
    says,
)


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
    assert result.ok, result.message
    assert result.message == (
        "Charles is a member of Dunder Mifflin (this server leaves User.groups out)."
    )


def test_wallace_created_looked_up_with_search(seeded: Seeded) -> None:
    """A lookup by POST /Users/.search (RFC 7644 §3.4.3) counts as asking first."""
    key = "office-course:dwallace"
    found = seeded.client.search(f'externalId eq "{key}"', resource_type="User").to_dict()
    assert found["totalResults"] == 0
    create_wallace(seeded.client, externalId=key)
    ok(checks.wallace_created(seeded.client))


def test_charles_created_says_each_hint_in_full(seeded: Seeded) -> None:
    """Every hint of charles_created, word for word, in the order a learner meets them."""
    client = seeded.client
    says(
        checks.charles_created(client),
        "There is no user 'cminer' (Charles Miner) on the server yet.",
    )
    make_user(client, "cminer", "Charles", "Miner")
    patch_user(client, "cminer", Operation("replace", "active", False))
    says(
        checks.charles_created(client),
        "Charles exists but is not active: he starts today, so active should be True.",
    )
    patch_user(client, "cminer", Operation("replace", "active", True))
    patch_user(client, "cminer", Operation("replace", "name.givenName", "Charlie"))
    says(
        checks.charles_created(client),
        "Charles's name is not right: givenName should be Charles, familyName Miner.",
    )
    patch_user(client, "cminer", Operation("replace", "name.givenName", "Charles"))
    home = {"value": "charles.miner@dundermifflin.com", "type": "home"}
    patch_user(client, "cminer", Operation("replace", "emails", [home]))
    says(checks.charles_created(client), "Charles has no email of type 'work' yet.")
    work = {"value": "cminer@dundermifflin.com", "type": "work"}
    patch_user(client, "cminer", Operation("replace", "emails", [home, work]))
    says(
        checks.charles_created(client),
        "Charles's work email should be his Dunder Mifflin address, first.last.",
    )
    patch_user(client, "cminer", Operation("add", "emails", [{**home, "type": "work"}]))
    says(
        checks.charles_created(client),
        "Charles Miner is in the directory: active, named, with his work email.",
    )


def test_charles_joined_says_each_hint_in_full(seeded: Seeded) -> None:
    """charles_joined's hints and ✓ on this server, which fills User.groups."""
    client = seeded.client
    says(
        checks.charles_joined(client),
        "There is no user 'cminer' (Charles Miner) on the server yet.",
    )
    charles = make_user(client, "cminer", "Charles", "Miner")
    says(
        checks.charles_joined(client),
        "Charles is not a member of Dunder Mifflin yet. A User's groups attribute is read-only "
        "(RFC 7643 §4.1.2): membership changes on the group.",
    )
    patch_group(client, seeded.group_id, Operation("add", "members", members([charles])))
    says(
        checks.charles_joined(client),
        "Charles is a member of Dunder Mifflin, and his groups attribute says so.",
    )
    says(checks.charles_in_dunder_mifflin(client), "Charles is a member of Dunder Mifflin.")


def test_charles_joined_without_the_group_says_to_run_setup(client: SCIMClient) -> None:
    """Charles exists but Dunder Mifflin does not: both checks say how to create it."""
    make_user(client, "cminer", "Charles", "Miner")
    missing = (
        "There is no group 'Dunder Mifflin' on the server yet. Run course_setup(...) at the top "
        "of the chapter to create it."
    )
    says(checks.charles_joined(client), missing)
    says(checks.charles_in_dunder_mifflin(client), missing)
    make_group(client, "Dunder Mifflin")
    says(
        checks.charles_in_dunder_mifflin(client),
        "Charles is not a member of Dunder Mifflin yet: change the group's members.",
    )


def test_charles_display_name_says_each_hint_in_full(seeded: Seeded) -> None:
    """Every hint of charles_display_name, word for word."""
    client = seeded.client
    make_user(client, "cminer", "Charles", "Miner", displayName="Charles.Miner")
    says(
        checks.charles_display_name(client),
        "Charles's displayName is still 'Charles.Miner'. RFC 7643 says it is the full name, "
        "suitable for display to end-users.",
    )
    rename = PatchOp(operations=[Operation("replace", "displayName", "Charles Miner")])
    with contextlib.suppress(ProtocolError):
        client.update_user(id="cminer", ops=rename)
    says(
        checks.charles_display_name(client),
        "Your last PATCH was refused (404): the server has no User at the URL it went to. A "
        "resource's URL holds its id, the one the server assigned (RFC 7643 §3.1), not its "
        "userName.",
    )
    patch_user(client, "cminer", Operation("replace", "displayName", "Charles  Miner"))
    hint(checks.charles_display_name(client), "still 'Charles  Miner'")
    patch_user(client, "cminer", Operation("remove", "displayName"))
    says(
        checks.charles_display_name(client),
        "Charles has no displayName at all now; it should be his full name.",
    )
    patch_user(client, "cminer", Operation("replace", " DisplayName ", "Charles Miner"))
    says(
        checks.charles_display_name(client),
        "Charles's displayName is his full name, changed by one PATCH of that attribute.",
    )


def test_charles_display_name_refused_with_a_scim_type(seeded: Seeded) -> None:
    """A refused PATCH that carried a scimType names it in the hint."""
    tenant = Tenant(seeded.client)
    make_user(seeded.client, "cminer", "Charles", "Miner", displayName="Charles.Miner")
    url = f"{seeded.tenant.url}/Users/cminer"
    tenant.history = [
        Exchange(method="PATCH", url=url, path="/Users/cminer", status=404),
        Exchange(
            method="PATCH",
            url=url,
            path="/Users/cminer",
            status=400,
            response_body={"status": "400", "scimType": "invalidPath"},
        ),
        Exchange(method="PATCH", url=url, path="/Users/cminer", status=399),
    ]
    try:
        checks.charles_display_name.func(tenant)
    except Hint as refused:
        assert str(refused).startswith("Your last PATCH was refused (400 invalidPath): ")
    else:
        raise AssertionError("a refused PATCH was not named")


def test_charles_display_name_wrong_techniques_say_so_in_full(seeded: Seeded) -> None:
    """The PUT, another client's rename, and a PATCH of another path, word for word."""
    charles = make_user(seeded.client, "cminer", "Charles", "Miner", displayName="Charles.Miner")
    with another_client(seeded) as other:
        other.replace_user(
            User(userName="cminer", displayName="Charles Miner", active=True), id=charles
        )
        patch_user(other, "cminer", Operation("replace", "displayName", "Charles Miner"))
        says(
            checks.charles_display_name(other),
            "Charles is renamed, but your client replaced his whole record with a PUT; the "
            "exercise asks for one PATCH that replaces displayName only.",
        )
    says(
        checks.charles_display_name(seeded.client),
        "Charles is renamed, but not by your client: use the chapter's `client` for it (the "
        "check reads that client's wire log; another client's requests are not in it).",
    )
    with another_client(seeded) as other:
        patch_user(other, "cminer", Operation("add", "displayName", "Charles Miner"))
        patch_user(other, "cminer", Operation("replace", "nickName", "Charles Miner"))
        says(
            checks.charles_display_name(other),
            "Charles is renamed, but no PATCH your client sent replaces the path displayName; "
            "the exercise asks for one replace operation on that attribute.",
        )


def test_charles_checks_without_charles_name_him(seeded: Seeded) -> None:
    """Every Charles check, before he exists, says who is missing in the same words."""
    missing = "There is no user 'cminer' (Charles Miner) on the server yet."
    for check in (checks.charles_in_dunder_mifflin, checks.charles_display_name):
        says(check(seeded.client), missing)


def test_charles_display_name_reads_only_his_patches(seeded: Seeded) -> None:
    """A read of Charles, or a PATCH or PUT of someone else, is not his rename."""
    charles = make_user(seeded.client, "cminer", "Charles", "Miner", displayName="Charles.Miner")
    with another_client(seeded) as other:
        other.get_user(charles)
        patch_user(other, "jhalpert", Operation("replace", "displayName", "Big Tuna"))
        with contextlib.suppress(ProtocolError):
            other.get_user("cminer")
        with contextlib.suppress(ProtocolError):
            other.update_group(
                id="no-such-group",
                ops=PatchOp(operations=[Operation("replace", "displayName", "x")]),
            )
        hint(checks.charles_display_name(other), "still 'Charles.Miner'")
        patch_user(seeded.client, "cminer", Operation("replace", "displayName", "Charles Miner"))
        says(
            checks.charles_display_name(other),
            "Charles is renamed, but not by your client: use the chapter's `client` for it (the "
            "check reads that client's wire log; another client's requests are not in it).",
        )
    with another_client(seeded) as other:
        jim = other.get_user(seeded.user_ids["Jim Halpert"]).resource
        other.replace_user(jim, id=seeded.user_ids["Jim Halpert"])
        patch_user(other, "cminer", Operation("replace", "displayName", "Charles Miner"))
        ok(checks.charles_display_name(other))


def test_wallace_created_says_each_hint_in_full(seeded: Seeded) -> None:
    """Every hint of wallace_created, word for word, in the order a learner meets them."""
    client = seeded.client
    says(
        checks.wallace_created(client),
        "There is no user 'dwallace' (David Wallace) on the server yet.",
    )
    make_user(client, "dwallace", "David", "Wallace", displayName="David Wallace")
    patch_user(client, "dwallace", Operation("replace", "active", False))
    says(checks.wallace_created(client), "David Wallace exists but is not active.")
    patch_user(client, "dwallace", Operation("replace", "active", True))
    patch_user(client, "dwallace", Operation("replace", "name.givenName", "Dave"))
    says(
        checks.wallace_created(client),
        "David's name is not right: givenName should be David, familyName Wallace.",
    )
    patch_user(client, "dwallace", Operation("replace", "name.givenName", "David"))
    patch_user(client, "dwallace", Operation("replace", "displayName", "D. Wallace"))
    says(
        checks.wallace_created(client),
        "David's displayName should be his full name, as people should see it.",
    )
    patch_user(client, "dwallace", Operation("replace", "displayName", "David Wallace"))
    work = {"value": "dave@dundermifflin.com", "type": "work", "primary": True}
    patch_user(client, "dwallace", Operation("replace", "emails", [work]))
    says(
        checks.wallace_created(client),
        "David has no work email david.wallace@dundermifflin.com yet.",
    )
    work = {"value": "David.Wallace@dundermifflin.com", "type": "work", "primary": False}
    patch_user(client, "dwallace", Operation("replace", "emails", [work]))
    says(checks.wallace_created(client), "David's work email is there but not marked primary.")
    patch_user(client, "dwallace", Operation("replace", "emails", [{**work, "primary": True}]))
    says(
        checks.wallace_created(client),
        "David has no course externalId. externalId is the client's own key for him (RFC 7643 "
        "§3.1): give him the one course_external_id makes, as Charles has, so that a lookup "
        "(and the course's reset) can find him.",
    )
    patch_user(client, "dwallace", Operation("replace", "externalId", "office-course:dwallace"))
    says(
        checks.wallace_created(client),
        "Your client sent POST /Users for David without asking first. The exercise asks you to "
        "look him up with a filter on his externalId before creating him, so that running the "
        "cell again finds him instead of failing with 409 uniqueness.",
    )
    with another_client(seeded) as other:
        says(
            checks.wallace_created(other),
            "David is there, but your client's wire log shows neither lookup nor POST: use the "
            "chapter's `client` for it (the check reads that client's wire log; another "
            "client's requests are not in it).",
        )
        other.get_users('userName eq "DWallace"')
        says(
            checks.wallace_created(other),
            "David Wallace is in the directory, looked up before he was created.",
        )


def test_wallace_created_what_counts_as_looking_him_up(seeded: Seeded) -> None:
    """A listing without a filter, a search of groups, or creating someone else first: no lookup."""
    client = seeded.client
    make_user(client, "kfilippelli", "Karen", "Filippelli")
    client.get_users(count=1)
    client.get_groups('displayName eq "dwallace"')
    create_wallace(client, externalId="office-course:dwallace")
    hint(checks.wallace_created(client), "without asking first")


def test_wallace_created_looked_up_at_the_root_search(seeded: Seeded) -> None:
    """POST /.search with his userName, then the create: ✓."""
    seeded.client.search('userName eq "dwallace"')
    create_wallace(seeded.client, externalId="office-course:dwallace")
    ok(checks.wallace_created(seeded.client))


def test_charles_joined_on_a_server_whose_user_groups_lag(seeded: Seeded) -> None:
    """A server listing Charles in the group, but not yet the group in his groups: a hint."""
    from .test_setup_servers import Reshaping

    def lagging(method: str, path: str, sent: Any, status: int, body: Any) -> Any:
        if method == "GET" and path.startswith("/Users") and isinstance(body, dict):
            # An eventually consistent server: User.groups (RFC 7643 §4.1.2) not updated yet.
            for user in body.get("Resources") or [body]:
                if user.get("userName") == "cminer":
                    user["groups"] = []
            return status, body
        return None

    charles = make_user(seeded.client, "cminer", "Charles", "Miner")
    patch_group(seeded.client, seeded.group_id, Operation("add", "members", members([charles])))
    proxy = Reshaping(seeded.tenant.url, lagging)
    try:
        config = ClientConfiguration(server_url=proxy.url, auth_token=seeded.tenant.token)
        with SCIMClient(config) as client:
            says(
                checks.charles_joined(client),
                "The group lists Charles, but his groups attribute does not show it yet.",
            )
            ok(checks.charles_in_dunder_mifflin(client))
    finally:
        proxy.stop()
