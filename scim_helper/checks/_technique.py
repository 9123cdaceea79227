"""Reading how an exercise was done: predictions, PATCH operations and look-ups in the wire log.

The exchanges come from :func:`~scim_helper.checks._framework.sent` (what the learner's client
sent before the check ran). These helpers read them the way a SCIM server would: operation names
and attribute names case-insensitively (RFC 7644 §3.5.2, RFC 7643 §2.1), member filters as
``members[value eq "<id>"]`` (RFC 7644 §3.5.2.2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scim_helper.checks._framework import Hint
from sync_app.wirelog import Exchange

__all__ = [
    "NO_LOG",
    "added_member_ids",
    "answered",
    "filter_of",
    "member_removals",
    "patch_operations",
    "read_prediction",
    "succeeded",
]

#: The hint when the learner's client sent nothing the check can grade.
NO_LOG = (
    "use the chapter's `client` for it (the check reads that client's wire log; another "
    "client's requests are not in it)."
)

_MEMBER_FILTER = re.compile(
    r'^\s*members\s*\[\s*value\s+eq\s+"(?P<id>[^"]*)"\s*\]\s*$', re.IGNORECASE
)


def succeeded(exchanges: Iterable[Exchange]) -> list[Exchange]:
    """The exchanges the server accepted (a 2xx status)."""
    return [e for e in exchanges if e.status is not None and 200 <= e.status < 300]


def answered(exchange: Exchange) -> tuple[int | None, str | None]:
    """The HTTP status of an exchange and the ``scimType`` of its error body (or ``None``)."""
    body = exchange.response_body if isinstance(exchange.response_body, dict) else {}
    scim_type = body.get("scimType")
    return exchange.status, str(scim_type) if scim_type else None


def patch_operations(exchange: Exchange) -> list[dict[str, Any]]:
    """The ``Operations`` of a PATCH request body, ``op`` lower-cased; ``[]`` for anything else."""
    body = exchange.request_body if isinstance(exchange.request_body, dict) else {}
    operations = body.get("Operations") or body.get("operations") or []
    found = []
    for operation in operations:
        if isinstance(operation, dict):
            found.append({**operation, "op": str(operation.get("op", "")).lower()})
    return found


def _ids(value: Any) -> set[str]:
    """Member ids in an operation's value: a list of ``{"value": id}``, one of them, or bare ids."""
    items = value if isinstance(value, list) else [value]
    found = set()
    for item in items:
        if isinstance(item, dict) and item.get("value") is not None:
            found.add(str(item["value"]))
        elif isinstance(item, str):
            found.add(item)
    return found


def added_member_ids(exchange: Exchange) -> set[str]:
    """The member ids one PATCH request adds (``add`` on ``members``, or path-less ``add``)."""
    added: set[str] = set()
    for operation in patch_operations(exchange):
        if operation["op"] != "add":
            continue
        path = str(operation.get("path") or "").strip().lower()
        value = operation.get("value")
        if path == "members":
            added |= _ids(value)
        elif not path and isinstance(value, dict):
            added |= _ids(value.get("members") or value.get("Members") or [])
    return added


def member_removals(exchange: Exchange) -> list[tuple[str, str | None]]:
    """How each ``remove`` of a PATCH names its member: ``(form, id)``.

    ``form`` is ``"filter"`` for ``members[value eq "<id>"]`` with no value (the RFC form),
    ``"value"`` for ``path: members`` plus the member in ``value`` (a lenient form), ``"all"``
    for ``path: members`` with nothing to narrow it (every member goes), ``"other"`` otherwise.
    """
    removals: list[tuple[str, str | None]] = []
    for operation in patch_operations(exchange):
        if operation["op"] != "remove":
            continue
        path = str(operation.get("path") or "")
        match = _MEMBER_FILTER.match(path)
        if match and operation.get("value") is None:
            removals.append(("filter", match["id"]))
        elif path.strip().lower() == "members" and operation.get("value") is not None:
            ids: list[str | None] = [*sorted(_ids(operation["value"]))] or [None]
            removals.extend(("value", i) for i in ids)
        elif path.strip().lower() == "members":
            removals.append(("all", None))
        else:
            removals.append(("other", None))
    return removals


def filter_of(exchange: Exchange) -> str:
    """The ``filter`` of a query: a GET's query parameter, or a ``POST /.search`` body's."""
    if exchange.method == "POST" and isinstance(exchange.request_body, dict):
        return str(exchange.request_body.get("filter") or "")
    query = urlsplit(exchange.path).query or urlsplit(exchange.url).query
    values = parse_qs(query).get("filter") or []
    return values[0] if values else ""


def read_prediction(answer: Any, example: str) -> Any:
    """The learner's ``prediction``, or a Hint when there is none yet."""
    if answer is None:
        raise Hint(
            f"No prediction yet: write it on the first line (prediction = {example}) "
            "before you run the request."
        )
    return answer
