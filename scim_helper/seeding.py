"""Creating and deleting many resources through /Bulk (RFC 7644 §3.7), one way for the course.

``course_setup`` (the fifteen staff) and ``seed_directory`` (about 2,000 people) both send their
work in as few /Bulk requests as the server allows, and read each new resource's id from its
result's ``location`` (RFC 7644 §3.7.3). The limits come from the server's
``/ServiceProviderConfig`` (RFC 7643 §5: ``bulk.supported``, ``maxOperations``,
``maxPayloadSize``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sync_app.client import SCIMClient
from sync_app.scim.messages import BulkOperation

__all__ = ["MAX_BATCH", "batch_size", "chunks", "detail", "location_id", "send"]

#: Our own ceiling on operations per request, whatever the server allows: a failed request
#: costs at most this much work, and a progress bar moves.
MAX_BATCH = 200
#: A generous size for one operation (a directory User is about 800 bytes of JSON), to stay
#: well under ``maxPayloadSize``.
BYTES_PER_OPERATION = 1500
# RFC 7643 §5 gives no default for maxPayloadSize; 1 MiB is what servers commonly announce.
_DEFAULT_PAYLOAD = 1_048_576


def batch_size(config: Mapping[str, Any]) -> int:
    """How many operations one /Bulk request may carry on this server (1: no Bulk here)."""
    bulk = config.get("bulk") or {}
    if not bulk.get("supported"):
        return 1
    by_payload = int(bulk.get("maxPayloadSize") or _DEFAULT_PAYLOAD) // BYTES_PER_OPERATION
    return max(1, min(int(bulk.get("maxOperations") or 1), by_payload, MAX_BATCH))


def chunks(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    """``items`` cut into lists of at most ``size``."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def send(
    client: SCIMClient, operations: list[BulkOperation], *, fail_on_errors: int | None = None
) -> list[tuple[BulkOperation, BulkOperation]]:
    """One /Bulk request: each operation sent, with the server's result for it."""
    answer = client.bulk(operations, fail_on_errors=fail_on_errors).resource
    return list(zip(operations, answer.operations, strict=False))


def location_id(result: BulkOperation) -> str | None:
    """The new resource's id: the last segment of the result's ``location`` (RFC 7644 §3.7.3)."""
    if not result.location:
        return None
    return str(result.location).rstrip("/").rsplit("/", 1)[-1]


def detail(result: BulkOperation) -> str:
    """The ``detail`` of a failed operation's SCIM error, or ``""``."""
    response = result.response
    return str(response.get("detail") or "") if isinstance(response, dict) else ""
