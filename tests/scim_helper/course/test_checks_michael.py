"""Chapter 03's checks: a ✓ for the asked technique, a hint for every way it can go wrong.

Every test drives the live server the way a learner would, through the client; the checks also
read what that client sent (its wire log), so wrong techniques are sent for real.
"""

from __future__ import annotations

import contextlib

from scim_helper import checks
from scim_helper.staff import staff
from sync_app.client import SCIMClient
from sync_app.errors import ProtocolError
from sync_app.scim.group import Group, Member
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import User

from .conftest import Seeded
from .test_checks import (
    accepted,
    another_client,
    hint,
    make_group,
    make_user,
    members,
    ok,
    patch_group,
    patch_user,
    says,
    send_raw,
    sent_only,
    told,
)


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


def test_michael_deactivated_says_each_hint_in_full(seeded: Seeded) -> None:
    """michael_deactivated's hints and ✓, word for word."""
    client = seeded.client
    says(
        checks.michael_deactivated(client),
        "Michael is still active: his access must end on his last day.",
    )
    patch_user(client, "mscott", Operation("replace", "active", False))
    says(
        checks.michael_deactivated(client),
        "Michael is deactivated: he can no longer sign in, and his record is kept.",
    )
    client.delete_user(seeded.user_ids["Michael Scott"])
    says(
        checks.michael_deactivated(client),
        "Michael's user is gone. Deactivate people who leave rather than deleting them: run "
        "course_setup(..., reset=True) and try again with a PATCH.",
    )


def test_michael_removed_from_dunder_mifflin_says_each_hint_in_full(seeded: Seeded) -> None:
    """Michael still in, everyone out, someone else out too, and the ✓, word for word."""
    client, group = seeded.client, seeded.group_id
    says(
        checks.michael_removed_from_dunder_mifflin(client),
        "Michael is still a member of Dunder Mifflin.",
    )
    patch_group(client, group, Operation("remove", "members"))
    says(
        checks.michael_removed_from_dunder_mifflin(client),
        "Dunder Mifflin has no members at all now: the remove took everyone out, not only "
        "Michael. Restore the group and remove just Michael's entry.",
    )
    others = [
        i
        for n, i in seeded.user_ids.items()
        if n not in ("Michael Scott", "Toby Flenderson", "Creed Bratton")
    ]
    patch_group(client, group, Operation("add", "members", members(others)))
    says(
        checks.michael_removed_from_dunder_mifflin(client),
        "Not only Michael left: cbratton, tflenderson are gone from the group too.",
    )
    back = [seeded.user_ids["Toby Flenderson"], seeded.user_ids["Creed Bratton"]]
    patch_group(client, group, Operation("add", "members", members(back)))
    says(
        checks.michael_removed_from_dunder_mifflin(client),
        "Michael is out of Dunder Mifflin, and everyone else is still in it.",
    )


def test_michael_removed_without_the_group(client: SCIMClient) -> None:
    """No Dunder Mifflin at all: the hint names the group."""
    says(
        checks.michael_removed_from_dunder_mifflin(client),
        "There is no group 'Dunder Mifflin' on the server yet.",
    )


def test_michael_left_management_says_each_hint_in_full(seeded: Seeded) -> None:
    """Every hint of michael_left_management, word for word, and its ✓."""
    client = seeded.client
    says(
        checks.michael_left_management(client),
        "There is no group 'Scranton Management' on the server yet. Run the chapter's cells "
        "from the top to create it.",
    )
    group = make_group(client, "Scranton Management", "mscott", "dschrute")
    says(checks.michael_left_management(client), "Michael is still in Scranton Management.")
    patch_group(client, group, rfc_remove(seeded.user_ids["Dwight Schrute"]))
    says(
        checks.michael_left_management(client),
        "Dwight is not in Scranton Management any more: the remove took out more than "
        "Michael. Put Dwight back, then remove only Michael's entry.",
    )
    patch_group(
        client, group, Operation("add", "members", members([seeded.user_ids["Dwight Schrute"]]))
    )
    with contextlib.suppress(ProtocolError):  # the server finds no member "mscott"
        patch_group(client, group, Operation("remove", 'members[value eq "mscott"]'))
    says(
        checks.michael_left_management(client),
        "Michael is still in Scranton Management. Your last filter compares value with "
        "'mscott', which is not his id: a member's value is the user's id (RFC 7643 §4.2).",
    )
    patch_group(client, group, rfc_remove(seeded.user_ids["Michael Scott"]))
    says(
        checks.michael_left_management(client),
        "Michael left Scranton Management by the RFC form; Dwight is still in it.",
    )


