"""Discovery (RFC 7644 §4): ``/ServiceProviderConfig``, ``/ResourceTypes`` and ``/Schemas``.

The schema definitions are generated from ``scim2-models`` (RFC 7643 §8.7), so the server
describes exactly the attributes the course's client models know. What the configuration says
(limits, sort, ETags, PATCH, Bulk) is what the server does: ``limits.py`` enforces the numbers.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from scim2_models import ForbiddenException, NotFoundException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sync_app.scim.urns import (
    ENTERPRISE_USER,
    LIST_RESPONSE,
    RESOURCE_TYPE,
    SERVICE_PROVIDER_CONFIG,
)

from .limits import Limits
from .resources import TYPES, ResourceType
from .responses import MEDIA_TYPE, ScimJSONResponse, base_url
from .store.cursors import CURSOR_TIMEOUT


@functools.cache
def schema_definitions() -> dict[str, dict[str, Any]]:
    """The schema of every resource and extension, by URN (without ``meta``)."""
    definitions: dict[str, dict[str, Any]] = {}
    for rt in TYPES.values():
        for schema in (rt.core, *rt.extensions.values()):
            document = copy.deepcopy(schema.definition)
            document["description"] = schema.description
            definitions[schema.urn] = document
    # The server fills manager.$ref from manager.value; clients (Entra ID, Okta) send only the
    # value, and RFC 7643 §8.7.2 does not require $ref.
    _sub_attribute(definitions[ENTERPRISE_USER], "manager", "$ref")["required"] = False
    return definitions


def _sub_attribute(schema: dict[str, Any], name: str, sub_name: str) -> dict[str, Any]:
    attribute = next(a for a in schema["attributes"] if a["name"] == name)
    return next(s for s in attribute["subAttributes"] if s["name"] == sub_name)


def _schema_document(urn: str, base: str) -> dict[str, Any]:
    document = copy.deepcopy(schema_definitions()[urn])
    document["meta"] = {"resourceType": "Schema", "location": f"{base}/Schemas/{urn}"}
    return document


def _resource_type_document(rt: ResourceType, base: str) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schemas": [RESOURCE_TYPE],
        "id": rt.name,
        "name": rt.name,
        "endpoint": rt.endpoint,
        "description": rt.description,
        "schema": rt.core.urn,
    }
    if rt.extensions:
        document["schemaExtensions"] = [
            {"schema": ext.urn, "required": False} for ext in rt.extensions.values()
        ]
    document["meta"] = {
        "resourceType": "ResourceType",
        "location": f"{base}/ResourceTypes/{rt.name}",
    }
    return document


def service_provider_config(base: str, limits: Limits) -> dict[str, Any]:
    """What this server supports (RFC 7643 §5), with the limits it enforces."""
    return {
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "documentationUri": "https://www.rfc-editor.org/rfc/rfc7644",
        "patch": {"supported": True},
        "bulk": {
            "supported": True,
            "maxOperations": limits.max_operations,
            "maxPayloadSize": limits.max_payload_size,
        },
        "filter": {"supported": True, "maxResults": limits.max_results},
        # RFC 9865 §4: both methods; index stays the default, so a client that knows only
        # RFC 7644 §3.4.2.4 (startIndex/count) sees no change.
        "pagination": {
            "cursor": True,
            "index": True,
            "defaultPaginationMethod": "index",
            "defaultPageSize": limits.max_results,
            "maxPageSize": limits.max_results,
            "cursorTimeout": CURSOR_TIMEOUT,
        },
        "changePassword": {"supported": False},
        "sort": {"supported": True},
        "etag": {"supported": True},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": (
                    "Send 'Authorization: Bearer <token>'. Each token belongs to one tenant; "
                    "'scim-course token' mints a new one."
                ),
                "specUri": "https://www.rfc-editor.org/rfc/rfc6750",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{base}/ServiceProviderConfig",
        },
    }


def _list(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": len(resources),
        "startIndex": 1,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def _refuse_filter(request: Request) -> None:
    # RFC 7644 §4: a filter here SHOULD be refused, so that no client believes it was applied.
    if "filter" in request.query_params:
        raise ForbiddenException(
            detail="Discovery endpoints cannot be filtered (RFC 7644 §4); ask without 'filter'."
        )


async def get_service_provider_config(request: Request) -> Response:
    limits: Limits = request.app.state.limits
    return ScimJSONResponse(service_provider_config(base_url(request), limits))


@functools.lru_cache(maxsize=64)
def _rendered_list(endpoint: str, base: str) -> bytes:
    """The body of GET /Schemas or /ResourceTypes for ``base``: the same on every call to
    one server, so rendered once per base URL (every learner of a room reads them first;
    /Schemas took as much CPU as three GETs of a User)."""
    if endpoint == "/Schemas":
        documents = [_schema_document(urn, base) for urn in schema_definitions()]
    else:
        documents = [_resource_type_document(rt, base) for rt in TYPES.values()]
    return bytes(ScimJSONResponse(_list(documents)).body)


async def list_resource_types(request: Request) -> Response:
    _refuse_filter(request)
    return Response(_rendered_list("/ResourceTypes", base_url(request)), media_type=MEDIA_TYPE)


async def get_resource_type(request: Request) -> Response:
    name = request.path_params["id"]
    rt = TYPES.get(name)
    if rt is None:
        known = ", ".join(TYPES)
        raise NotFoundException(
            detail=f"There is no resource type '{name}'; this server serves {known}."
        )
    return ScimJSONResponse(_resource_type_document(rt, base_url(request)))


async def list_schemas(request: Request) -> Response:
    _refuse_filter(request)
    return Response(_rendered_list("/Schemas", base_url(request)), media_type=MEDIA_TYPE)


async def get_schema(request: Request) -> Response:
    urn = request.path_params["id"]
    definitions = schema_definitions()
    match = next((known for known in definitions if known.lower() == urn.lower()), None)
    if match is None:
        raise NotFoundException(
            detail=f"There is no schema '{urn}'; GET /Schemas lists the ones this server has."
        )
    return ScimJSONResponse(_schema_document(match, base_url(request)))


routes = [
    Route("/ServiceProviderConfig", get_service_provider_config, methods=["GET"]),
    Route("/ResourceTypes", list_resource_types, methods=["GET"]),
    Route("/ResourceTypes/{id}", get_resource_type, methods=["GET"]),
    Route("/Schemas", list_schemas, methods=["GET"]),
    Route("/Schemas/{id}", get_schema, methods=["GET"]),
]
