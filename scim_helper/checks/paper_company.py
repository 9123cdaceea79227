"""Checks for chapter 04, the Michael Scott Paper Company: groups and several members at once."""

from __future__ import annotations

from typing import Any

from scim_helper.checks._framework import (
    Hint,
    check,
    exact_members,
    member_user_names,
    names,
    require_user,
    sent,
)
from scim_helper.checks._technique import (
    NO_LOG,
    added_member_ids,
    patch_operations,
    read_prediction,
    succeeded,
)
from scim_helper.marker import is_course_resource
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
    """✓ when Scranton Sales holds exactly the five, carries the course marker, filled by one PATCH.

    The technique, from the learner's wire log: one accepted PATCH of the group whose ``add``
    carries all five members (not the members in the POST, not one PATCH per person).
    """
    group = exact_members(tenant, SALES, SALES_PEOPLE)
    if not is_course_resource(group):
        raise Hint(
            "Scranton Sales has the right people but no course externalId. externalId is the "
            "client's own key for the group (RFC 7643 §3.1); without the course's, reset cannot "
            "tell it from someone else's group. Create it with the externalId the exercise names."
        )
    path = f"/Groups/{group.get('id')}"
    ids = set(Tenant.member_ids(group))
    adding = [e for e in succeeded(sent(tenant, "PATCH", path)) if added_member_ids(e) & ids]
    if any(ids <= added_member_ids(e) for e in adding):
        return "Scranton Sales holds the five salespeople, added in one PATCH."
    created_with_members = [
        e
        for e in succeeded(sent(tenant, "POST", "/Groups"))
        if isinstance(e.request_body, dict)
        and e.request_body.get("displayName") == SALES
        and e.request_body.get("members")
    ]
    if created_with_members:
        raise Hint(
            "Scranton Sales is right, but your client sent the members inside the POST; the "
            "exercise asks for one PATCH whose add carries all five."
        )
    if len(adding) > 1:
        raise Hint(
            f"Scranton Sales is right, but your client sent {len(adding)} PATCH requests that "
            "add members; the exercise asks for one PATCH whose add carries all five."
        )
    raise Hint("Scranton Sales is right, but not filled by one PATCH from your client: " + NO_LOG)


@check("04-paper-company")
def mspc_active(tenant: Tenant, answer: Any) -> str:
    """✓ for three active founders outside Dunder Mifflin, and a right prediction of its size.

    Predict, then run: ``answer`` is the learner's prediction of Dunder Mifflin's member count
    after Michael is reactivated; the technique is a PATCH of Michael's ``active`` in the log.
    """
    prediction = read_prediction(answer, "14")
    if isinstance(prediction, bool) or not isinstance(prediction, int):
        raise Hint(
            f"The prediction is a {type(prediction).__name__}; it should be a whole number "
            "of members, such as 14."
        )
    _paper_company(tenant)
    exact_members(tenant, PAPER_COMPANY, FOUNDERS)
    founders = {u: require_user(tenant, u, "a founder") for u in sorted(FOUNDERS)}
    inactive = {u for u, user in founders.items() if user.get("active") is not True}
    if inactive:
        raise Hint(f"Not active yet: {names(inactive)}.")
    dunder_mifflin = tenant.group(DUNDER_MIFFLIN)
    if dunder_mifflin is None:
        raise Hint("The Dunder Mifflin group is gone; run the chapter from the top.")
    both = FOUNDERS & member_user_names(tenant, dunder_mifflin)
    if both:
        raise Hint(f"Still in Dunder Mifflin as well: {names(both)}.")
    michael_path = f"/Users/{founders['mscott'].get('id')}"
    switched_on = [
        e
        for e in succeeded(sent(tenant, "PATCH", michael_path))
        for operation in patch_operations(e)
        if operation["op"] == "replace"
        and (
            str(operation.get("path") or "").strip().lower() == "active"
            or (not operation.get("path") and isinstance(operation.get("value"), dict))
        )
    ]
    if not switched_on:
        if sent(tenant, "PUT", michael_path):
            raise Hint(
                "Michael is active, but your client replaced his whole record with a PUT; the "
                "exercise asks for a PATCH that replaces active."
            )
        raise Hint("Michael is active, but not by a PATCH from your client: " + NO_LOG)
    count = len(Tenant.member_ids(dunder_mifflin))
    if prediction != count:
        raise Hint(
            f"Your prediction says {prediction}, which is not what the group holds now. Think "
            "about where membership lives: on the user, or on the group?"
        )
    return (
        f"Predicted and true: Dunder Mifflin still has {count} members. Switching an account "
        "on changes no group; the paper company is open for business."
    )
