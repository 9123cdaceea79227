"""Checks for chapter 05, Finding people: filters, counting, sorting and paging.

Both exercises ask for a technique as well as a result: the count comes from ``totalResults``
with ``count=0`` (RFC 7644 §3.4.2.4), and the first five inactive people come from one request
that filters, sorts and pages on the server (RFC 7644 §3.4.2.2–3.4.2.4). The checks read the
learner's wire log (``sent``) for that.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from scim_helper.checks._framework import Hint, check, sent
from scim_helper.tenant import Tenant
from sync_app.scim.user import ENTERPRISE_USER_SCHEMA
from sync_app.wirelog import Exchange

STAMFORD = f'{ENTERPRISE_USER_SCHEMA}:division eq "Stamford"'


def query(exchange: Exchange) -> dict[str, str]:
    """The query parameters of a request, decoded (``{"filter": ..., "count": "0"}``)."""
    pairs = parse_qs(urlsplit(exchange.path).query, keep_blank_values=True)
    return {name: values[-1] for name, values in pairs.items()}


def user_searches(tenant: Tenant) -> list[dict[str, str]]:
    """The query parameters of every ``GET /Users?...`` the learner's client sent."""
    return [query(e) for e in sent(tenant, "GET", "/Users") if "?" in e.path]


def _number(answer: Any, what: str) -> int:
    if answer is None:
        raise Hint(f"No answer yet: find {what}.")
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise Hint(
            f"The answer is a {type(answer).__name__}; it should be the number itself "
            "(the list response's totalResults)."
        )
    return answer


def _counted_stamford(search: dict[str, str]) -> bool:
    text = search.get("filter", "").lower()
    return search.get("count") == "0" and "stamford" in text and "active" in text


@check("05-finding-people")
def stamford_active_count(tenant: Tenant, answer: Any) -> str:
    """✓ when ``answer`` is the number of active Stamford people, asked for with ``count=0``."""
    given = _number(answer, "the number of active people in Stamford")
    if not tenant.count(STAMFORD):
        raise Hint("Nobody works in Stamford on this server yet: run seed_directory(...) first.")
    if given == tenant.count(STAMFORD):
        raise Hint("That count includes the people who are no longer active.")
    if given != tenant.count(f"{STAMFORD} and active eq true"):
        raise Hint(
            "That is not the number of active people in Stamford. len(Resources) counts one "
            "page at most; the server's totalResults counts every match."
        )
    if not any(_counted_stamford(s) for s in user_searches(tenant)):
        raise Hint(
            "The number is right, but no GET /Users your client sent had count=0 with a filter "
            "on Stamford and active: the exercise asks the server to count without sending "
            "anyone."
        )
    return "That is how many active people work in Stamford, counted by the server (count=0)."


def _sorted_inactive_search(search: dict[str, str]) -> bool:
    text = " ".join(search.get("filter", "").lower().split())
    return "active eq false" in text and search.get("sortBy", "").lower() == "username"


@check("05-finding-people")
def first_inactive_usernames(tenant: Tenant, answer: Any) -> str:
    """✓ for the first five inactive userNames, sorted, from one filtered and sorted request."""
    if answer is None:
        raise Hint("No answer yet: list the userNames of the first five inactive people.")
    if isinstance(answer, str | dict) or not hasattr(answer, "__iter__"):
        raise Hint(f"The answer should be a list of userNames, not a {type(answer).__name__}.")
    given = [str(a) for a in answer]
    inactive = sorted((str(u["userName"]) for u in tenant.users("active eq false")), key=str.lower)
    expected = inactive[:5]
    if len(given) != 5:
        raise Hint(f"The answer has {len(given)} userNames; the exercise asks for five.")
    active = [g for g in given if g not in inactive]
    if active:
        raise Hint(f"Not inactive (or not a userName): {', '.join(active)}.")
    if given != expected and sorted(given) == sorted(expected):
        raise Hint("The right five people, in the wrong order: sort by userName, ascending.")
    if given != expected:
        raise Hint(
            "All inactive, but not the first five by userName: let the server sort "
            "(sortBy, sortOrder) before it pages."
        )
    if not any(_sorted_inactive_search(s) for s in user_searches(tenant)):
        lookups = len([e for e in sent(tenant, "GET", "/Users/")])
        how = f"{lookups} GET /Users/{{id}} requests" if lookups else "no sorted search"
        raise Hint(
            f"The names are right, but your client sent {how} and no GET /Users with the "
            "filter active eq false and sortBy=userName: the exercise asks for one request "
            "that filters, sorts and pages on the server."
        )
    return "Those are the first five inactive people, in userName order, from one request."
