"""The server's limits, advertised in ``/ServiceProviderConfig`` and enforced on every request.

RFC 7643 §5 lets a service provider announce ``filter.maxResults``, ``bulk.maxOperations`` and
``bulk.maxPayloadSize``. RFC 7644 has no separate field for the size of an ordinary request body,
so the server uses ``bulk.maxPayloadSize`` for every body: one advertised number, one rule.

Limits RFC 7643 gives no field for are fixed, and every refusal names the number:

- a string attribute holds at most 4,096 characters; 512 for those kept in an index
  (``userName``, ``displayName``, ``externalId``, ``name.*``, and the sub-attributes of
  ``emails``, ``phoneNumbers``, ``addresses`` and the other multi-valued ones); a binary one 65,536
  (``resources.MAX_STRING_LENGTH``, ``MAX_INDEXED_LENGTH``, ``MAX_BINARY_LENGTH``): 400
  ``invalidValue`` beyond;
- a filter nests at most 64 parentheses and holds at most 200 comparisons
  (``filters.MAX_NESTING``, ``MAX_COMPARISONS``): 400 ``invalidFilter`` beyond.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from scim2_models import InvalidSyntaxException, InvalidValueException, PayloadTooLargeException
from starlette.requests import Request

from .errors import UnsupportedMediaType

SCIM_MEDIA_TYPES = ("application/scim+json", "application/json")

# After answering 413 the server still reads (and throws away) this many times the limit, so a
# client that sends its whole body before reading the answer sees the 413 instead of a reset.
_DRAIN_FACTOR = 8


@dataclass(frozen=True)
class Limits:
    """How much one request may ask of the server."""

    max_payload_size: int = 1_048_576
    """Largest request body in bytes (advertised as ``bulk.maxPayloadSize``)."""
    max_results: int = 200
    """Most resources in one page of results (``filter.maxResults``)."""
    max_operations: int = 1000
    """Most operations in one Bulk request (``bulk.maxOperations``)."""


async def read_body(request: Request, limits: Limits) -> bytes:
    """The request body, refused with 413 once it grows past ``max_payload_size``."""
    limit = limits.max_payload_size
    too_large = PayloadTooLargeException(
        detail=f"The request body is larger than {limit} bytes, the limit this server advertises "
        "as bulk.maxPayloadSize in /ServiceProviderConfig. Send fewer resources per "
        "request."
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit * _DRAIN_FACTOR:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit * _DRAIN_FACTOR:
            break
        if size <= limit:
            chunks.append(chunk)
    if size > limit:
        raise too_large
    return b"".join(chunks)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


async def read_json(request: Request, limits: Limits) -> dict[str, Any]:
    """The request body as a JSON object, or a SCIM error saying what is wrong with it."""
    body = await read_body(request, limits)
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in SCIM_MEDIA_TYPES:
        shown = media_type or "no Content-Type"
        raise UnsupportedMediaType(
            detail=f"The request body was sent as {shown}; send it as application/scim+json "
            "(application/json is accepted too)."
        )
    if not body.strip():
        raise InvalidSyntaxException(detail="The request body is empty; send a JSON object.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidSyntaxException(
            detail=f"The request body is not valid UTF-8 (bad byte at offset {exc.start}). Send "
            "JSON encoded as UTF-8."
        ) from None
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise InvalidSyntaxException(
            detail="The request body nests JSON too deeply to be read."
        ) from None
    except ValueError as exc:
        raise InvalidSyntaxException(detail=f"The request body is not valid JSON: {exc}.") from None
    if not isinstance(document, dict):
        raise InvalidSyntaxException(
            detail='The request body must be a JSON object, like {"schemas": [...]}.'
        )
    if "\\u" in text:
        _reject_lone_surrogates(document)
    return document


def _reject_lone_surrogates(document: dict[str, Any]) -> None:
    # JSON may escape half of a UTF-16 pair ("\ud800") on its own; Python decodes it to a
    # string that cannot be encoded, so the database (or the response) would fail with a 500.
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidSyntaxException(
            detail="The request body escapes half of a UTF-16 surrogate pair (like \\ud800) "
            "without the other half; such a string is not Unicode text. Send the whole "
            "character."
        ) from None


def parse_int(value: str | None, name: str) -> int | None:
    """A query parameter that must be an integer (RFC 7644 §3.4.2.4), or ``None`` if absent."""
    if value is None or value == "":
        return None
    text = value.strip()
    try:
        return int(text)
    except ValueError:
        if text.lstrip("+-").isdigit():  # Python reads at most 4,300 digits
            raise InvalidValueException(
                detail=f"{name} has {len(text)} digits; send a number like 10."
            ) from None
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise InvalidValueException(
            detail=f"{name} must be an integer, like {name}=10; got {shown!r}."
        ) from None


def page(start_index: int | None, count: int | None, limits: Limits) -> tuple[int, int]:
    """The 1-based start index and the page size, clamped as RFC 7644 §3.4.2.4 says.

    A ``startIndex`` below 1 is read as 1; a negative ``count`` as 0; a ``count`` above
    ``filter.maxResults`` (or none at all) as ``filter.maxResults``. A ``startIndex`` past the
    last result, however large, is an empty page (the RFC sets no upper bound; the store never
    hands an index beyond the database's integers to SQL).
    """
    start = 1 if start_index is None or start_index < 1 else start_index
    size = limits.max_results if count is None else min(max(count, 0), limits.max_results)
    return start, size
