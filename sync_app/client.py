"""The SCIM 2.0 client (RFC 7644): Users, Groups, searches, discovery and bulk.

>>> config = ClientConfiguration(server_url="http://127.0.0.1:8000/scim/v2", auth_token="…")
>>> with SCIMClient(config) as client:                        # doctest: +SKIP
...     client.get_users(filter=Filter(filter='userName eq "mscott"'))
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import requests
import scim2_models

from sync_app.config import ClientConfiguration
from sync_app.errors import ValidationError
from sync_app.filter import Filter
from sync_app.response import SCIMResponse
from sync_app.scim.group import Group
from sync_app.scim.messages import BulkOperation, BulkRequest, BulkResponse, ListResponse
from sync_app.scim.messages.search_request import SearchRequest
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.resource import Resource
from sync_app.scim.user import User
from sync_app.transport import Transport
from sync_app.wirelog import WireLog

__all__ = ["ClientConfiguration", "Filter", "SCIMClient"]

R = TypeVar("R", bound=Resource)
Id = str | uuid.UUID | Resource
Attributes = str | Iterable[str] | None
_SORT_ORDERS = ("ascending", "descending")


def _discovery(model: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda body: model.model_validate(body)


def _discovery_list(model: Any) -> Callable[[dict[str, Any]], ListResponse]:
    def parse(body: dict[str, Any]) -> ListResponse:
        resources = body.get("Resources") or []
        page = ListResponse.from_dict({**body, "Resources": []})
        page.resources = [model.model_validate(r) for r in resources]
        return page

    return parse


class SCIMClient:
    """A SCIM 2.0 client; a context manager owning one ``requests.Session``.

    Pass a ``session`` to send through your own (with adapters mounted, say); the client
    then leaves closing it to you. Every call returns a :class:`SCIMResponse` and raises a
    :class:`~sync_app.errors.SCIMError` subclass on failure. ``wire_log`` keeps the last
    exchanges, with the token redacted.
    """

    def __init__(
        self, config: ClientConfiguration, session: requests.Session | None = None
    ) -> None:
        if not isinstance(config, ClientConfiguration):
            raise ValidationError(
                "SCIMClient needs a ClientConfiguration(server_url=..., auth_token=...), "
                f"not {type(config).__name__}.",
                model="SCIMClient",
                field="config",
            )
        self.config = config
        self._owns_session = session is None
        self.session = session if session is not None else requests.Session()
        self._transport = Transport(config, self.session)

    # -- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:
        """Close the session, if the client created it."""
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<SCIMClient {self.config.base_url}>"

    @property
    def wire_log(self) -> WireLog:
        """The last exchanges with the server (``client.wire_log[-1]`` is the latest)."""
        return self._transport.wire_log

    # -- Users ------------------------------------------------------------------------------

    def create_user(self, user: User) -> SCIMResponse:
        """POST /Users (RFC 7644 §3.3). The server assigns ``id`` and ``meta``."""
        return self._create(User, user)

    def get_user(
        self, id: Id, *, attributes: Attributes = None, excluded_attributes: Attributes = None
    ) -> SCIMResponse:
        """GET /Users/{id} (RFC 7644 §3.4.1)."""
        return self._get(User, id, attributes, excluded_attributes)

    def get_users(
        self,
        filter: Filter | str | None = None,
        *,
        start_index: int | None = None,
        count: int | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
        attributes: Attributes = None,
        excluded_attributes: Attributes = None,
        cursor: str | None = None,
    ) -> SCIMResponse:
        """GET /Users, one page of a query (RFC 7644 §3.4.2); ``.resource`` is a ListResponse.

        ``cursor`` pages with cursors instead of ``start_index`` (RFC 9865 §2): "" for the
        first page, then each page's ``nextCursor``, on a server that announces
        ``pagination.cursor`` in /ServiceProviderConfig."""
        return self._list(
            User,
            filter,
            start_index,
            count,
            sort_by,
            sort_order,
            attributes,
            excluded_attributes,
            cursor,
        )

    def iter_users(
        self,
        filter: Filter | str | None = None,
        *,
        page_size: int | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
        attributes: Attributes = None,
        excluded_attributes: Attributes = None,
    ) -> Iterator[User]:
        """Every User matching ``filter``, fetching page after page (startIndex/count)."""
        return self._iterate(
            User, filter, page_size, sort_by, sort_order, attributes, excluded_attributes
        )

    def update_user(
        self,
        id: Id,
        ops: PatchOp | Operation | Iterable[Operation],
        *,
        if_match: str | bool | None = None,
    ) -> SCIMResponse:
        """PATCH /Users/{id} (RFC 7644 §3.5.2); answers the updated User, even after a 204."""
        return self._patch(User, id, ops, if_match)

    def replace_user(
        self, user: User, *, id: Id | None = None, if_match: str | bool | None = None
    ) -> SCIMResponse:
        """PUT /Users/{id} (RFC 7644 §3.5.1): the User becomes exactly ``user``.

        ``id`` defaults to ``user.user_id``; ``if_match=True`` sends ``user.meta.version``.
        """
        return self._replace(User, user, id, if_match)

    def delete_user(self, id: Id, *, if_match: str | bool | None = None) -> SCIMResponse:
        """DELETE /Users/{id} (RFC 7644 §3.6)."""
        return self._delete(User, id, if_match)

    # -- Groups -----------------------------------------------------------------------------

    def create_group(self, group: Group) -> SCIMResponse:
        """POST /Groups (RFC 7644 §3.3)."""
        return self._create(Group, group)

    def get_group(
        self, id: Id, *, attributes: Attributes = None, excluded_attributes: Attributes = None
    ) -> SCIMResponse:
        """GET /Groups/{id} (RFC 7644 §3.4.1)."""
        return self._get(Group, id, attributes, excluded_attributes)

    def get_groups(
        self,
        filter: Filter | str | None = None,
        *,
        start_index: int | None = None,
        count: int | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
        attributes: Attributes = None,
        excluded_attributes: Attributes = None,
        cursor: str | None = None,
    ) -> SCIMResponse:
        """GET /Groups, one page of a query (RFC 7644 §3.4.2); ``cursor`` as for get_users."""
        return self._list(
            Group,
            filter,
            start_index,
            count,
            sort_by,
            sort_order,
            attributes,
            excluded_attributes,
            cursor,
        )

    def iter_groups(
        self,
        filter: Filter | str | None = None,
        *,
        page_size: int | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
        attributes: Attributes = None,
        excluded_attributes: Attributes = None,
    ) -> Iterator[Group]:
        """Every Group matching ``filter``, fetching page after page."""
        return self._iterate(
            Group, filter, page_size, sort_by, sort_order, attributes, excluded_attributes
        )

    def update_group(
        self,
        id: Id,
        ops: PatchOp | Operation | Iterable[Operation],
        *,
        if_match: str | bool | None = None,
    ) -> SCIMResponse:
        """PATCH /Groups/{id} (RFC 7644 §3.5.2); answers the updated Group, even after a 204."""
        return self._patch(Group, id, ops, if_match)

    def replace_group(
        self, group: Group, *, id: Id | None = None, if_match: str | bool | None = None
    ) -> SCIMResponse:
        """PUT /Groups/{id} (RFC 7644 §3.5.1)."""
        return self._replace(Group, group, id, if_match)

    def delete_group(self, id: Id, *, if_match: str | bool | None = None) -> SCIMResponse:
        """DELETE /Groups/{id} (RFC 7644 §3.6)."""
        return self._delete(Group, id, if_match)

    # -- search, discovery, bulk ------------------------------------------------------------

    def search(
        self,
        filter: Filter | str | None = None,
        *,
        resource_type: str | None = None,
        start_index: int | None = None,
        count: int | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
        attributes: Attributes = None,
        excluded_attributes: Attributes = None,
    ) -> SCIMResponse:
        """POST /.search, or /Users/.search with ``resource_type="User"`` (RFC 7644 §3.4.3).

        The query travels in the body, keeping filters on personal data out of URLs and logs.
        """
        endpoint = {None: "", "User": "/Users", "Group": "/Groups"}.get(resource_type)
        if endpoint is None:
            raise ValidationError(
                f"search(resource_type=...) must be 'User', 'Group' or None (every type), "
                f"not {resource_type!r}.",
                model="SCIMClient",
                field="resource_type",
            )
        request = SearchRequest(
            attributes=_attribute_list(attributes),
            excludedAttributes=_attribute_list(excluded_attributes),
            filter=_filter_text(filter),
            sortBy=sort_by,
            sortOrder=_sort_order(sort_order),
            startIndex=start_index,
            count=count,
        )
        response, body, exchange = self._transport.request(
            "POST", f"{endpoint}/.search", body=request.to_dict()
        )
        return self._response(response, body, exchange, ListResponse.from_dict)

    def service_provider_config(self) -> SCIMResponse:
        """GET /ServiceProviderConfig (RFC 7644 §4): what the server supports.

        ``.resource`` is a scim2-models ServiceProviderConfig (``.patch.supported``…).
        """
        return self._discover(
            "/ServiceProviderConfig", _discovery(scim2_models.ServiceProviderConfig)
        )

    def resource_types(self) -> SCIMResponse:
        """GET /ResourceTypes (RFC 7644 §4): the endpoints and their schemas."""
        return self._discover("/ResourceTypes", _discovery_list(scim2_models.ResourceType))

    def schemas(self) -> SCIMResponse:
        """GET /Schemas (RFC 7644 §4): every attribute of every resource type."""
        return self._discover("/Schemas", _discovery_list(scim2_models.Schema))

    def bulk(
        self,
        operations: BulkRequest | Iterable[BulkOperation],
        *,
        fail_on_errors: int | None = None,
    ) -> SCIMResponse:
        """POST /Bulk (RFC 7644 §3.7); ``.resource`` is a BulkResponse, one result per operation.

        A bulk answers 200 even when operations fail: check each ``status``.
        """
        if isinstance(operations, BulkRequest):
            request = operations
            if fail_on_errors is not None:
                request.failOnErrors = fail_on_errors
        else:
            request = BulkRequest(operations=list(operations), failOnErrors=fail_on_errors)
        response, body, exchange = self._transport.request("POST", "/Bulk", body=request.to_dict())
        return self._response(response, body, exchange, BulkResponse.from_dict)

    # -- the generic operations -------------------------------------------------------------

    def _response(
        self,
        response: requests.Response,
        body: Any,
        exchange: Any,
        parse: Callable[[Any], Any] | None,
        history: list[SCIMResponse] | None = None,
    ) -> SCIMResponse:
        return SCIMResponse(
            status_code=response.status_code,
            headers=response.headers,
            body=body,
            exchange=exchange,
            parse=parse,
            history=history,
        )

    def _check(self, cls: type[R], resource: Any, verb: str) -> R:
        if not isinstance(resource, cls):
            raise ValidationError(
                f"{verb}_{cls.__name__.lower()}() needs a {cls.__name__}(...), "
                f"not {type(resource).__name__}.",
                model=cls.__name__,
            )
        return resource

    def _create(self, cls: type[R], resource: R) -> SCIMResponse:
        self._check(cls, resource, "create")
        payload = resource.to_scim(scim2_models.Context.RESOURCE_CREATION_REQUEST)
        response, body, exchange = self._transport.request("POST", cls.endpoint, body=payload)
        return self._response(response, body, exchange, cls.from_dict)

    def _get(
        self, cls: type[R], id: Id, attributes: Attributes, excluded_attributes: Attributes
    ) -> SCIMResponse:
        params = _query(attributes=attributes, excluded_attributes=excluded_attributes)
        response, body, exchange = self._transport.request(
            "GET", _resource_path(cls, id), params=params or None
        )
        return self._response(response, body, exchange, cls.from_dict)

    def _list(
        self,
        cls: type[R],
        filter: Filter | str | None,
        start_index: int | None,
        count: int | None,
        sort_by: str | None,
        sort_order: str | None,
        attributes: Attributes,
        excluded_attributes: Attributes,
        cursor: str | None = None,
    ) -> SCIMResponse:
        params = _query(
            filter=filter,
            start_index=start_index,
            count=count,
            sort_by=sort_by,
            sort_order=sort_order,
            attributes=attributes,
            excluded_attributes=excluded_attributes,
        )
        if cursor is not None:
            # RFC 9865 §2: present but empty asks for the first page.
            params["cursor"] = cursor
        response, body, exchange = self._transport.request(
            "GET", cls.endpoint, params=params or None
        )
        return self._response(response, body, exchange, ListResponse.from_dict)

    def _iterate(
        self,
        cls: type[R],
        filter: Filter | str | None,
        page_size: int | None,
        sort_by: str | None,
        sort_order: str | None,
        attributes: Attributes,
        excluded_attributes: Attributes,
    ) -> Iterator[R]:
        size = page_size or self.config.page_size
        if size < 1:
            raise ValidationError(
                "page_size must be at least 1.", model="SCIMClient", field="page_size"
            )
        start, seen = 1, 0
        while True:
            page = self._list(
                cls, filter, start, size, sort_by, sort_order, attributes, excluded_attributes
            ).resource
            yield from page.resources
            seen += len(page.resources)
            # Stop on an empty page too: a server that ignores startIndex must not loop us.
            if not page.resources or page.totalResults is None or seen >= page.totalResults:
                return
            start += len(page.resources)

    def _patch(
        self,
        cls: type[R],
        id: Id,
        ops: PatchOp | Operation | Iterable[Operation],
        if_match: str | bool | None,
    ) -> SCIMResponse:
        patch = ops if isinstance(ops, PatchOp) else PatchOp(operations=ops)  # type: ignore[arg-type]
        if not isinstance(patch, PatchOp):
            raise ValidationError(
                "ops must be a PatchOp(operations=[Operation(op=, path=, value=)]).",
                model="PatchOp",
            )
        if self.config.validate:
            patch.validate_for(cls)
        path = _resource_path(cls, id)
        headers = _if_match(if_match, id)
        response, body, exchange = self._transport.request(
            "PATCH", path, body=patch.to_dict(), headers=headers
        )
        patched = self._response(response, body, exchange, cls.from_dict)
        if body is not None:
            return patched
        # RFC 7644 §3.5.2: a server may answer 204 No Content. The caller asked for the
        # updated resource, so fetch it.
        fetched, fetched_body, fetched_exchange = self._transport.request("GET", path)
        return self._response(
            fetched, fetched_body, fetched_exchange, cls.from_dict, history=[patched]
        )

    def _replace(
        self, cls: type[R], resource: R, id: Id | None, if_match: str | bool | None
    ) -> SCIMResponse:
        self._check(cls, resource, "replace")
        target = id if id is not None else resource.id
        if target is None:
            raise ValidationError(
                f"replace_{cls.__name__.lower()}() needs the id of the {cls.__name__} to "
                f"replace: set {cls.id_field} or pass id=.",
                model=cls.__name__,
                field=cls.id_field,
            )
        payload = resource.to_scim(scim2_models.Context.RESOURCE_REPLACEMENT_REQUEST)
        response, body, exchange = self._transport.request(
            "PUT",
            _resource_path(cls, target),
            body=payload,
            headers=_if_match(if_match, resource),
        )
        return self._response(response, body, exchange, cls.from_dict)

    def _delete(self, cls: type[R], id: Id, if_match: str | bool | None) -> SCIMResponse:
        response, body, exchange = self._transport.request(
            "DELETE", _resource_path(cls, id), headers=_if_match(if_match, id)
        )
        return self._response(response, body, exchange, None)

    def _discover(self, path: str, parse: Callable[[Any], Any]) -> SCIMResponse:
        response, body, exchange = self._transport.request("GET", path)
        return self._response(response, body, exchange, parse)


# -- request helpers -------------------------------------------------------------------------


def _id_text(cls: type[Resource], id: Id) -> str:
    value = id.id if isinstance(id, Resource) else id
    if isinstance(value, uuid.UUID):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            f"A {cls.__name__} id must be a non-empty string (the 'id' the server "
            f"assigned), not {value!r}.",
            model=cls.__name__,
            field=cls.id_field,
        )
    return value


def _resource_path(cls: type[Resource], id: Id) -> str:
    return f"{cls.endpoint}/{quote(_id_text(cls, id), safe='')}"


def _if_match(if_match: str | bool | None, source: Any) -> dict[str, str]:
    """The If-Match header (RFC 7644 §3.14): a given ETag, or ``True`` for the resource's own."""
    if if_match is None or if_match is False:
        return {}
    if if_match is True:
        version = source.version if isinstance(source, Resource) else None
        if not version:
            raise ValidationError(
                "if_match=True needs a resource with meta.version: pass the User or Group "
                "you fetched (not only its id), or give the version as a string.",
                model="SCIMClient",
                field="if_match",
            )
        return {"If-Match": version}
    if not isinstance(if_match, str):
        raise ValidationError(
            f"if_match must be an ETag string such as 'W/\"3\"', or True; not {if_match!r}.",
            model="SCIMClient",
            field="if_match",
        )
    return {"If-Match": if_match}


