"""Checks for chapter 04, the Michael Scott Paper Company: groups and several members at once."""

from __future__ import annotations

from scim_helper.checks._framework import (
    Hint,
    check,
    exact_members,
    member_user_names,
    names,
    require_user,
)
from scim_helper.staff import DUNDER_MIFFLIN, PAPER_COMPANY
from scim_helper.tenant import Tenant

FOUNDERS = {"mscott", "pbeesly", "rhoward"}
SALES = "Scranton Sales"
SALES_PEOPLE = {"jhalpert", "dschrute", "abernard", "pvance", "shudson"}


def _paper_company(tenant: Tenant) -> dict:
    group = tenant.group(PAPER_COMPANY)
    if group is None:
        misspelled = tenant.group("Micheal Scott Paper Company")
        if misspelled is not None:
            raise Hint("Found 'Micheal Scott Paper Company': check the spelling of Michael.")
        raise Hint(f"There is no group {PAPER_COMPANY!r} on the server yet.")
    return group


@check("04-paper-company")
def paper_company_created(tenant: Tenant) -> str:
    """✓ when the Michael Scott Paper Company group exists."""
    _paper_company(tenant)
    return "The Michael Scott Paper Company exists."


@check("04-paper-company")
def paper_company_members(tenant: Tenant) -> str:
    """✓ when the Paper Company holds exactly Michael, Pam and Ryan."""
    _paper_company(tenant)
    exact_members(tenant, PAPER_COMPANY, FOUNDERS)
    return "Michael, Pam and Ryan are the Michael Scott Paper Company."


@check("04-paper-company")
def pam_ryan_left_dunder_mifflin(tenant: Tenant) -> str:
    """✓ when Pam and Ryan are out of Dunder Mifflin and nobody else left with them."""
    group = tenant.group(DUNDER_MIFFLIN)
    if group is None:
        raise Hint("The Dunder Mifflin group is gone; only Pam and Ryan should leave it.")
    members = member_user_names(tenant, group)
    still = members & {"pbeesly", "rhoward"}
    if still:
        raise Hint(f"Still in Dunder Mifflin: {names(still)}.")
    if not members:
        raise Hint("Dunder Mifflin is empty now: the remove took everyone out, not only two.")
    return "Pam and Ryan have left Dunder Mifflin."


@check("04-paper-company")
def scranton_sales(tenant: Tenant) -> str:
    """✓ when Scranton Sales holds exactly Jim, Dwight, Andy, Phyllis and Stanley."""
    exact_members(tenant, SALES, SALES_PEOPLE)
    return "Scranton Sales holds the five salespeople."


@check("04-paper-company")
def mspc_active(tenant: Tenant) -> str:
    """✓ when the Paper Company is its three founders, all active, none in Dunder Mifflin."""
    _paper_company(tenant)
    exact_members(tenant, PAPER_COMPANY, FOUNDERS)
    inactive = {
        u for u in FOUNDERS if require_user(tenant, u, "a founder").get("active") is not True
    }
    if inactive:
        raise Hint(f"Not active yet: {names(inactive)}.")
    dunder_mifflin = tenant.group(DUNDER_MIFFLIN)
    both = FOUNDERS & member_user_names(tenant, dunder_mifflin) if dunder_mifflin else set()
    if both:
        raise Hint(f"Still in Dunder Mifflin as well: {names(both)}.")
    return "The Michael Scott Paper Company is open for business: three active founders."