def test_michael_left_management_wrong_techniques_say_so_in_full(seeded: Seeded) -> None:
    """Remove-all and re-add, another client, a lenient value form: each hint word for word."""
    michael, dwight = seeded.user_ids["Michael Scott"], seeded.user_ids["Dwight Schrute"]
    group = make_group(seeded.client, "Scranton Management", "mscott", "dschrute")
    with another_client(seeded) as other:
        patch_group(other, group, Operation("remove", "members"))
        patch_group(other, group, Operation("add", "members", members([dwight])))
        says(
            checks.michael_left_management(other),
            "Michael is out, but your client removed every member and put Dwight back. The "
            'exercise asks for one remove that names Michael in the path (members[value eq "…"]).',
        )
    says(
        checks.michael_left_management(seeded.client),
        "Michael is out of Scranton Management, but not by your client: use the chapter's "
        "`client` for it (the check reads that client's wire log; another client's requests "
        "are not in it).",
    )
    with another_client(seeded) as other:
        patch_group(other, group, Operation("add", "members", members([michael])))
        assert send_raw(
            other,
            "PATCH",
            f"/Groups/{group}",
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "remove", "path": "members", "value": [{"value": michael}]}],
            },
        ) in (200, 204)
        says(
            checks.michael_left_management(other),
            "Michael is out, but no PATCH your client sent names him with a filter in the path. "
            "The exercise asks for the RFC form: a remove whose path filters members on his "
            "value, and no value in the operation.",
        )


def test_michael_left_management_a_refused_rfc_remove_does_not_count(seeded: Seeded) -> None:
    """The RFC form that the server refused, then another way out: not ✓."""
    michael = seeded.user_ids["Michael Scott"]
    group = make_group(seeded.client, "Scranton Management", "mscott", "dschrute")
    with another_client(seeded) as other:
        status = send_raw(
            other,
            "PATCH",
            f"/Groups/{group}",
            {
                "schemas": ["urn:bad"],
                "Operations": [{"op": "remove", "path": f'members[value eq "{michael}"]'}],
            },
        )
        assert status == 400
        patch_group(other, group, Operation("remove", "members"))
        patch_group(
            other, group, Operation("add", "members", members([seeded.user_ids["Dwight Schrute"]]))
        )
        hint(checks.michael_left_management(other), "removed every member")


def test_practice_group_restored_says_each_hint_in_full(seeded: Seeded) -> None:
    """Every hint of practice_group_restored, word for word, and its ✓."""
    client = seeded.client
    fourteen = [i for n, i in seeded.user_ids.items() if n != "Michael Scott"]
    says(
        checks.practice_group_restored(client),
        "There is no group 'Practice: remove all' on the server yet. Run the chapter's cells "
        "from the top to create it.",
    )
    group = make_group(client, "Practice: remove all")
    says(checks.practice_group_restored(client), "'Practice: remove all' is still empty.")
    patch_group(
        client,
        group,
        Operation("add", "members", members([*fourteen[:-1], seeded.user_ids["Michael Scott"]])),
    )
    says(
        checks.practice_group_restored(client),
        "Michael is back in the group, but he has left the company.",
    )
    patch_group(client, group, rfc_remove(seeded.user_ids["Michael Scott"]))
    last = next(m.user_name for m in staff() if seeded.user_ids[m.name] == fourteen[-1])
    says(
        checks.practice_group_restored(client),
        f"'Practice: remove all' is still missing {last}.",
    )
    patch_group(client, group, Operation("add", "members", members([fourteen[-1]])))
    says(
        checks.practice_group_restored(client),
        "Everyone is back, but your client sent 2 PATCH requests that add members; the "
        "exercise asks for one PATCH whose add carries the whole list.",
    )
    with another_client(seeded) as other:
        patch_group(other, group, Operation("remove", "members"))
        patch_group(other, group, Operation("add", "members", members(fourteen)))
        says(
            checks.practice_group_restored(other),
            "Everyone but Michael is back in the group, in one PATCH.",
        )
    with another_client(seeded) as other:
        says(
            checks.practice_group_restored(other),
            "Everyone is back, but not by one PATCH from your client: use the chapter's "
            "`client` for it (the check reads that client's wire log; another client's "
            "requests are not in it).",
        )
        other.replace_group(
            Group(displayName="Practice: remove all", members=[Member(value=i) for i in fourteen]),
            id=group,
        )
        says(
            checks.practice_group_restored(other),
            "Everyone is back, but your client replaced the whole group with a PUT; the "
            "exercise asks for one PATCH whose add carries the list of members.",
        )


