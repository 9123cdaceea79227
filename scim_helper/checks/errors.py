"""Checks for chapter 07, When things go wrong: catching and reading SCIM errors."""

from __future__ import annotations

from typing import Any

from scim_helper.checks._framework import Hint, check
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
    return "Found him: string values in a filter need double quotes."
