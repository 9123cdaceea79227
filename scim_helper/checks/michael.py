"""Checks for chapter 03, Michael's last day: deactivation and removing group members."""

from __future__ import annotations

from scim_helper.checks._framework import (
    Hint,
    check,
    member_user_names,
    names,
    require_group,
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
    """✓ when Scranton Management holds Dwight but not Michael."""
    group = require_group(tenant, MANAGEMENT, SETUP)
    members = member_user_names(tenant, group)
    if "dschrute" not in members:
        raise Hint(
            "Dwight is not in Scranton Management any more: the remove took out more than "
            "Michael. Put Dwight back, then remove only Michael's entry."
        )
    if "mscott" in members:
        raise Hint("Michael is still in Scranton Management.")
    return "Michael left Scranton Management; Dwight is still in it."


@check("03-michaels-last-day")
def practice_group_restored(tenant: Tenant) -> str:
    """✓ when the practice group holds exactly the fourteen seeded staff other than Michael."""
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
    return "Everyone but Michael is back in the group."
