"""Checks for chapter 03, Michael's last day: deactivation and removing group members."""

from __future__ import annotations

from scim_helper.checks._framework import (
    Hint,
    check,
    member_user_names,
    names,
    require_group,
    sent,
)
from scim_helper.checks._technique import (
    NO_LOG,
    added_member_ids,
    member_removals,
    succeeded,
)
from scim_helper.staff import DUNDER_MIFFLIN, staff
from scim_helper.tenant import Tenant

MANAGEMENT = "Scranton Management"
PRACTICE = "Practice: remove all"
MICHAEL = "Michael Scott"
SETUP = " Run the chapter's cells from the top to create it."


@check("03-michaels-last-day")
def michael_deactivated(tenant: Tenant) -> str:
    """✓ when ``mscott`` is inactive (and still exists: deactivate, don't delete)."""
    user = tenant.user("mscott")
    if user is None:
        raise Hint(
            "Michael's user is gone. Deactivate people who leave rather than deleting them: "
            "run course_setup(..., reset=True) and try again with a PATCH."
        )
    if user.get("active") is not False:
        raise Hint("Michael is still active: his access must end on his last day.")
    return "Michael is deactivated: he can no longer sign in, and his record is kept."


@check("03-michaels-last-day")
def michael_removed_from_dunder_mifflin(tenant: Tenant) -> str:
    """✓ when ``mscott`` is no longer in Dunder Mifflin and everyone else still is."""
    group = require_group(tenant, DUNDER_MIFFLIN)
    members = member_user_names(tenant, group)
    if not members:
        raise Hint(
            "Dunder Mifflin has no members at all now: the remove took everyone out, not "
            "only Michael. Restore the group and remove just Michael's entry."
        )
    if "mscott" in members:
        raise Hint("Michael is still a member of Dunder Mifflin.")
    others = {m.user_name for m in staff()} - {"mscott"}
    if others - members:
        raise Hint(f"Not only Michael left: {names(others - members)} are gone from the group too.")
    return "Michael is out of Dunder Mifflin, and everyone else is still in it."


@check("03-michaels-last-day")
def michael_left_management(tenant: Tenant) -> str:
    """✓ when Scranton Management holds Dwight but not Michael, removed by the RFC form.

    Debug this: the exercise's filter compares ``value`` with the userName. The technique, read
    from the learner's wire log: an accepted PATCH of the group with ``remove`` and the path
    ``members[value eq "<Michael's id>"]``, no value (RFC 7644 §3.5.2.2).
    """
    group = require_group(tenant, MANAGEMENT, SETUP)
    members = member_user_names(tenant, group)
    patches = sent(tenant, "PATCH", f"/Groups/{group.get('id')}")
    michael = tenant.user("mscott")
    michael_id = str(michael.get("id")) if michael else ""
    if "dschrute" not in members:
        raise Hint(
            "Dwight is not in Scranton Management any more: the remove took out more than "
            "Michael. Put Dwight back, then remove only Michael's entry."
        )
    if "mscott" in members:
        named = [
            member
            for e in patches
            for form, member in member_removals(e)
            if form == "filter" and member and member != michael_id
        ]
        if named:
            raise Hint(
                f"Michael is still in Scranton Management. Your last filter compares value with "
                f"{named[-1]!r}, which is not his id: a member's value is the user's id "
                "(RFC 7643 §4.2)."
            )
        raise Hint("Michael is still in Scranton Management.")
    forms = [form for e in succeeded(patches) for form, member in member_removals(e)]
    by_filter = [
        member
        for e in succeeded(patches)
        for form, member in member_removals(e)
        if form == "filter" and member == michael_id
    ]
    if by_filter:
        return "Michael left Scranton Management by the RFC form; Dwight is still in it."
    if "all" in forms:
        raise Hint(
            "Michael is out, but your client removed every member and put Dwight back. The "
            'exercise asks for one remove that names Michael in the path (members[value eq "…"]).'
        )
    if not patches:
        raise Hint("Michael is out of Scranton Management, but not by your client: " + NO_LOG)
    raise Hint(
        "Michael is out, but no PATCH your client sent names him with a filter in the path. "
        "The exercise asks for the RFC form: a remove whose path filters members on his value, "
        "and no value in the operation."
    )


@check("03-michaels-last-day")
def practice_group_restored(tenant: Tenant) -> str:
    """✓ when the practice group holds the fourteen other than Michael, put back in one PATCH.

    The technique, from the learner's wire log: one accepted PATCH of the group whose ``add``
    carries all fourteen members (after the chapter's remove-everything, if it is in the log).
    """
    group = require_group(tenant, PRACTICE, SETUP)
    members = member_user_names(tenant, group)
    expected = {m.user_name for m in staff()} - {"mscott"}
    if not members:
        raise Hint(f"{PRACTICE!r} is still empty.")
    if "mscott" in members:
        raise Hint("Michael is back in the group, but he has left the company.")
    if expected - members:
        raise Hint(f"{PRACTICE!r} is still missing {names(expected - members)}.")
    if members - expected:
        raise Hint(
            f"{PRACTICE!r} holds people who were not in it before: {names(members - expected)}."
        )
    path = f"/Groups/{group.get('id')}"
    patches = succeeded(sent(tenant, "PATCH", path))
    emptied = [i for i, e in enumerate(patches) if ("all", None) in member_removals(e)]
    after = patches[emptied[-1] + 1 :] if emptied else patches
    ids = set(Tenant.member_ids(group))
    adding = [e for e in after if added_member_ids(e) & ids]
    if any(ids <= added_member_ids(e) for e in adding):
        return "Everyone but Michael is back in the group, in one PATCH."
    if sent(tenant, "PUT", path):
        raise Hint(
            "Everyone is back, but your client replaced the whole group with a PUT; the "
            "exercise asks for one PATCH whose add carries the list of members."
        )
    if len(adding) > 1:
        raise Hint(
            f"Everyone is back, but your client sent {len(adding)} PATCH requests that add "
            "members; the exercise asks for one PATCH whose add carries the whole list."
        )
    raise Hint("Everyone is back, but not by one PATCH from your client: " + NO_LOG)
