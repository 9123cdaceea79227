"""A provider behaviour as data: the request it sends, what it needs back, where that is written.

A :class:`Step` builds its :class:`Request` from the run so far (the ids the server issued),
checks the :class:`Reply`, and may carry a :class:`Probe`: a read the provider does not send
but that proves what a reply alone cannot (after a member is removed, the others are still there).
A check returns ``None`` when the reply is what the provider needs, or a sentence saying what
is wrong with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from sync_app.scim.urns import ERROR, LIST_RESPONSE, PATCH_OP
from sync_app.wirelog import Exchange

from .citations import Citation

if TYPE_CHECKING:
    from .run import Run


@dataclass(frozen=True)
class Request:
    """One HTTP request relative to the SCIM base URL (``/Users``, ``/Groups/{id}``)."""

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    body: Any = None

    @property
    def target(self) -> str:
        """Path and query as sent on the wire (``%20`` for spaces, as Okta's examples show)."""
        if not self.query:
            return self.path
        return f"{self.path}?{urlencode(self.query, quote_via=quote)}"

    def __str__(self) -> str:
        """The request line as a person reads it: the query decoded."""
        shown = self.path
        if self.query:
            shown += "?" + "&".join(f"{key}={value}" for key, value in self.query.items())
        return f"{self.method} {shown}"


@dataclass(frozen=True)
class Reply:
    """What came back, as a check reads it: the status and the body (parsed JSON, or ``None``
    and the raw text); ``exchange`` is the same answer as the report records it (redacted)."""

    status: int
    body: Any
    text: str
    exchange: Exchange = field(repr=False, compare=False)


Check = Callable[["Run", Reply], "str | None"]
Build = Callable[["Run"], Request]


@dataclass(frozen=True)
class Probe:
    """A read that proves the state after a step; the provider itself does not send it."""

    request: Build
    check: Check
    expects: str


@dataclass(frozen=True)
class Step:
    """One request a provider sends, what it needs back, the one-line fix, and the source."""

    name: str
    request: Build
    check: Check
    expects: str
    fix: str
    cite: Citation
    probe: Probe | None = None
    note: str = ""


class Skip(Exception):
    """The step needs something an earlier step did not give (an id the server never issued)."""


# -- small checks, shared by the profiles ------------------------------------------------------


def status_is(reply: Reply, *codes: int) -> str | None:
    if reply.status in codes:
        return None
    wanted = " or ".join(str(code) for code in codes)
    detail = reply.body.get("detail") if isinstance(reply.body, dict) else None
    said = f" (the server said: {detail})" if isinstance(detail, str) and detail else ""
    return f"the status is {reply.status}, not {wanted}{said}"


def patched(run: Run, reply: Reply) -> str | None:
    """200 with the resource or 204 (RFC 7644 §3.5.2); Entra's examples answer 204."""
    return status_is(reply, 200, 204)


def gone(run: Run, reply: Reply) -> str | None:
    """404: no such resource (RFC 7644 §3.12)."""
    return status_is(reply, 404)


def list_of(reply: Reply, *, integers: bool = False) -> tuple[list[dict[str, Any]], str | None]:
    """The ``Resources`` of a 200 ListResponse, or a sentence saying why the reply is not one."""
    problem = status_is(reply, 200)
    if problem:
        return [], problem
    body = reply.body
    if not isinstance(body, dict) or LIST_RESPONSE not in body.get("schemas", []):
        return [], "the body is not a ListResponse (RFC 7644 §3.4.2)"
    if integers:
        for key in ("totalResults", "startIndex", "itemsPerPage"):
            if key in body and not (isinstance(body[key], int) and not isinstance(body[key], bool)):
                return [], f"{key} is {json.dumps(body[key])}, not an integer"
    if not isinstance(body.get("totalResults"), int):
        return [], f"totalResults is {json.dumps(body.get('totalResults'))}, not an integer"
    resources = body.get("Resources", [])
    if not isinstance(resources, list):
        return [], "Resources is not a list"
    return resources, None


def resource_of(reply: Reply, *codes: int) -> tuple[dict[str, Any], str | None]:
    """The resource in a reply with one of ``codes`` (200 when none given)."""
    problem = status_is(reply, *(codes or (200,)))
    if problem:
        return {}, problem
    if not isinstance(reply.body, dict):
        return {}, "the body is empty or not a JSON object"
    if not reply.body.get("id"):
        return {}, "the resource in the body has no id"
    return reply.body, None


def member_ids(resource: dict[str, Any]) -> set[str]:
    return {str(member.get("value")) for member in resource.get("members") or []}


def error_body(reply: Reply) -> str | None:
    """None when the body is a SCIM Error (RFC 7644 §3.12)."""
    body = reply.body
    if isinstance(body, dict) and ERROR in body.get("schemas", []):
        return None
    return "the body is not a SCIM Error (RFC 7644 §3.12)"


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    """A PatchOp message (RFC 7644 §3.5.2) with these operations."""
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def eq(attribute: str, value: str) -> str:
    """``attribute eq "value"`` (RFC 7644 §3.4.2.2), quotes in ``value`` escaped."""
    return f"{attribute} eq {json.dumps(value)}"
