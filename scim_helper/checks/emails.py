"""Checks for chapter 06, New email addresses: PATCH paths, add vs replace, PUT vs PATCH."""

from __future__ import annotations

from typing import Any

from scim_helper.checks._framework import Hint, check, names, require_user
from scim_helper.staff import PAPER_COMPANY_DOMAIN
from scim_helper.tenant import Tenant

PAM_WORK = f"pam.beesly@{PAPER_COMPANY_DOMAIN}"
RYAN_WORK = f"ryan.howard@{PAPER_COMPANY_DOMAIN}"


def _emails(user: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in user.get("emails") or [] if e.get("type") == kind]


def _has(user: dict[str, Any], kind: str, value: str) -> bool:
    return any(str(e.get("value", "")).lower() == value for e in _emails(user, kind))


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
def pam_home_email(tenant: Tenant) -> str:
    """✓ when Pam has a home email and still her Paper Company work email."""
    user = require_user(tenant, "pbeesly", "Pam Beesly")
    if not _has(user, "work", PAM_WORK):
        raise Hint(
            f"Pam's work email {PAM_WORK} is gone or changed: add keeps the values that are "
            "there, replace overwrites them."
        )
    if not _emails(user, "home"):
        raise Hint("Pam has no email of type 'home' yet.")
    return "Pam has a home email, and her work email is still there."


@check("06-new-email-addresses")
def ryan_emails_restored(tenant: Tenant) -> str:
    """✓ when Ryan has his Paper Company work email back, marked primary."""
    user = require_user(tenant, "rhoward", "Ryan Howard")
    if not user.get("emails"):
        raise Hint("Ryan still has no emails at all: the PUT replaced his whole record.")
    work = [e for e in _emails(user, "work") if str(e.get("value", "")).lower() == RYAN_WORK]
    if not work:
        raise Hint(f"Ryan has emails, but none of type 'work' with the value {RYAN_WORK}.")
    if work[0].get("primary") is not True:
        raise Hint("Ryan's work email is back but not marked primary.")
    return "Ryan has his work email back, marked primary."
