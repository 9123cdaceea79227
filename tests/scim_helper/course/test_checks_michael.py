"""Chapter 03's checks: a ✓ for the asked technique, a hint for every way it can go wrong.

Every test drives the live server the way a learner would, through the client; the checks also
read what that client sent (its wire log), so wrong techniques are sent for real.
"""

from __future__ import annotations

from typing import Any

from scim_helper import checks
from scim_helper.staff import staff
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import ProtocolError
from sync_app.scim.group import Group, Member
from sync_app.scim.patchop import Operation, PatchOp

from .conftest import Seeded
from .test_checks import hint, make_group, make_user, members, ok, patch_group, patch_user


def another_client(seeded: Seeded) -> SCIMClient:
    """A second client on the same tenant: an empty wire log, as after a kernel restart."""
    config = ClientConfiguration(server_url=seeded.tenant.url, auth_token=seeded.tenant.token)
    return SCIMClient(config)


def send_raw(client: SCIMClient, method: str, path: str, body: Any) -> int:
    """Send a body exactly as given (as another client library would); the status."""
    try:
        response, _body, _exchange = client._transport.request(method, path, body=body)
    except ProtocolError as error:
        return error.status
    return response.status_code


def test_michael_deactivated(seeded: Seeded) -> None:
    """✓ once Michael is inactive; a hint while active, and another if he was deleted."""
    hint(checks.michael_deactivated(seeded.client), "still active")
    patch_user(seeded.client, "mscott", Operation("replace", "active", False))
    ok(checks.michael_deactivated(seeded.client))
    seeded.client.delete_user(seeded.user_ids["Michael Scott"])
    hint(checks.michael_deactivated(seeded.client), "Deactivate")


def test_michael_removed_from_dunder_mifflin(seeded: Seeded) -> None:
    """✓ when only Michael left; hints while he is in, and when a bare remove emptied the group."""
    hint(checks.michael_removed_from_dunder_mifflin(seeded.client), "still a member")
    patch_group(seeded.client, seeded.group_id, Operation("remove", "members"))
    hint(checks.michael_removed_from_dunder_mifflin(seeded.client), "no members at all")
    others = [i for n, i in seeded.user_ids.items() if n != "Michael Scott"]
    patch_group(seeded.client, seeded.group_id, Operation("add", "members", members(others)))
    ok(checks.michael_removed_from_dunder_mifflin(seeded.client))


def test_michael_left_management(seeded: Seeded) -> None:
    """Hints for a missing group, Michael still in, losing Dwight, and remove-all-then-re-add."""
    hint(checks.michael_left_management(seeded.client), "Scranton Management")
    group = make_group(seeded.client, "Scranton Management", "mscott", "dschrute")
    hint(checks.michael_left_management(seeded.client), "Michael is still")
    patch_group(seeded.client, group, Operation("remove", "members"))
    hint(checks.michael_left_management(seeded.client), "Dwight")
    dwight = seeded.user_ids["Dwight Schrute"]
    patch_group(seeded.client, group, Operation("add", "members", members([dwight])))
    # The right people, by the wrong technique: everyone out, then Dwight back.
    hint(checks.michael_left_management(seeded.client), "removed every member")


def test_practice_group_restored(seeded: Seeded) -> None:
    """✓ for the fourteen without Michael; hints for empty, Michael back, someone missing."""
    group = make_group(seeded.client, "Practice: remove all")
    hint(checks.practice_group_restored(seeded.client), "still empty")
    everyone = list(seeded.user_ids.values())
    patch_group(seeded.client, group, Operation("add", "members", members(everyone)))
    hint(checks.practice_group_restored(seeded.client), "Michael")
    michael = seeded.user_ids["Michael Scott"]
    creed = seeded.user_ids["Creed Bratton"]
    patch_group(
        seeded.client,
        group,
        Operation("remove", f'members[value eq "{michael}"]'),
        Operation("remove", f'members[value eq "{creed}"]'),
    )
    hint(checks.practice_group_restored(seeded.client), "cbratton")
    patch_group(seeded.client, group, Operation("add", "members", members([creed])))
    ok(checks.practice_group_restored(seeded.client))


def rfc_remove(user_id: str) -> Operation:
    return Operation("remove", f'members[value eq "{user_id}"]')


