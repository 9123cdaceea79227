"""Checks for chapter 08, Bulk: several operations, and bulkId references, in one request."""

from __future__ import annotations

from scim_helper.checks._framework import Hint, check, exact_members, require_group, require_user
from scim_helper.staff import DUNDER_MIFFLIN
from scim_helper.tenant import Tenant

FINER_THINGS = "Finer Things Club"
HOLLY_EMAIL = "holly.flax@dundermifflin.com"


@check("08-bulk")
def finer_things_club(tenant: Tenant) -> str:
    """✓ when the Finer Things Club holds exactly Pam, Oscar and Toby."""
    exact_members(tenant, FINER_THINGS, {"pbeesly", "omartinez", "tflenderson"})
    return "The Finer Things Club is in session: Pam, Oscar and Toby."


@check("08-bulk")
def holly_returns(tenant: Tenant) -> str:
    """✓ when ``hflax`` exists, active, with her work email, and is in Dunder Mifflin."""
    holly = require_user(tenant, "hflax", "Holly Flax")
    if holly.get("active") is not True:
        raise Hint("Holly exists but is not active.")
    emails = holly.get("emails") or []
    if not any(
        e.get("type") == "work" and str(e.get("value", "")).lower() == HOLLY_EMAIL for e in emails
    ):
        raise Hint(f"Holly has no work email {HOLLY_EMAIL}.")
    group = require_group(tenant, DUNDER_MIFFLIN)
    if str(holly.get("id")) not in Tenant.member_ids(group):
        raise Hint(
            "Holly is not in Dunder Mifflin: the group operation can point at her with a "
            "bulkId reference to the POST that creates her."
        )
    return "Holly is back in Scranton, created and added in one Bulk request."