def _filter_text(filter: Filter | str | None) -> str | None:
    if filter is None:
        return None
    if isinstance(filter, str):
        filter = Filter(filter=filter)
    if not isinstance(filter, Filter):
        raise ValidationError(
            f"filter must be a Filter(filter=...) or a string, not {type(filter).__name__}.",
            model="SCIMClient",
            field="filter",
        )
    return str(filter)


def _attribute_list(attributes: Attributes) -> list[str] | None:
    if attributes is None:
        return None
    if isinstance(attributes, str):
        return [a.strip() for a in attributes.split(",") if a.strip()]
    return list(attributes)


def _sort_order(sort_order: str | None) -> str | None:
    if sort_order is not None and sort_order not in _SORT_ORDERS:
        raise ValidationError(
            f"sort_order must be 'ascending' or 'descending', not {sort_order!r}.",
            model="SCIMClient",
            field="sort_order",
        )
    return sort_order


def _query(
    *,
    filter: Filter | str | None = None,
    start_index: int | None = None,
    count: int | None = None,
    sort_by: str | None = None,
    sort_order: str | None = None,
    attributes: Attributes = None,
    excluded_attributes: Attributes = None,
) -> dict[str, str]:
    """The query parameters of RFC 7644 §3.4.2, named as the RFC names them."""
    for name, value, low in (("start_index", start_index, 1), ("count", count, 0)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < low
        ):
            raise ValidationError(
                f"{name} must be an integer ≥ {low}, not {value!r}.",
                model="SCIMClient",
                field=name,
            )
    params = {
        "filter": _filter_text(filter),
        "startIndex": str(start_index) if start_index is not None else None,
        "count": str(count) if count is not None else None,
        "sortBy": sort_by,
        "sortOrder": _sort_order(sort_order),
        "attributes": ",".join(_attribute_list(attributes) or []) or None,
        "excludedAttributes": ",".join(_attribute_list(excluded_attributes) or []) or None,
    }
    return {k: v for k, v in params.items() if v is not None}