def test_michael_left_management_by_the_rfc_form(seeded: Seeded) -> None:
    """The exercise as given (a filter on the userName) gets a hint; the fix by id gets ✓."""
    group = make_group(seeded.client, "Scranton Management", "mscott", "dschrute")
    michael = seeded.user_ids["Michael Scott"]
    leave = PatchOp(operations=[Operation("remove", 'members[value eq "mscott"]')])
    try:
        seeded.client.update_group(id=group, ops=leave)
    except ProtocolError as error:  # the course's server: nothing matched (RFC 7644 §3.12)
        assert (error.status, error.scim_type) == (400, "noTarget")
    hint(checks.michael_left_management(seeded.client), "compares value with 'mscott'")
    patch_group(seeded.client, group, rfc_remove(michael))
    ok(checks.michael_left_management(seeded.client))


def test_michael_left_management_wrong_techniques(seeded: Seeded) -> None:
    """Everyone out and Dwight back, a value-list remove sent raw, another client: hints."""
    group = make_group(seeded.client, "Scranton Management", "mscott", "dschrute")
    dwight = seeded.user_ids["Dwight Schrute"]
    michael = seeded.user_ids["Michael Scott"]
    with another_client(seeded) as other:
        patch_group(other, group, Operation("remove", "members"))
        patch_group(other, group, Operation("add", "members", members([dwight])))
        hint(checks.michael_left_management(other), "removed every member and put Dwight back")
    hint(checks.michael_left_management(seeded.client), "not by your client")
    patch_group(seeded.client, group, Operation("add", "members", members([michael])))
    with another_client(seeded) as other:
        # Entra ID's default form, sent as is: the member in value, no filter in the path.
        body = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Remove", "path": "members", "value": [{"value": michael}]}],
        }
        assert send_raw(other, "PATCH", f"/Groups/{group}", body) == 200  # a lenient server
        hint(checks.michael_left_management(other), "names him with a filter in the path")


def test_michael_left_management_bare_id_goes_out_as_the_rfc_form(seeded: Seeded) -> None:
    """The course's client sends the transcript's bare-id remove as the filter form: ✓."""
    group = make_group(seeded.client, "Scranton Management", "mscott", "dschrute")
    michael = seeded.user_ids["Michael Scott"]
    patch_group(seeded.client, group, Operation("remove", "members", michael))
    assert seeded.client.wire_log[-1].request_body["Operations"] == [
        {"op": "remove", "path": f'members[value eq "{michael}"]'}
    ]
    ok(checks.michael_left_management(seeded.client))


def test_practice_group_restored_in_one_patch(seeded: Seeded) -> None:
    """After the remove-all, one PATCH adding the fourteen: ✓; two halves or a PUT: hints."""
    everyone = list(seeded.user_ids.values())
    fourteen = [i for n, i in seeded.user_ids.items() if n != "Michael Scott"]
    group = make_group(seeded.client, "Practice: remove all", *(m.user_name for m in staff()))
    patch_group(seeded.client, group, Operation("remove", "members"))
    hint(checks.practice_group_restored(seeded.client), "still empty")
    patch_group(seeded.client, group, Operation("add", "members", members(fourteen[:7])))
    patch_group(seeded.client, group, Operation("add", "members", members(fourteen[7:])))
    hint(checks.practice_group_restored(seeded.client), "2 PATCH requests")
    with another_client(seeded) as other:
        patch_group(other, group, Operation("remove", "members"))
        patch_group(other, group, Operation("add", "members", members(fourteen)))
        ok(checks.practice_group_restored(other))
    with another_client(seeded) as other:
        hint(checks.practice_group_restored(other), "not by one PATCH")
        patch_group(other, group, Operation("remove", "members"))
        whole = Group(
            displayName="Practice: remove all", members=[Member(value=i) for i in fourteen]
        )
        other.replace_group(whole, id=group)
        hint(checks.practice_group_restored(other), "PUT")
    assert len(everyone) == 15


def test_practice_group_restored_with_a_stranger(seeded: Seeded) -> None:
    """Someone who was never in the group (Charles) gets a hint naming him."""
    fourteen = [i for n, i in seeded.user_ids.items() if n != "Michael Scott"]
    charles = make_user(seeded.client, "cminer", "Charles", "Miner")
    group = make_group(seeded.client, "Practice: remove all")
    patch_group(seeded.client, group, Operation("add", "members", members([*fourteen, charles])))
    hint(checks.practice_group_restored(seeded.client), "not in it before: cminer")
