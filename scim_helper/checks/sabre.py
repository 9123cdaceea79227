"""Checks for chapter 10, Sabre: a sync from the HR export, built from the engine's pieces.

Both exercises are about how a sync treats one person. ``sabre_toby`` grades a prediction (what
the sync does with a row whose userName belongs to another system's user) against Toby's account
on the server, and needs the plan's read of his userName in the wire log. ``sabre_gabe`` grades
the technique of a sync's update: the user matched by the sync's ``externalId`` and renamed by
one accepted PATCH of only what changed (RFC 7644 §3.5.2), never a PUT or a second user.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from scim_helper.checks._framework import Hint, check, sent
from scim_helper.tenant import Tenant, quote
from sync_app.wirelog import Exchange

CHAPTER = "10-sabre"
#: The name the chapter gives its sync: externalId ``<SOURCE>:<employee_id>``.
SOURCE = "office-course:sabre"
TOBY = "tflenderson"
ACTIONS = ("create", "adopt", "update", "conflict")
GABE_EMPLOYEE_ID = "S002"
GABE_BEFORE = "gabe.lewis@sabre.example"
GABE_AFTER = "gabriel.lewis@sabre.example"
#: What Tuesday's row changes for Gabe: the PATCH paths a minimal update may carry.
GABE_CHANGES = frozenset({"userName", "emails"})


def _filter(exchange: Exchange) -> str:
    pairs = parse_qs(urlsplit(exchange.path).query)
    return (pairs.get("filter") or [""])[-1]


def _what_the_sync_does(user: dict[str, Any] | None) -> str:
    """The plan's rule for a row whose userName is this user's (issue 15; chapter 10)."""
    if user is None:
        return "create"
    marker = user.get("externalId")
    if not marker:
        return "adopt"
    return "update" if str(marker).startswith(f"{SOURCE}:") else "conflict"


@check(CHAPTER)
def sabre_toby(tenant: Tenant, answer: Any) -> str:
    """✓ when the prediction is what the sync does with Toby's row, after the plan read him."""
    if answer is None:
        raise Hint(
            'No prediction yet: write prediction = "create", "adopt", "update" or "conflict" '
            "before you run the plan."
        )
    if not isinstance(answer, str) or answer.strip().lower() not in ACTIONS:
        raise Hint(
            f"The prediction is {answer!r}; write one of the four words: "
            '"create", "adopt", "update" or "conflict".'
        )
    read = [e for e in sent(tenant, "GET", "/Users") if TOBY in _filter(e).lower()]
    if not read:
        raise Hint(
            "Your prediction is written, but your client has not asked for Toby's userName "
            "yet: run the plan cell under the exercise (plan_sync), then this check."
        )
    actual = _what_the_sync_does(tenant.user(TOBY))
    if answer.strip().lower() != actual:
        raise Hint(
            f"You predicted {answer.strip().lower()!r}, and the plan did something else with "
            "Toby's row. Look at the externalId on his account: whose mark is it?"
        )
    return f"Predicted: the sync's answer for Toby's row is {actual!r}."


def _operations(exchange: Exchange) -> list[dict[str, Any]]:
    body = exchange.request_body
    if not isinstance(body, dict):
        return []
    return [op for op in body.get("Operations") or [] if isinstance(op, dict)]


def _renames(exchange: Exchange) -> bool:
    return (
        exchange.status is not None
        and exchange.status < 300
        and any(
            str(op.get("op", "")).lower() == "replace"
            and op.get("path") == "userName"
            and op.get("value") == GABE_AFTER
            for op in _operations(exchange)
        )
    )


def _paths(exchange: Exchange) -> list[str]:
    return [str(op.get("path") or "(no path)") for op in _operations(exchange)]


