"""Checks for chapter 02, Charles Miner joins (and the transcript's first steps)."""

from __future__ import annotations

from scim_helper.checks._framework import Hint, check, require_group, require_user, sent
from scim_helper.checks._technique import (
    NO_LOG,
    answered,
    filter_of,
    patch_operations,
    succeeded,
)
from scim_helper.marker import is_course_resource
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
    if "groups" not in user:
        # RFC 7643 §4.1.2 lets a server leave User.groups out; the group's members decide.
        return "Charles is a member of Dunder Mifflin (this server leaves User.groups out)."
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
    """✓ when ``cminer``'s displayName is ``Charles Miner``, changed by a PATCH on displayName.

    Debug this: the exercise's PATCH goes to ``/Users/cminer`` and gets 404. The check wants
    the end state and, in the learner's wire log, an accepted PATCH of Charles (by his id) that
    replaces ``displayName``; a PUT of the whole user gets a hint.
    """
    user = require_user(tenant, "cminer", CHARLES)
    path = f"/Users/{user.get('id')}"
    patches = sent(tenant, "PATCH", path)
    shown = user.get("displayName")
    if shown != "Charles Miner":
        refused = [
            e for e in sent(tenant, "PATCH", "/Users/") if e.status is not None and e.status >= 400
        ]
        if refused and shown == "Charles.Miner":
            status, scim_type = answered(refused[-1])
            raise Hint(
                f"Your last PATCH was refused ({status}{' ' + scim_type if scim_type else ''}): "
                "the server has no User at the URL it went to. A resource's URL holds its id, "
                "the one the server assigned (RFC 7643 §3.1), not its userName."
            )
        if not shown:
            raise Hint("Charles has no displayName at all now; it should be his full name.")
        raise Hint(
            f"Charles's displayName is still {shown!r}. RFC 7643 says it is the full name, "
            "suitable for display to end-users."
        )
    if sent(tenant, "PUT", path):
        raise Hint(
            "Charles is renamed, but your client replaced his whole record with a PUT; the "
            "exercise asks for one PATCH that replaces displayName only."
        )
    renamed = [
        e
        for e in succeeded(patches)
        for operation in patch_operations(e)
        if operation["op"] == "replace"
        and str(operation.get("path") or "").strip().lower() == "displayname"
    ]
    if not renamed:
        if not patches:
            raise Hint("Charles is renamed, but not by your client: " + NO_LOG)
        raise Hint(
            "Charles is renamed, but no PATCH your client sent replaces the path displayName; "
            "the exercise asks for one replace operation on that attribute."
        )
    return "Charles's displayName is his full name, changed by one PATCH of that attribute."


@check("02-charles-joins")
def wallace_created(tenant: Tenant) -> str:
    """✓ when ``dwallace`` exists as asked, marked, and was looked up before he was created.

    The end state: active, named David Wallace, primary work email, the course's externalId.
    The technique, from the learner's wire log: a ``GET /Users`` with a filter on his
    externalId or userName, sent before the ``POST`` that created him (look up, then create).
    """
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
    if not is_course_resource(user):
        raise Hint(
            "David has no course externalId. externalId is the client's own key for him "
            "(RFC 7643 §3.1): give him the one course_external_id makes, as Charles has, so "
            "that a lookup (and the course's reset) can find him."
        )
    exchanges = sent(tenant)
    created_at = [
        index
        for index, e in enumerate(exchanges)
        if e.method == "POST"
        and e.path.split("?")[0] == "/Users"
        and isinstance(e.request_body, dict)
        and str(e.request_body.get("userName", "")).lower() == "dwallace"
        and e.status == 201
    ]
    keys = (str(user.get("externalId")).lower(), "dwallace")
    looked_up = [
        index
        for index, e in enumerate(exchanges)
        if any(key in filter_of(e).lower() for key in keys)
        and (
            (e.method == "GET" and e.path.startswith("/Users?"))
            or (e.method == "POST" and e.path.split("?")[0] in ("/Users/.search", "/.search"))
        )
    ]
    if not created_at and not looked_up:
        raise Hint(
            "David is there, but your client's wire log shows neither lookup nor POST: " + NO_LOG
        )
    if created_at and not any(index < created_at[0] for index in looked_up):
        raise Hint(
            "Your client sent POST /Users for David without asking first. The exercise asks "
            "you to look him up with a filter on his externalId before creating him, so that "
            "running the cell again finds him instead of failing with 409 uniqueness."
        )
    return "David Wallace is in the directory, looked up before he was created."
