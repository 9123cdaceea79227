"""Checks for chapter 05, Finding people: filters, counting, sorting and paging."""

from __future__ import annotations

from typing import Any

from scim_helper.checks._framework import Hint, check
from scim_helper.directory import ENTERPRISE_USER
from scim_helper.tenant import Tenant

STAMFORD = f'{ENTERPRISE_USER}:division eq "Stamford"'


def _number(answer: Any, what: str) -> int:
    if answer is None:
        raise Hint(f"No answer yet: find {what}.")
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise Hint(
            f"The answer is a {type(answer).__name__}; it should be the number itself "
            "(the list response's totalResults)."
        )
    return answer


@check("05-finding-people")
def stamford_active_count(tenant: Tenant, answer: Any) -> str:
    """✓ when ``answer`` is the number of active people in the Stamford branch."""
    given = _number(answer, "the number of active people in Stamford")
    if not tenant.count(STAMFORD):
        raise Hint("Nobody works in Stamford on this server yet: run seed_directory(...) first.")
    if given == tenant.count(f"{STAMFORD} and active eq true"):
        return "That is how many active people work in Stamford, counted by the server."
    if given == tenant.count(STAMFORD):
        raise Hint("That count includes the people who are no longer active.")
    raise Hint(
        "That is not the number of active people in Stamford. The branch is the enterprise "
        "extension's division; read totalResults rather than counting a page."
    )


@check("05-finding-people")
def first_inactive_usernames(tenant: Tenant, answer: Any) -> str:
    """✓ when ``answer`` lists the first five inactive userNames, sorted ascending."""
    if answer is None:
        raise Hint("No answer yet: list the userNames of the first five inactive people.")
    if isinstance(answer, str | dict) or not hasattr(answer, "__iter__"):
        raise Hint(f"The answer should be a list of userNames, not a {type(answer).__name__}.")
    given = [str(a) for a in answer]
    inactive = sorted((str(u["userName"]) for u in tenant.users("active eq false")), key=str.lower)
    expected = inactive[:5]
    if given == expected:
        return "Those are the first five inactive people, in userName order."
    if len(given) != 5:
        raise Hint(f"The answer has {len(given)} userNames; the exercise asks for five.")
    active = [g for g in given if g not in inactive]
    if active:
        raise Hint(f"Not inactive (or not a userName): {', '.join(active)}.")
    if sorted(given) == sorted(expected):
        raise Hint("The right five people, in the wrong order: sort by userName, ascending.")
    raise Hint(
        "All inactive, but not the first five by userName: let the server sort "
        "(sortBy, sortOrder) before it pages."
    )