@check(CHAPTER)
def sabre_gabe(tenant: Tenant) -> str:
    """✓ when Gabe, matched by externalId, is renamed by one accepted PATCH of what changed."""
    marker = f"{SOURCE}:{GABE_EMPLOYEE_ID}"
    found = tenant.users(f"externalId eq {quote(marker)}")
    if not found:
        raise Hint(
            f"No user carries the externalId {marker!r}: run the chapter's cells from the top, "
            "through Monday's apply_plan, first."
        )
    if len(found) > 1:
        raise Hint(
            f"{len(found)} users carry the externalId {marker!r}: a sync keeps one account per "
            "person. Run the chapter again from the top to start over."
        )
    gabe = found[0]
    gabe_id = str(gabe["id"])
    created = [
        e
        for e in sent(tenant, "POST", "/Users")
        if isinstance(e.request_body, dict)
        and str(e.request_body.get("userName", "")).lower() == GABE_AFTER
    ]
    if created:
        raise Hint(
            f"Your client sent POST /Users for {GABE_AFTER}: that is a second Gabe. The "
            "exercise asks for a PATCH of the Gabe who exists, found by his employee number."
        )
    if sent(tenant, "PUT", f"/Users/{gabe_id}"):
        raise Hint(
            "Your client sent a PUT of Gabe: a PUT replaces the whole user (RFC 7644 §3.5.1). "
            "The exercise asks for one PATCH with the operations user_operations returns."
        )
    if str(gabe.get("userName", "")).lower() != GABE_AFTER:
        raise Hint(
            f"Gabe is still {gabe.get('userName')!r}: no PATCH has renamed him to {GABE_AFTER} "
            "yet. Find him in state.managed by his employee number."
        )
    renames = [e for e in sent(tenant, "PATCH", f"/Users/{gabe_id}") if _renames(e)]
    if not renames:
        raise Hint(
            f"Gabe is {GABE_AFTER}, but no accepted PATCH of him that your client still "
            "remembers replaced his userName: the exercise asks for one PATCH."
        )
    extra = sorted({p for p in _paths(renames[-1]) if p not in GABE_CHANGES})
    if extra:
        raise Hint(
            f"The PATCH that renamed Gabe also sent {', '.join(extra)}, which Tuesday's row "
            "does not change: the exercise asks for only what differs (user_operations)."
        )
    emails = [str(e.get("value") or "(no value)").lower() for e in gabe.get("emails") or []]
    if emails != [GABE_AFTER]:
        raise Hint(
            f"Gabe is renamed, but his emails are {', '.join(emails) or 'none'}: Tuesday's row "
            f"changes his work email to {GABE_AFTER} too."
        )
    return f"Gabe is {GABE_AFTER}: the same account, renamed by one PATCH of what changed."


def _is_write(exchange: Exchange) -> bool:
    """Every request but a read: a GET, or a POST to ``/.search`` (RFC 7644 §3.4.3)."""
    if exchange.method in ("GET", "HEAD"):
        return False
    return not (exchange.method == "POST" and exchange.path.split("?", 1)[0].endswith("/.search"))


def _last_plan(history: list[Exchange]) -> int | None:
    """Where the client's last plan of this sync began: the first page of its own users.

    A plan reads the sync's users with ``externalId sw "<source>:"`` (RFC 7644 §3.4.2.2),
    page by page from ``startIndex`` 1; its writes, if any, come after.
    """
    for index in range(len(history) - 1, -1, -1):
        exchange = history[index]
        query = parse_qs(urlsplit(exchange.path).query)
        if (
            exchange.method == "GET"
            and f'externalId sw "{SOURCE}:"' in _filter(exchange)
            and (query.get("startIndex") or ["1"])[-1] == "1"
        ):
            return index
    return None


@check(CHAPTER)
def sabre_quiet_friday(tenant: Tenant, answer: Any) -> str:
    """✓ when the prediction is the number of writes the client sent after its last plan."""
    if answer is None:
        raise Hint(
            "No prediction yet: write prediction = the number of requests that write (POST, "
            "PATCH, PUT, DELETE) you expect from the re-run, before you run it."
        )
    if isinstance(answer, bool) or not isinstance(answer, int) or answer < 0:
        raise Hint(f"The prediction is {answer!r}; write a whole number of requests, such as 3.")
    history = sent(tenant)
    start = _last_plan(history)
    if start is None:
        raise Hint(
            "Your prediction is written, but your client has not planned this sync yet: run "
            "the re-run cell under the exercise (plan_sync, then apply_plan), then this check."
        )
    writes = sum(_is_write(e) for e in history[start:])
    if answer != writes:
        raise Hint(
            f"You predicted {answer}, and the re-run sent a different number of writes. "
            "Compare Friday's export with what the directory already holds: what differs?"
        )
    return f"Predicted: after its last plan the sync sent {writes} writes."
