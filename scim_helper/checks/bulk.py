"""Checks for chapter 08, Bulk: several operations, and bulkId references, in one request.

Both exercises ask for a technique: ONE ``POST /Bulk`` (RFC 7644 §3.7), and for Holly a
``bulkId:`` reference from the group operation to the POST that creates her (RFC 7644 §3.7.2).
The checks read the learner's wire log (``sent``) as well as the end state.
"""

from __future__ import annotations

import json
from typing import Any

from scim_helper.checks._framework import (
    Hint,
    check,
    exact_members,
    require_group,
    require_user,
    sent,
)
from scim_helper.marker import course_external_id, is_course_resource
from scim_helper.staff import DUNDER_MIFFLIN
from scim_helper.tenant import Tenant
from sync_app.wirelog import Exchange

FINER_THINGS = "Finer Things Club"
HOLLY_EMAIL = "holly.flax@dundermifflin.com"


def _operations(exchange: Exchange) -> list[dict[str, Any]]:
    body = exchange.request_body
    if not isinstance(body, dict):
        return []
    return [op for op in body.get("Operations") or [] if isinstance(op, dict)]


def _creates(operation: dict[str, Any], path: str, key: str, value: str) -> bool:
    data = operation.get("data")
    return (
        str(operation.get("method", "")).upper() == "POST"
        and str(operation.get("path", "")).rstrip("/") == path
        and isinstance(data, dict)
        and str(data.get(key, "")).lower() == value.lower()
    )


def _bulk_requests_creating(tenant: Tenant, path: str, key: str, value: str) -> list[Exchange]:
    return [
        e
        for e in sent(tenant, "POST", "/Bulk")
        if any(_creates(op, path, key, value) for op in _operations(e))
    ]


def _plain_creates(tenant: Tenant, path: str, key: str, value: str) -> int:
    return sum(
        1
        for e in sent(tenant, "POST", path)
        if isinstance(e.request_body, dict)
        and str(e.request_body.get(key, "")).lower() == value.lower()
    )


@check("08-bulk")
def finer_things_club(tenant: Tenant) -> str:
    """✓ when the club holds exactly Pam, Oscar and Toby, made in one Bulk request, marked."""
    group = exact_members(tenant, FINER_THINGS, {"pbeesly", "omartinez", "tflenderson"})
    if not is_course_resource(group):
        raise Hint(
            f"The club has no course externalId: give it "
            f"{course_external_id('group:finer-things-club')!r}, the client's own key for it, "
            "so that reset can find it on any server."
        )
    bulks = _bulk_requests_creating(tenant, "/Groups", "displayName", FINER_THINGS)
    if not bulks:
        how = (
            "POST /Groups"
            if _plain_creates(tenant, "/Groups", "displayName", FINER_THINGS)
            else ("no request your client still remembers")
        )
        raise Hint(
            f"The club is right, but it was created with {how}, not inside a POST /Bulk: the "
            "exercise asks for one Bulk request."
        )
    history = sent(tenant)
    made = max(i for i, e in enumerate(history) if any(e is b for b in bulks))
    group_id = str(group["id"])
    after = [
        f"{e.method} {'/Bulk' if e.path.startswith('/Bulk') else '/Groups/…'}"
        for e in history[made + 1 :]
        if e.method in ("POST", "PATCH", "PUT")
        and (e.path.startswith(f"/Groups/{group_id}") or group_id in json.dumps(e.request_body))
    ]
    if after:
        raise Hint(
            f"The club is right, but after the Bulk request your client also sent "
            f"{', '.join(after)}: the exercise asks for one Bulk request whose POST carries "
            "the members."
        )
    return "The Finer Things Club is in session: Pam, Oscar and Toby, in one Bulk request."


def _references(operation: dict[str, Any], bulk_id: str) -> bool:
    return f'"bulkId:{bulk_id}"' in json.dumps(operation.get("data"))


@check("08-bulk")
def holly_returns(tenant: Tenant) -> str:
    """✓ when ``hflax`` is created, marked and added to Dunder Mifflin by a bulkId reference."""
    holly = require_user(tenant, "hflax", "Holly Flax")
    if holly.get("active") is not True:
        raise Hint("Holly exists but is not active.")
    emails = holly.get("emails") or []
    if not any(
        e.get("type") == "work" and str(e.get("value", "")).lower() == HOLLY_EMAIL for e in emails
    ):
        raise Hint(f"Holly has no work email {HOLLY_EMAIL}.")
    if not is_course_resource(holly):
        raise Hint(
            f"Holly has no course externalId: give her {course_external_id('hflax')!r}, the "
            "client's own key for her, so that reset can find her on any server."
        )
    group = require_group(tenant, DUNDER_MIFFLIN)
    if str(holly.get("id")) not in Tenant.member_ids(group):
        raise Hint(
            "Holly is not in Dunder Mifflin: the group operation can point at her with a "
            "bulkId reference to the POST that creates her."
        )
    bulks = _bulk_requests_creating(tenant, "/Users", "userName", "hflax")
    if not bulks:
        how = (
            "POST /Users"
            if _plain_creates(tenant, "/Users", "userName", "hflax")
            else ("no request your client still remembers")
        )
        raise Hint(
            f"Holly is in, but she was created with {how}, not inside a POST /Bulk: the "
            "exercise asks for one Bulk request that creates her and adds her."
        )
    operations = _operations(bulks[-1])
    post = next(op for op in operations if _creates(op, "/Users", "userName", "hflax"))
    bulk_id = str(post.get("bulkId") or "")
    referenced = bulk_id and any(
        str(op.get("path", "")).startswith("/Groups/") and _references(op, bulk_id)
        for op in operations
    )
    if not referenced:
        raise Hint(
            "Holly is in, but the Bulk request that created her had no group operation "
            f'referring to her as "bulkId:{bulk_id or "…"}": the exercise asks for both steps in '
            "one request, joined by her bulkId."
        )
    return "Holly is back in Scranton, created and added in one Bulk request."