def test_practice_group_restored_counts_only_adds_after_the_last_remove_all(seeded: Seeded) -> None:
    """One full add, then a remove-all, then two halves: the full add before no longer counts."""
    fourteen = [i for n, i in seeded.user_ids.items() if n != "Michael Scott"]
    group = make_group(seeded.client, "Practice: remove all")
    with another_client(seeded) as other:
        patch_group(other, group, Operation("add", "members", members(fourteen)))
        patch_group(other, group, Operation("remove", "members"))
        patch_group(other, group, Operation("add", "members", members(fourteen[:7])))
        patch_group(other, group, Operation("add", "members", members(fourteen[7:])))
        hint(checks.practice_group_restored(other), "2 PATCH requests")
        patch_group(other, group, Operation("remove", "members"))
        patch_group(other, group, Operation("add", "members", members(fourteen)))
        ok(checks.practice_group_restored(other))


def _management(seeded: Seeded) -> str:
    """Scranton Management with Michael and Dwight, made by another client; its id."""
    with another_client(seeded) as other:
        return make_group(other, "Scranton Management", "mscott", "dschrute")


def _fourteen(seeded: Seeded) -> list[str]:
    return [i for n, i in seeded.user_ids.items() if n != "Michael Scott"]


def test_michael_left_management_a_get_of_the_group_is_no_patch(seeded: Seeded) -> None:
    """Michael removed by another client, the group only read by this one: no PATCH of its own."""
    group = _management(seeded)
    with another_client(seeded) as other:
        patch_group(other, group, rfc_remove(seeded.user_ids["Michael Scott"]))
    seeded.client.get_group(group)
    assert seeded.client.wire_log[-1].method == "GET"
    says(
        checks.michael_left_management(seeded.client),
        "Michael is out of Scranton Management, but not by your client: use the chapter's "
        "`client` for it (the check reads that client's wire log; another client's requests "
        "are not in it).",
    )


def test_michael_left_management_the_rfc_form_on_another_group_does_not_count(
    seeded: Seeded,
) -> None:
    """Michael removed from Dunder Mifflin by the RFC form, Management emptied and Dwight put
    back: the filter on the other group is not this exercise's remove."""
    client = seeded.client
    group = _management(seeded)
    patch_group(client, seeded.group_id, rfc_remove(seeded.user_ids["Michael Scott"]))
    patch_group(client, group, Operation("remove", "members"))
    patch_group(
        client, group, Operation("add", "members", members([seeded.user_ids["Dwight Schrute"]]))
    )
    says(
        checks.michael_left_management(client),
        "Michael is out, but your client removed every member and put Dwight back. The "
        'exercise asks for one remove that names Michael in the path (members[value eq "…"]).',
    )


def test_michael_left_management_back_in_after_the_rfc_remove(seeded: Seeded) -> None:
    """Removed by the RFC form with his id, then added back: still in, and his own id is not
    named as a wrong filter."""
    client = seeded.client
    michael = seeded.user_ids["Michael Scott"]
    group = _management(seeded)
    patch_group(client, group, rfc_remove(michael))
    patch_group(client, group, Operation("add", "members", members([michael])))
    says(checks.michael_left_management(client), "Michael is still in Scranton Management.")


