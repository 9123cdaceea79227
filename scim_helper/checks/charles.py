"""Checks for chapter 02, Charles Miner joins (and the transcript's first steps)."""

from __future__ import annotations

from scim_helper.checks._framework import Hint, check, require_group, require_user
from scim_helper.staff import DUNDER_MIFFLIN
from scim_helper.tenant import Tenant

CHARLES = "Charles Miner"
SETUP = " Run course_setup(...) at the top of the chapter to create it."


@check("02-charles-joins")
def charles_created(tenant: Tenant) -> str:
    """✓ when ``cminer`` exists, active, named Charles Miner, with his work email."""
    user = require_user(tenant, "cminer", CHARLES)
    if user.get("active") is not True:
        raise Hint("Charles exists but is not active: he starts today, so active should be True.")
    name = user.get("name") or {}
    if (name.get("givenName"), name.get("familyName")) != ("Charles", "Miner"):
        raise Hint("Charles's name is not right: givenName should be Charles, familyName Miner.")
    emails = user.get("emails") or []
    work = [e for e in emails if e.get("type") == "work"]
    if not work:
        raise Hint("Charles has no email of type 'work' yet.")
    if not any(str(e.get("value", "")).lower() == "charles.miner@dundermifflin.com" for e in work):
        raise Hint("Charles's work email should be his Dunder Mifflin address, first.last.")
    return "Charles Miner is in the directory: active, named, with his work email."


@check("02-charles-joins")
def charles_joined(tenant: Tenant) -> str:
    """✓ when ``cminer`` is a member of Dunder Mifflin, and his read-only ``groups`` shows it."""
    user = require_user(tenant, "cminer", CHARLES)
    group = require_group(tenant, DUNDER_MIFFLIN, SETUP)
    if str(user.get("id")) not in Tenant.member_ids(group):
        raise Hint(
            "Charles is not a member of Dunder Mifflin yet. A User's groups attribute is "
            "read-only (RFC 7643 §4.1.2): membership changes on the group."
        )
    user = tenant.user("cminer") or user
    if not any(g.get("value") == group.get("id") for g in user.get("groups") or []):
        raise Hint("The group lists Charles, but his groups attribute does not show it yet.")
    return "Charles is a member of Dunder Mifflin, and his groups attribute says so."


@check("02-charles-joins")
def charles_in_dunder_mifflin(tenant: Tenant) -> str:
    """✓ when ``cminer`` is a member of Dunder Mifflin (the group's view only)."""
    user = require_user(tenant, "cminer", CHARLES)
    group = require_group(tenant, DUNDER_MIFFLIN, SETUP)
    if str(user.get("id")) not in Tenant.member_ids(group):
        raise Hint("Charles is not a member of Dunder Mifflin yet: change the group's members.")
    return "Charles is a member of Dunder Mifflin."


@check("02-charles-joins")
def charles_display_name(tenant: Tenant) -> str:
    """✓ when ``cminer``'s displayName is ``Charles Miner``."""
    user = require_user(tenant, "cminer", CHARLES)
    shown = user.get("displayName")
    if shown == "Charles Miner":
        return "Charles's displayName is his full name, ready to show to people."
    if not shown:
        raise Hint("Charles has no displayName at all now; it should be his full name.")
    raise Hint(
        f"Charles's displayName is still {shown!r}. RFC 7643 says it is the full name, "
        "suitable for display to end-users."
    )


@check("02-charles-joins")
def wallace_created(tenant: Tenant) -> str:
    """✓ when ``dwallace`` exists, active, named David Wallace, with his primary work email."""
    user = require_user(tenant, "dwallace", "David Wallace")
    if user.get("active") is not True:
        raise Hint("David Wallace exists but is not active.")
    name = user.get("name") or {}
    if (name.get("givenName"), name.get("familyName")) != ("David", "Wallace"):
        raise Hint("David's name is not right: givenName should be David, familyName Wallace.")
    if user.get("displayName") != "David Wallace":
        raise Hint("David's displayName should be his full name, as people should see it.")
    work = [e for e in user.get("emails") or [] if e.get("type") == "work"]
    wanted = "david.wallace@dundermifflin.com"
    if not any(str(e.get("value", "")).lower() == wanted for e in work):
        raise Hint(f"David has no work email {wanted} yet.")
    if not any(str(e.get("value", "")).lower() == wanted and e.get("primary") for e in work):
        raise Hint("David's work email is there but not marked primary.")
    return "David Wallace, CFO, is in the directory with his primary work email."
