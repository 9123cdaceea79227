"""Checks for chapter 06, New email addresses: PATCH paths, add vs replace, PUT vs PATCH."""

from __future__ import annotations

from typing import Any

from scim_helper.checks._framework import Hint, check, names, require_user, sent
from scim_helper.marker import course_external_id
from scim_helper.staff import PAPER_COMPANY_DOMAIN
from scim_helper.tenant import Tenant

PAM_WORK = f"pam.beesly@{PAPER_COMPANY_DOMAIN}"
RYAN_WORK = f"ryan.howard@{PAPER_COMPANY_DOMAIN}"


def _emails(user: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in user.get("emails") or [] if e.get("type") == kind]


def _has(user: dict[str, Any], kind: str, value: str) -> bool:
    return any(str(e.get("value", "")).lower() == value for e in _emails(user, kind))


def _operations(body: Any) -> list[dict[str, Any]]:
    """The operations of a PATCH body as sent (``Operations``), or none."""
    if not isinstance(body, dict):
        return []
    return [op for op in body.get("Operations") or [] if isinstance(op, dict)]


def _op(operation: dict[str, Any]) -> str:
    return str(operation.get("op", "")).lower()


@check("06-new-email-addresses")
def emails_updated(tenant: Tenant) -> str:
    """✓ when Michael, Pam and Ryan's work emails are at the Paper Company's domain."""
    stale = set()
    for user_name in ("mscott", "pbeesly", "rhoward"):
        user = require_user(tenant, user_name, "a Paper Company founder")
        work = _emails(user, "work")
        if not work or not all(
            str(e.get("value", "")).lower().endswith("@" + PAPER_COMPANY_DOMAIN) for e in work
        ):
            stale.add(user_name)
    if stale:
        raise Hint(f"Work emails not yet at @{PAPER_COMPANY_DOMAIN}: {names(stale)}.")
    return f"Michael, Pam and Ryan all have @{PAPER_COMPANY_DOMAIN} work emails."


@check("06-new-email-addresses")
def replace_all_predicted(tenant: Tenant, answer: Any) -> str:
    """✓ when ``answer`` predicted how many of Michael's emails the unfiltered replace changed."""
    if answer is None:
        raise Hint(
            "No prediction yet: set prediction to a number (0, 1 or 2) before you run the cell."
        )
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise Hint(
            f"The prediction is a {type(answer).__name__}; it should be a number: 0, 1 or 2."
        )
    michael = require_user(tenant, "mscott", "Michael Scott")
    patches = [
        e
        for e in sent(tenant, "PATCH", f"/Users/{michael['id']}")
        if any(op.get("path") == "emails.value" for op in _operations(e.request_body))
    ]
    if not patches:
        raise Hint(
            "Your client has not sent the PATCH with path emails.value to Michael yet: "
            "run the cell that sends it."
        )
    changed = sum(
        1
        for e in michael.get("emails") or []
        if str(e.get("value", "")).lower().endswith("@" + PAPER_COMPANY_DOMAIN)
    )
    if answer != changed:
        raise Hint(
            f"You predicted {answer}; on this server {changed} of Michael's emails now end in "
            f"@{PAPER_COMPANY_DOMAIN}. Read the table below: what does a path without a "
            "filter reach?"
        )
    return (
        f"Right: {changed} of Michael's emails now end in @{PAPER_COMPANY_DOMAIN}; on this "
        "server a path without a filter reaches every email."
    )


@check("06-new-email-addresses")
def pam_home_email(tenant: Tenant) -> str:
    """✓ when Pam has a home email and still her work email, through a PATCH ``add``."""
    user = require_user(tenant, "pbeesly", "Pam Beesly")
    if not _has(user, "work", PAM_WORK):
        raise Hint(
            f"Pam's work email {PAM_WORK} is gone or changed: add keeps the values that are "
            "there, replace overwrites them."
        )
    if not _emails(user, "home"):
        raise Hint("Pam has no email of type 'home' yet.")
    patches = [
        op
        for e in sent(tenant, "PATCH", f"/Users/{user['id']}")
        for op in _operations(e.request_body)
        if str(op.get("path", "")).startswith("emails")
    ]
    if not any(_op(op) == "add" for op in patches):
        sent_ops = ", ".join(sorted({_op(op) for op in patches})) or "no PATCH on emails"
        raise Hint(
            f"Pam has both emails, but your client sent {sent_ops}; the exercise asks for a "
            "PATCH with op add, which cannot overwrite what is there."
        )
    return "Pam has a home email, and her work email is still there."


@check("06-new-email-addresses")
def ryan_emails_restored(tenant: Tenant) -> str:
    """✓ when Ryan has his Paper Company work email back, primary, and keeps the course marker."""
    user = require_user(tenant, "rhoward", "Ryan Howard")
    marker = course_external_id("rhoward")
    if user.get("externalId") != marker:
        raise Hint(
            f"Ryan's externalId is no longer {marker!r} (a PUT that leaves it out clears it); "
            "the exercise asks that he keep it, the client's own key for him."
        )
    if not user.get("emails"):
        raise Hint("Ryan still has no emails at all: the PUT replaced his whole record.")
    work = [e for e in _emails(user, "work") if str(e.get("value", "")).lower() == RYAN_WORK]
    if not work:
        raise Hint(f"Ryan has emails, but none of type 'work' with the value {RYAN_WORK}.")
    if work[0].get("primary") is not True:
        raise Hint("Ryan's work email is back but not marked primary.")
    return "Ryan has his work email back, marked primary, and his externalId is still there."
