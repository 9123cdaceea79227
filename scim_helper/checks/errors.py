"""Checks for chapter 07, When things go wrong: catching, predicting and fixing SCIM errors."""

from __future__ import annotations

from typing import Any

from scim_helper.checks._framework import Hint, check, sent
from scim_helper.checks.finding import user_searches
from scim_helper.staff import DUNDER_MIFFLIN
from scim_helper.tenant import Tenant
from sync_app.errors import ProtocolError, SCIMError


@check("07-when-things-go-wrong")
def caught_uniqueness(answer: Any) -> str:
    """✓ when ``answer`` is the client's 409 ``uniqueness`` error."""
    if answer is None:
        raise Hint("No answer yet: catch the error with `except SCIMError as error:` and keep it.")
    if not isinstance(answer, BaseException):
        raise Hint(f"The answer is a {type(answer).__name__}, not the exception you caught.")
    if not isinstance(answer, SCIMError):
        raise Hint(f"That is a {type(answer).__name__}, not an error from the SCIM client.")
    if not isinstance(answer, ProtocolError):
        raise Hint(
            f"That is a {type(answer).__name__}, raised before anything reached the server; "
            "the error to catch is the server's answer to the create."
        )
    status = getattr(answer, "status", None)
    scim_type = getattr(answer, "scim_type", None)
    if status != 409 or scim_type != "uniqueness":
        raise Hint(
            f"That is a {type(answer).__name__} (status {status}, scimType {scim_type}); "
            "creating a userName that is taken gives a different one."
        )
    return "Caught: 409 uniqueness, the userName is already taken."


@check("07-when-things-go-wrong")
def duplicate_group_predicted(tenant: Tenant, answer: Any) -> str:
    """✓ when ``answer`` is the status the server gave a second "Dunder Mifflin" group."""
    if answer is None:
        raise Hint("No prediction yet: set prediction to a status (201 or 409) and run the cell.")
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise Hint(
            f"The prediction is a {type(answer).__name__}; it should be a status: 201 or 409."
        )
    attempts = [
        e
        for e in sent(tenant, "POST", "/Groups")
        if isinstance(e.request_body, dict)
        and e.request_body.get("displayName") == DUNDER_MIFFLIN
        and e.status is not None
    ]
    if not attempts:
        raise Hint(
            f"Your client has not sent a POST /Groups named {DUNDER_MIFFLIN!r} yet: run the "
            "cell that sends it."
        )
    status = attempts[-1].status
    if answer != status:
        raise Hint(
            f"You predicted {answer}; this server answered {status}. RFC 7643 does not make a "
            "group's displayName unique, so each server decides."
        )
    if status == 409:
        return "Right: this server keeps group names unique (its choice) and answered 409."
    return f"Right: this server answered {status}; RFC 7643 lets two groups share a name."


def _fixed_search(search: dict[str, str]) -> bool:
    text = " ".join(search.get("filter", "").split())
    return 'username eq "dschrute"' in text.lower()


@check("07-when-things-go-wrong")
def fixed_filter(tenant: Tenant, answer: Any) -> str:
    """✓ when ``answer`` is Dwight's id, found with the corrected filter."""
    if answer is None:
        raise Hint("No answer yet: fix the filter, run it, and keep the id of the user it finds.")
    if not isinstance(answer, str):
        raise Hint(
            f"The answer is a {type(answer).__name__}; keep just the user's id (a string) from "
            "the list response's Resources."
        )
    dwight = tenant.user("dschrute")
    if dwight is None:
        raise Hint("There is no user dschrute on the server: run course_setup(...) first.")
    if answer != dwight.get("id"):
        raise Hint("That is not the id of the user the exercise is looking for.")
    if not any(_fixed_search(s) for s in user_searches(tenant)):
        raise Hint(
            "The id is right, but your client sent no GET /Users with the filter "
            'userName eq "dschrute": the exercise asks you to fix Angela\'s filter and run it.'
        )
    return "Found him: string values in a filter need double quotes."
