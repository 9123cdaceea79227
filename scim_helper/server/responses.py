"""What every SCIM response shares: the media type, the base URL, and the links in a resource.

The store knows nothing of URLs. Here a stored resource gets its ``meta.location`` and the
``$ref`` of each member, group and manager, built from the address the client used.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from sync_app.scim.urns import ENTERPRISE_USER

from .resources import TYPES

MEDIA_TYPE = "application/scim+json"


class ScimJSONResponse(JSONResponse):
    """A JSON body sent as ``application/scim+json`` (RFC 7644 §3.1)."""

    media_type = MEDIA_TYPE


def base_url(request: Request) -> str:
    """The base URL the client used, e.g. ``http://127.0.0.1:8000/scim/v2``."""
    configured: str | None = request.app.state.public_url
    if configured:
        return configured
    # request.url parses and validates the whole URL; a client sends the same Host on every
    # request, so the answer is kept per (scheme, Host, server address).
    scope = request.scope
    host = next((value for name, value in scope["headers"] if name == b"host"), None)
    key = (scope.get("scheme"), host, scope.get("server"), request.app.state.base_path)
    found = _BASE_URLS.get(key)
    if found is None:
        url = request.url
        found = f"{url.scheme}://{url.netloc}{request.app.state.base_path}"
        if len(_BASE_URLS) >= 256:
            _BASE_URLS.clear()
        _BASE_URLS[key] = found
    return found


_BASE_URLS: dict[tuple[Any, ...], str] = {}


def location(base: str, resource_type: str, rid: str) -> str:
    """The URL of one resource (RFC 7644 §3.1)."""
    rt = TYPES.get(resource_type)
    return f"{base}{rt.endpoint if rt else '/' + resource_type + 's'}/{rid}"


def add_links(document: dict[str, Any], base: str) -> dict[str, Any]:
    """``document`` with ``meta.location`` and every ``$ref`` filled in (changed in place)."""
    meta = document.get("meta")
    rtype = meta.get("resourceType") if isinstance(meta, dict) else None
    if isinstance(meta, dict) and rtype and document.get("id"):
        meta["location"] = location(base, rtype, document["id"])
    for member in _items(document.get("members")):
        member_type = member.get("type")
        if member.get("value") and member_type in TYPES:
            member["$ref"] = location(base, member_type, member["value"])
    for group in _items(document.get("groups")):
        if group.get("value"):
            group["$ref"] = location(base, "Group", group["value"])
    enterprise = document.get(ENTERPRISE_USER)
    if isinstance(enterprise, dict):
        manager = enterprise.get("manager")
        if isinstance(manager, dict) and manager.get("value"):
            manager["$ref"] = location(base, "User", manager["value"])
    return document


def _items(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]
