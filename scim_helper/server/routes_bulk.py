"""``POST /Bulk``: many operations in one request (RFC 7644 §3.7).

This endpoint checks the BulkRequest envelope and the advertised limits (``bulk.maxOperations``,
``bulk.maxPayloadSize``: 413 beyond either, as RFC 7644 §3.7.4 says), lets the store run the
operations (``bulkId`` references, ``failOnErrors``, atomicity), and turns its results into a
BulkResponse with a ``location`` for every resource it touched.
"""

from __future__ import annotations

from typing import Any

from scim2_models import InvalidSyntaxException, InvalidValueException, PayloadTooLargeException
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sync_app.scim.urns import BULK_REQUEST, BULK_RESPONSE

from .bulk import run_bulk
from .limits import Limits, read_json
from .responses import ScimJSONResponse, base_url, location
from .routes import store_of, tenant_of


def _operations(body: dict[str, Any], limits: Limits) -> list[dict[str, Any]]:
    schemas = body.get("schemas")
    if not isinstance(schemas, list) or BULK_REQUEST not in schemas:
        raise InvalidSyntaxException(detail=f'A Bulk body must have "schemas": ["{BULK_REQUEST}"].')
    operations = body.get("Operations")
    if not isinstance(operations, list):
        raise InvalidSyntaxException(
            detail='A Bulk body must have "Operations": a list of operations.'
        )
    if len(operations) > limits.max_operations:
        raise PayloadTooLargeException(
            detail=f"This Bulk request has {len(operations)} operations; the server accepts at "
            f"most {limits.max_operations} (bulk.maxOperations in /ServiceProviderConfig). "
            "Split it into smaller requests."
        )
    if not all(isinstance(operation, dict) for operation in operations):
        raise InvalidSyntaxException(
            detail='Each Bulk operation must be an object like {"method": "POST", ...}.'
        )
    return operations


def _fail_on_errors(body: dict[str, Any]) -> int | None:
    value = body.get("failOnErrors")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValueException(
            detail=f"failOnErrors must be a positive integer; got {value!r}."
        )
    return value


def _result(result: dict[str, Any], base: str) -> dict[str, Any]:
    operation: dict[str, Any] = {"method": result.get("method")}
    if result.get("bulkId") is not None:
        operation["bulkId"] = result["bulkId"]
    if result.get("version"):
        operation["version"] = result["version"]
    if result.get("id") and result.get("resourceType"):
        operation["location"] = location(base, result["resourceType"], result["id"])
    operation["status"] = str(result.get("status"))
    if result.get("error"):
        operation["response"] = result["error"]
    return operation


async def bulk(request: Request) -> Response:
    """POST /Bulk: run a BulkRequest, answer a BulkResponse (RFC 7644 §3.7.3)."""
    limits: Limits = request.app.state.limits
    body = await read_json(request, limits)
    operations = _operations(body, limits)
    fail_on_errors = _fail_on_errors(body)
    store, tenant = store_of(request), tenant_of(request)
    results = await run_in_threadpool(run_bulk, store, tenant, operations, fail_on_errors)
    base = base_url(request)
    return ScimJSONResponse(
        {"schemas": [BULK_RESPONSE], "Operations": [_result(r, base) for r in results]}
    )


routes = [Route("/Bulk", bulk, methods=["POST"])]
