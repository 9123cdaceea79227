"""Resource endpoints: ``/Users``, ``/Groups``, their ``/.search``, and queries at the root
(``GET /``, ``POST /.search``) that span both (RFC 7644 §3). ``/Me`` answers 501 (§3.11).

Each endpoint reads the request (body, query, ``If-Match``), calls the store with the tenant of
the bearer token, and shapes the answer: links, ``attributes``/``excludedAttributes``, ``ETag``
and ``Location`` headers. Validation of the resources themselves belongs to the store.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from scim2_models import InvalidSyntaxException, InvalidValueException, NotImplementedException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sync_app.scim.urns import LIST_RESPONSE, PATCH_OP, SEARCH_REQUEST

from .errors import MethodNotAllowed
from .filters import equalities_only
from .limits import Limits, page, parse_int, read_json
from .projection import Projection, projection, split_names
from .resources import TYPES, ResourceType
from .responses import ScimJSONResponse, add_links, base_url

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store


P = ParamSpec("P")
T = TypeVar("T")

# The threads that run the store's calls, as many as anyio's default for Starlette's
# run_in_threadpool (40). asyncio's own executor hand-off costs about half of anyio's (its
# queue, condition variable and capacity limiter): still 10-20% of a short request's CPU
# (bench/RESULTS.md, "Rooms"), which is why reads of one User skip it (read_one_user).
_WORKERS = ThreadPoolExecutor(40, thread_name_prefix="scim-store")


def _new_workers() -> None:
    """A forked child has none of its parent's threads, but the parent's executor believes its
    idle ones are there and queues work for them forever: the child gets an executor of its own."""
    global _WORKERS
    _WORKERS = ThreadPoolExecutor(40, thread_name_prefix="scim-store")


if hasattr(os, "register_at_fork"):  # POSIX only: Windows has no fork
    os.register_at_fork(after_in_child=_new_workers)


async def in_thread(func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``func(*args, **kwargs)`` in a worker thread, awaited from the event loop."""
    call = functools.partial(func, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_WORKERS, call)


def store_of(request: Request) -> Store:
    """The store the app serves (see :func:`.app.create_app`)."""
    store: Store = request.app.state.store
    return store


def tenant_of(request: Request) -> str:
    """The tenant of the request's bearer token (set by :class:`.auth.BearerAuth`)."""
    tenant: str = request.state.tenant
    return tenant


# A write whose body is at most this size runs on the event loop (on PostgreSQL, see
# _write_inline): a User, or a Group with a few hundred members. A bigger one (a Group of
# thousands, sent whole) goes to a worker thread.
INLINE_BODY_BYTES = 64 * 1024
# A search whose page holds at most this many resources runs on the event loop.
INLINE_PAGE = 50