def test_michael_left_management_everyone_out_and_back_names_no_filter(seeded: Seeded) -> None:
    """Everyone removed, then Michael and Dwight put back: a remove without a filter names no
    value in the hint."""
    client = seeded.client
    group = _management(seeded)
    both = [seeded.user_ids["Michael Scott"], seeded.user_ids["Dwight Schrute"]]
    patch_group(client, group, Operation("remove", "members"))
    patch_group(client, group, Operation("add", "members", members(both)))
    says(checks.michael_left_management(client), "Michael is still in Scranton Management.")


def test_michael_left_management_after_michael_was_deleted(seeded: Seeded) -> None:
    """Michael out of the group and then deleted: the check still answers with a hint."""
    group = _management(seeded)
    with another_client(seeded) as other:
        patch_group(other, group, rfc_remove(seeded.user_ids["Michael Scott"]))
        other.delete_user(seeded.user_ids["Michael Scott"])
    says(
        checks.michael_left_management(seeded.client),
        "Michael is out of Scranton Management, but not by your client: use the chapter's "
        "`client` for it (the check reads that client's wire log; another client's requests "
        "are not in it).",
    )


_PRACTICE_NO_LOG = (
    "Everyone is back, but not by one PATCH from your client: use the chapter's `client` for "
    "it (the check reads that client's wire log; another client's requests are not in it)."
)


def _practice_filled_by_another_client(seeded: Seeded) -> str:
    """The practice group emptied and refilled with the fourteen by another client; its id."""
    with another_client(seeded) as other:
        group = make_group(other, "Practice: remove all", *(m.user_name for m in staff()))
        patch_group(other, group, Operation("remove", "members"))
        patch_group(other, group, Operation("add", "members", members(_fourteen(seeded))))
    return group


def test_practice_group_restored_an_add_to_another_group_does_not_count(seeded: Seeded) -> None:
    """One PATCH adding the fourteen to Dunder Mifflin is not the practice group's PATCH."""
    client = seeded.client
    _practice_filled_by_another_client(seeded)
    patch_group(client, seeded.group_id, Operation("remove", "members"))
    patch_group(client, seeded.group_id, Operation("add", "members", members(_fourteen(seeded))))
    says(checks.practice_group_restored(client), _PRACTICE_NO_LOG)


def test_practice_group_restored_a_put_of_a_user_is_no_put_of_the_group(seeded: Seeded) -> None:
    """A PUT of someone's record is not the PUT of the practice group the hint warns about."""
    client = seeded.client
    _practice_filled_by_another_client(seeded)
    oscar = client.get_user(seeded.user_ids["Oscar Martinez"]).to_dict()
    client.replace_user(User.from_dict(oscar), id=oscar["id"])
    assert client.wire_log[-1].method == "PUT"
    says(checks.practice_group_restored(client), _PRACTICE_NO_LOG)


def test_practice_group_restored_one_patch_adding_only_some(seeded: Seeded) -> None:
    """One PATCH adding thirteen, the last one added by another client: not one PATCH of the
    whole list, and not two PATCH requests either."""
    client = seeded.client
    fourteen = _fourteen(seeded)
    group = make_group(client, "Practice: remove all")
    patch_group(client, group, Operation("add", "members", members(fourteen[:-1])))
    with another_client(seeded) as other:
        patch_group(other, group, Operation("add", "members", members(fourteen[-1:])))
    says(checks.practice_group_restored(client), _PRACTICE_NO_LOG)


def test_practice_group_restored_a_put_carrying_an_add_is_still_a_put(seeded: Seeded) -> None:
    """An accepted PUT of the group whose body also carries a PATCH's add of the fourteen is a
    PUT: the hint says so, not ✓."""
    group = _practice_filled_by_another_client(seeded)
    fourteen = _fourteen(seeded)
    body = {
        "displayName": "Practice: remove all",
        "members": members(fourteen),
        "Operations": [{"op": "add", "path": "members", "value": members(fourteen)}],
    }
    tenant = sent_only(seeded, accepted(seeded, "PUT", f"/Groups/{group}", body))
    assert told(checks.practice_group_restored, tenant) == (
        "Everyone is back, but your client replaced the whole group with a PUT; the exercise "
        "asks for one PATCH whose add carries the list of members."
    )
