"""A small in-memory SCIM service provider, correct by default, with deviations to plant.

Each name in :data:`DEVIATIONS` switches on one way real apps break under Entra ID or Okta
(issue 14, "Why"). It is small on purpose: users and groups, ``eq``/``and`` filters, paging,
``excludedAttributes``, PATCH (paths, value filters, path-less values), PUT and DELETE.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

DEVIATIONS = {
    "404_for_no_match": "answers a filter matching nobody with 404",
    "case_sensitive_op": 'accepts only lower-case PATCH ops, so "Replace" is refused',
    "strict_booleans": 'refuses the string "False" for active',
    "no_dotted_keys": "refuses a path-less replace whose keys are attribute paths",
    "no_value_list_remove": "refuses a member remove that carries a value list",
    "string_paging": "sends totalResults, startIndex and itemsPerPage as strings",
    "no_conflict": "creates a second user with the same userName instead of answering 409",
    "hide_inactive": "leaves inactive users out of filter results",
    "no_excluded_attributes": "refuses excludedAttributes=members with 400",
    "no_filter_remove": 'refuses a member remove by path members[value eq "…"]',
    "case_sensitive_username": "matches userName case-sensitively",
    "empty_create_body": "answers POST with 201 and an empty body",
    "no_pathless_patch": "refuses a PATCH operation without a path",
}

_FILTER = re.compile(r'^\s*([\w.:]+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)
_MEMBER_FILTER = re.compile(r'^members\[value eq "([^"]+)"\]$', re.IGNORECASE)
_EMAIL_PATH = re.compile(r'^emails\[type eq "(\w+)"\]\.value$', re.IGNORECASE)


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        self.status, self.detail, self.scim_type = status, detail, scim_type


def _error(exc: ScimError) -> JSONResponse:
    body: dict[str, Any] = {"schemas": [ERROR], "status": str(exc.status), "detail": exc.detail}
    if exc.scim_type:
        body["scimType"] = exc.scim_type
    return JSONResponse(body, status_code=exc.status, media_type="application/scim+json")


def make_app(*deviations: str, token: str = "toy-token") -> Starlette:
    """The provider; ``deviations`` names keys of :data:`DEVIATIONS` to plant."""
    unknown = set(deviations) - set(DEVIATIONS)
    assert not unknown, unknown
    planted = set(deviations)
    store: dict[str, dict[str, dict[str, Any]]] = {"Users": {}, "Groups": {}}

    def scim(body: Any, status: int = 200) -> Response:
        return JSONResponse(body, status_code=status, media_type="application/scim+json")

    def matches(resource: dict[str, Any], attribute: str, value: str) -> bool:
        got: Any = resource
        for part in attribute.split("."):
            got = got.get(part) if isinstance(got, dict) else None
        if attribute.lower() == "username" and "case_sensitive_username" not in planted:
            return isinstance(got, str) and got.lower() == value.lower()
        return got == value

    def select(kind: str, expression: str | None) -> list[dict[str, Any]]:
        found = list(store[kind].values())
        if expression:
            for clause in re.split(r"\s+and\s+", expression, flags=re.IGNORECASE):
                match = _FILTER.match(clause)
                if not match:
                    raise ScimError(400, f"Cannot read the filter {clause!r}.", "invalidFilter")
                attribute, value = match.group(1), json.loads(f'"{match.group(2)}"')
                found = [r for r in found if matches(r, attribute, value)]
        if kind == "Users" and expression and "hide_inactive" in planted:
            found = [r for r in found if r.get("active") is not False]
        return found

    def shown(resource: dict[str, Any], request: Request) -> dict[str, Any]:
        excluded = request.query_params.get("excludedAttributes", "")
        if excluded and "no_excluded_attributes" in planted:
            raise ScimError(400, "excludedAttributes is not supported.", "invalidValue")
        drop = {name.strip().lower() for name in excluded.split(",") if name.strip()}
        return {k: v for k, v in resource.items() if k.lower() not in drop}

    async def listing(request: Request) -> Response:
        kind = request.url.path.strip("/")
        if request.query_params.get("excludedAttributes") and "no_excluded_attributes" in planted:
            raise ScimError(400, "excludedAttributes is not supported.", "invalidValue")
        found = select(kind, request.query_params.get("filter"))
        if not found and request.query_params.get("filter") and "404_for_no_match" in planted:
            raise ScimError(404, "No resource matches the filter.")
        start = max(int(request.query_params.get("startIndex", "1")), 1)
        count = int(request.query_params.get("count", "100"))
        page = found[start - 1 : start - 1 + count]
        numbers: dict[str, Any] = {
            "totalResults": len(found),
            "startIndex": start,
            "itemsPerPage": len(page),
        }
        if "string_paging" in planted:
            numbers = {key: str(value) for key, value in numbers.items()}
        return scim({"schemas": [LIST], **numbers, "Resources": [shown(r, request) for r in page]})

    def boolean(value: Any) -> Any:
        if isinstance(value, str) and value.lower() in ("true", "false"):
            if "strict_booleans" in planted:
                raise ScimError(400, f"active must be a boolean, not {value!r}.", "invalidValue")
            return value.lower() == "true"
        return value

    def set_path(resource: dict[str, Any], path: str, value: Any) -> None:
        head, _, rest = path.partition(".")
        if rest:
            resource.setdefault(head, {})[rest] = value
        else:
            resource[head] = boolean(value) if head == "active" else value

    def apply(resource: dict[str, Any], operation: dict[str, Any]) -> None:
        op = operation.get("op", "")
        if "case_sensitive_op" in planted and op != op.lower():
            raise ScimError(400, f"Unknown op {op!r}.", "invalidSyntax")
        op, path, value = op.lower(), operation.get("path"), operation.get("value")
        if path is None:
            if "no_pathless_patch" in planted:
                raise ScimError(400, "A path is required.", "noTarget")
            for key, item in (value or {}).items():
                key = key.rsplit(":", 1)[-1] if key.startswith("urn:") else key
                if "." in key and "no_dotted_keys" in planted:
                    raise ScimError(400, f"Unknown attribute {key!r}.", "invalidPath")
                if key != "id":
                    set_path(resource, key, item)
            return
        if email := _EMAIL_PATH.match(path):
            for entry in resource.get("emails", []):
                if entry.get("type") == email.group(1):
                    entry["value"] = value
            return
        if member := _MEMBER_FILTER.match(path):
            if "no_filter_remove" in planted:
                raise ScimError(400, f"Unsupported path {path!r}.", "invalidPath")
            gone = member.group(1)
            resource["members"] = [m for m in resource.get("members", []) if m["value"] != gone]
            return
        if path == "members":
            current = resource.setdefault("members", [])
            values = [m["value"] for m in value or []]
            if op == "add":
                current += [{"value": v} for v in values if v not in [m["value"] for m in current]]
            elif op == "remove":
                if value and "no_value_list_remove" in planted:
                    raise ScimError(400, "remove carries no value.", "invalidValue")
                resource["members"] = [m for m in current if m["value"] not in values]
            else:
                resource["members"] = [{"value": v} for v in values]
            return
        set_path(resource, path, value)

    async def create(request: Request) -> Response:
        kind = request.url.path.strip("/")
        body = await request.json()
        duplicate = f"userName eq {json.dumps(body.get('userName', ''))}"
        if kind == "Users" and "no_conflict" not in planted and select("Users", duplicate):
            raise ScimError(409, "A user with this userName exists.", "uniqueness")
        body.pop("password", None)
        body.pop("groups", None)
        resource = {**body, "id": uuid.uuid4().hex}
        if kind == "Groups":
            resource["members"] = [{"value": m["value"]} for m in body.get("members") or []]
        store[kind][resource["id"]] = resource
        if "empty_create_body" in planted:
            return Response(status_code=201)
        return scim(resource, 201)

    def find(request: Request) -> tuple[str, dict[str, Any]]:
        kind, rid = request.url.path.strip("/").split("/")
        if rid not in store[kind]:
            raise ScimError(404, f"No {kind[:-1]} with id {rid}.")
        return kind, store[kind][rid]

    async def read(request: Request) -> Response:
        return scim(shown(find(request)[1], request))

    async def replace(request: Request) -> Response:
        kind, resource = find(request)
        body = await request.json()
        body.pop("meta", None)
        store[kind][resource["id"]] = {**body, "id": resource["id"]}
        return scim(store[kind][resource["id"]])

    async def update(request: Request) -> Response:
        _, resource = find(request)
        for operation in (await request.json()).get("Operations", []):
            apply(resource, operation)
        return scim(resource)

    async def delete(request: Request) -> Response:
        kind, resource = find(request)
        del store[kind][resource["id"]]
        return Response(status_code=204)

    async def guard(request: Request, call_next: Any) -> Response:
        if request.headers.get("authorization") != f"Bearer {token}":
            return _error(ScimError(401, "A bearer token is required."))
        response: Response = await call_next(request)
        return response

    async def handle(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ScimError)
        return _error(exc)

    routes = [Route(f"/{kind}", listing, methods=["GET"]) for kind in ("Users", "Groups")] + [
        Route(f"/{kind}", create, methods=["POST"]) for kind in ("Users", "Groups")
    ]
    for kind in ("Users", "Groups"):
        routes += [
            Route(f"/{kind}/{{rid}}", read, methods=["GET"]),
            Route(f"/{kind}/{{rid}}", replace, methods=["PUT"]),
            Route(f"/{kind}/{{rid}}", update, methods=["PATCH"]),
            Route(f"/{kind}/{{rid}}", delete, methods=["DELETE"]),
        ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=guard)],
        exception_handlers={ScimError: handle},
    )
    app.state.store = store
    return app


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yield its base URL."""
    # IPPROTO_TCP, so that asyncio sets TCP_NODELAY on each connection (no 40 ms stalls)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_config=None, log_level="warning", lifespan="off", http="h11")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the toy server did not start"
        time.sleep(0.005)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