async def run_store(inline: bool, func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``func(*args, **kwargs)``: on the event loop itself when ``inline``, else in a worker thread.

    Why inline at all: in a room, a request arrives at an idle server, and every thread it
    wakes costs CPU however little it does. A store call handed to a worker thread wakes the
    thread, then the loop again for the answer, and the two contend for the GIL: a search
    with a page of ten users cost 950 µs of the server's CPU that way and 510 µs inline, a
    PATCH 1,370 µs against 1,250 (2 ms between requests, as in a room; bench/RESULTS.md,
    session 7). Inline, the loop waits for the database itself, so only calls that cannot
    wait long run there; everything that can (a write on SQLite, which waits for the
    database's one write lock; a Bulk request; a big page) keeps the thread.
    """
    if inline:
        return func(*args, **kwargs)
    return await in_thread(func, *args, **kwargs)


def _write_inline(request: Request) -> bool:
    """Whether a write of one resource runs on the event loop: on PostgreSQL, where a writer
    waits only for the rows it writes (in a room, another learner never holds them), with a
    body of at most :data:`INLINE_BODY_BYTES` (declared by Content-Length)."""
    if not store_of(request).row_locks:
        return False
    if request.method == "DELETE":
        return True
    declared = request.headers.get("content-length", "")
    return declared.isdigit() and int(declared) <= INLINE_BODY_BYTES


async def read_one_user(request: Request, resource_id: str) -> dict[str, Any]:
    """``GET /Users/{id}``'s store read, on the event loop itself (see :func:`run_store`):
    a User read by id is bounded (one indexed row with its groups, one statement), and a
    reader never waits for a writer (SQLite in WAL mode; PostgreSQL's snapshots, in
    autocommit: one round trip)."""
    store = store_of(request)
    return store.get(tenant_of(request), "User", resource_id, inline=True)


def _limits(request: Request) -> Limits:
    return request.app.state.limits


def _projection(request: Request, resource_type: str) -> Projection:
    query = request.query_params
    return projection(
        resource_type,
        tuple(split_names(query.get("attributes"))),
        tuple(split_names(query.get("excludedAttributes"))),
    )


def _with_members(request: Request, rt: ResourceType) -> bool:
    """Whether the response shows a Group's members; if not, the store does not read them
    (``excludedAttributes=members``: a 5,000-member group then costs what a small one does)."""
    return rt.name != "Group" or _projection(request, rt.name).returns("members")


def _respond(
    request: Request, document: dict[str, Any], *, status_code: int = 200
) -> ScimJSONResponse:
    """One resource, with its links, the attributes asked for, and its ETag (and Location)."""
    add_links(document, base_url(request))
    meta = document.get("meta") or {}
    headers = {}
    if meta.get("version"):
        headers["ETag"] = meta["version"]
    if status_code == 201 and meta.get("location"):
        headers["Location"] = meta["location"]
    body = _projection(request, meta.get("resourceType") or "User").apply(document)
    return ScimJSONResponse(body, status_code=status_code, headers=headers)


def _etag_matches(header: str, version: str) -> bool:
    """Weak comparison of an ``If-None-Match`` list with a version (RFC 7232 §3.2)."""

    def opaque(tag: str) -> str:
        tag = tag.strip()
        return tag[2:] if tag[:2].upper() == "W/" else tag

    tags = [tag for tag in header.split(",") if tag.strip()]
    return any(tag.strip() == "*" or opaque(tag) == opaque(version) for tag in tags)


def _if_match(request: Request) -> str | None:
    value = request.headers.get("if-match")
    return value.strip() if value and value.strip() else None


def _reject_search_as_id(resource_id: str) -> None:
    # ``GET /Users/.search`` reaches the item route; it names an endpoint, not a resource.
    if resource_id == ".search":
        raise MethodNotAllowed(
            detail="/.search takes a POST with a SearchRequest body (RFC 7644 §3.4.3).",
            headers={"Allow": "POST"},
        )


# -- Queries (RFC 7644 §3.4.2, §3.4.3) ---------------------------------------------------------


def _sort_order(value: Any) -> str:
    if value is None or value == "":
        return "ascending"
    if not isinstance(value, str) or value.lower() not in ("ascending", "descending"):
        raise InvalidValueException(
            detail=f"sortOrder must be 'ascending' or 'descending'; got {value!r}."
        )
    return value.lower()


async def _query(
    request: Request,
    resource_types: list[str],
    *,
    filter: Any,
    sort_by: Any,
    sort_order: Any,
    start_index: int | None,
    count: int | None,
    attributes: list[str],
    excluded: list[str],
    cursor: Any = None,
) -> Response:
    for name, value in (("filter", filter), ("sortBy", sort_by), ("cursor", cursor)):
        if value is not None and not isinstance(value, str):
            raise InvalidValueException(detail=f"{name} must be a string.")
    projections = {
        rtype: projection(rtype, tuple(attributes), tuple(excluded)) for rtype in resource_types
    }
    start, size = page(start_index, count, _limits(request))
    with_members = "Group" not in projections or projections["Group"].returns("members")
    with_groups = "User" not in projections or projections["User"].returns("groups")
    store, tenant = store_of(request), tenant_of(request)
    if cursor is not None:
        return await _query_cursor(
            request,
            resource_types,
            projections,
            filter,
            cursor,
            size,
            with_members,
            with_groups,
            index_asked=start_index is not None,
            sort_by=sort_by,
        )
    run_search = functools.partial(
        store.search,
        tenant,
        resource_types,
        with_members=with_members,
        with_groups=with_groups,
        filter=filter or None,
        sort_by=sort_by or None,
        sort_order=_sort_order(sort_order),
        start_index=start,
        count=size,
    )
    if not sort_by and (size <= INLINE_PAGE or equalities_only(filter)):
        # A small page, or a filter of equalities (userName eq and id eq among them: one
        # indexed row at most): answered on the loop (see run_store).
        # What can read a tenant's rows one by one (co, sw, ew, pr, gt…) or render a big
        # page keeps the thread.
        found = run_search(inline=True)
    else:
        found = await in_thread(run_search)
    total, documents = found
    base = base_url(request)
    resources = []
    for document in documents[:size]:
        add_links(document, base)
        rtype = (document.get("meta") or {}).get("resourceType") or resource_types[0]
        resources.append(projections.get(rtype, projections[resource_types[0]]).apply(document))
    return ScimJSONResponse(
        {
            "schemas": [LIST_RESPONSE],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(resources),
            "Resources": resources,
        }
    )


async def _query_cursor(
    request: Request,
    resource_types: list[str],
    projections: dict[str, Projection],
    filter: str | None,
    cursor: str,
    size: int,
    with_members: bool,
    with_groups: bool,
    *,
    index_asked: bool,
    sort_by: Any,
) -> Response:
    """One page of cursor-based pagination (RFC 9865 §2): ``cursor`` empty for the first."""
    if index_asked:
        # Ours: the two methods name a page differently; one request uses one of them.
        raise InvalidValueException(
            detail="Send either cursor (cursor-based pagination, RFC 9865) or startIndex "
            "(index-based, RFC 7644 §3.4.2.4), not both."
        )
    if sort_by:
        # Ours: a cursor here is a position in the default order (by creation).
        raise InvalidValueException(
            detail="This server pages with a cursor only in its default order: leave sortBy "
            "out, or page with startIndex and count to sort."
        )
    store, tenant = store_of(request), tenant_of(request)
    total, documents, following = await in_thread(
        functools.partial(
            store.search_after,
            tenant,
            resource_types,
            filter=filter or None,
            cursor=cursor,
            count=size,
            with_members=with_members,
            with_groups=with_groups,
        )
    )
    base = base_url(request)
    resources = []
    for document in documents:
        add_links(document, base)
        rtype = (document.get("meta") or {}).get("resourceType") or resource_types[0]
        resources.append(projections.get(rtype, projections[resource_types[0]]).apply(document))
    body: dict[str, Any] = {"schemas": [LIST_RESPONSE]}
    if total is not None:
        body["totalResults"] = total
    body["itemsPerPage"] = len(resources)
    if following is not None:
        body["nextCursor"] = following
    body["Resources"] = resources
    return ScimJSONResponse(body)


async def list_resources(rt: ResourceType, request: Request) -> Response:
    """GET /Users?filter=...: one page of a query (RFC 7644 §3.4.2)."""
    query = request.query_params
    return await _query(
        request,
        [rt.name],
        filter=query.get("filter"),
        sort_by=query.get("sortBy"),
        sort_order=query.get("sortOrder"),
        start_index=parse_int(query.get("startIndex"), "startIndex"),
        count=parse_int(query.get("count"), "count"),
        attributes=split_names(query.get("attributes")),
        excluded=split_names(query.get("excludedAttributes")),
        cursor=query.get("cursor"),
    )


async def query_root(types: list[ResourceType], request: Request) -> Response:
    """GET /?filter=...: a query at the service provider root, over every resource type
    (RFC 7644 §3.4.2.1); each resource says its type in ``meta.resourceType``."""
    query = request.query_params
    return await _query(
        request,
        [rt.name for rt in types],
        filter=query.get("filter"),
        sort_by=query.get("sortBy"),
        sort_order=query.get("sortOrder"),
        start_index=parse_int(query.get("startIndex"), "startIndex"),
        count=parse_int(query.get("count"), "count"),
        attributes=split_names(query.get("attributes")),
        excluded=split_names(query.get("excludedAttributes")),
        cursor=query.get("cursor"),
    )


query_everything = functools.partial(query_root, list(TYPES.values()))


async def me(request: Request) -> Response:
    """Every method on /Me and below: 501, as RFC 7644 §3.11 asks of a service provider
    that does not support the alias."""
    raise NotImplementedException(
        detail="This server does not support /Me: it does not map a bearer token to a User. "
        'Use /Users/{id} (find the id with a filter such as userName eq "...").'
    )


def _search_int(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValueException(
            detail=f'{name} must be an integer, like "{name}": 10; got {value!r}.'
        )
    return value


async def search(types: list[ResourceType], request: Request) -> Response:
    """POST /.search with a SearchRequest (RFC 7644 §3.4.3)."""
    body = await read_json(request, _limits(request))
    schemas = body.get("schemas")
    if not isinstance(schemas, list) or SEARCH_REQUEST not in schemas:
        raise InvalidSyntaxException(
            detail=f'A search body must have "schemas": ["{SEARCH_REQUEST}"].'
        )
    return await _query(
        request,
        [rt.name for rt in types],
        filter=body.get("filter"),
        sort_by=body.get("sortBy"),
        sort_order=body.get("sortOrder"),
        start_index=_search_int(body, "startIndex"),
        count=_search_int(body, "count"),
        attributes=split_names(body.get("attributes")),
        excluded=split_names(body.get("excludedAttributes")),
        cursor=body.get("cursor"),
    )


# -- One resource (RFC 7644 §3.3, §3.4.1, §3.5, §3.6) ----------------------------------------


async def create(rt: ResourceType, request: Request) -> Response:
    """POST /Users: create a resource, 201 with its Location (RFC 7644 §3.3)."""
    with_members = _with_members(request, rt)  # refuses bad attributes before any write
    body = await read_json(request, _limits(request))
    document = await run_store(
        _write_inline(request),
        store_of(request).create,
        tenant_of(request),
        rt.name,
        body,
        with_members=with_members,
    )
    return _respond(request, document, status_code=201)


async def get(rt: ResourceType, request: Request) -> Response:
    """GET /Users/{id}, or 304 when ``If-None-Match`` names the current version."""
    resource_id = request.path_params["id"]
    _reject_search_as_id(resource_id)
    if rt.name == "User":
        document = await read_one_user(request, resource_id)
    else:
        document = await in_thread(
            store_of(request).get,
            tenant_of(request),
            rt.name,
            resource_id,
            with_members=_with_members(request, rt),
        )
    version = (document.get("meta") or {}).get("version")
    none_match = request.headers.get("if-none-match")
    if version and none_match and _etag_matches(none_match, version):
        return Response(status_code=304, headers={"ETag": version})
    return _respond(request, document)


async def replace(rt: ResourceType, request: Request) -> Response:
    """PUT /Users/{id}: replace the resource (RFC 7644 §3.5.1)."""
    resource_id = request.path_params["id"]
    _reject_search_as_id(resource_id)
    with_members = _with_members(request, rt)
    body = await read_json(request, _limits(request))
    document = await run_store(
        _write_inline(request),
        store_of(request).replace,
        tenant_of(request),
        rt.name,
        resource_id,
        body,
        if_match=_if_match(request),
        with_members=with_members,
    )
    return _respond(request, document)


async def patch(rt: ResourceType, request: Request) -> Response:
    """PATCH /Users/{id}: apply a PatchOp atomically, 200 with the resource (RFC 7644 §3.5.2)."""
    resource_id = request.path_params["id"]
    _reject_search_as_id(resource_id)
    with_members = _with_members(request, rt)
    body = await read_json(request, _limits(request))
    schemas = body.get("schemas")
    if not isinstance(schemas, list) or PATCH_OP not in schemas:
        raise InvalidSyntaxException(detail=f'A PATCH body must have "schemas": ["{PATCH_OP}"].')
    operations = body.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise InvalidSyntaxException(
            detail='A PATCH body must have "Operations": a list of operations.'
        )
    if not all(isinstance(operation, dict) for operation in operations):
        raise InvalidSyntaxException(
            detail='Each PATCH operation must be an object like {"op": "add", ...}.'
        )
    document = await run_store(
        _write_inline(request),
        store_of(request).patch,
        tenant_of(request),
        rt.name,
        resource_id,
        operations,
        if_match=_if_match(request),
        with_members=with_members,
    )
    return _respond(request, document)


async def delete(rt: ResourceType, request: Request) -> Response:
    """DELETE /Users/{id}: 204 No Content (RFC 7644 §3.6)."""
    resource_id = request.path_params["id"]
    _reject_search_as_id(resource_id)
    await run_store(
        _write_inline(request),
        store_of(request).delete,
        tenant_of(request),
        rt.name,
        resource_id,
        if_match=_if_match(request),
    )
    return Response(status_code=204)


async def item(rt: ResourceType, request: Request) -> Response:
    handler = {"GET": get, "HEAD": get, "PUT": replace, "PATCH": patch, "DELETE": delete}
    return await handler[request.method](rt, request)


async def collection(rt: ResourceType, request: Request) -> Response:
    if request.method == "POST":
        return await create(rt, request)
    return await list_resources(rt, request)


_EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _routes() -> list[Route]:
    table = [
        Route("/", query_everything, methods=["GET"]),
        Route("/.search", functools.partial(search, list(TYPES.values())), methods=["POST"]),
        Route("/Me", me, methods=_EVERY_METHOD),
        Route("/Me/{rest:path}", me, methods=_EVERY_METHOD),
    ]
    for rt in TYPES.values():
        table += [
            Route(rt.endpoint, functools.partial(collection, rt), methods=["GET", "POST"]),
            Route(f"{rt.endpoint}/.search", functools.partial(search, [rt]), methods=["POST"]),
            Route(
                rt.endpoint + "/{id}",
                functools.partial(item, rt),
                methods=["GET", "PUT", "PATCH", "DELETE"],
            ),
        ]
    return table


routes = _routes()
