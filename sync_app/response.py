"""What every client call returns: the server's answer, raw and typed."""

from __future__ import annotations

import copy
import html
from collections.abc import Callable, Mapping
from typing import Any

from sync_app.errors import SCIMError
from sync_app.wirelog import Exchange

__all__ = ["SCIMResponse"]

_UNSET: Any = object()


class SCIMResponse:
    """One answer of the server.

    ``to_dict()`` is the JSON exactly as received; ``resource`` is the same as a typed
    model (User, Group, ListResponse…); ``status_code``, ``headers`` and ``etag`` are
    the HTTP details. After a PATCH answered ``204 No Content``, the client fetches the
    resource, and ``history`` holds the PATCH answer (as requests does for redirects).
    """

    def __init__(
        self,
        *,
        status_code: int,
        headers: Mapping[str, str],
        body: Any,
        exchange: Exchange,
        parse: Callable[[Any], Any] | None = None,
        history: list[SCIMResponse] | None = None,
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.exchange = exchange
        self.history = history or []
        self._body = body
        self._parse = parse
        self._resource: Any = _UNSET

    @property
    def url(self) -> str:
        return self.exchange.url

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    def to_dict(self) -> dict[str, Any]:
        """The server's JSON body (a copy, so changing it changes nothing here); ``{}`` if none."""
        return copy.deepcopy(self._body) if isinstance(self._body, dict) else {}

    def json(self) -> Any:
        """The server's JSON body itself, not a copy: for reading many pages quickly (copying
        a page of 200 users costs more than parsing it). Change nothing in it."""
        return self._body

    @property
    def resource(self) -> Any:
        """The body as a model: User, Group, ListResponse, BulkResponse…; ``None`` if no body."""
        if self._resource is _UNSET:
            has_body = isinstance(self._body, dict) and self._parse is not None
            self._resource = self._parse(self.to_dict()) if has_body and self._parse else None
        return self._resource

    @property
    def etag(self) -> str | None:
        """The resource's version: the ``ETag`` header, else ``meta.version`` in the body."""
        header = self.headers.get("ETag")
        if header:
            return header
        meta = self._body.get("meta") if isinstance(self._body, dict) else None
        version = meta.get("version") if isinstance(meta, dict) else None
        return version if isinstance(version, str) else None

    @property
    def version(self) -> str | None:
        """Another name for :attr:`etag`, as RFC 7643 calls it (``meta.version``)."""
        return self.etag

    @property
    def location(self) -> str | None:
        """Where the resource lives: the ``Location`` header, else ``meta.location``."""
        meta = self._body.get("meta") if isinstance(self._body, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get("location"), str):
            return str(meta["location"])
        return self.headers.get("Location")

    def _shown(self) -> Any:
        """The resource for display; a display never raises, even on a body we cannot type."""
        if not self._body:
            return None
        try:
            return self.resource
        except SCIMError as exc:
            return f"(body not readable as a model: {exc})"

    def __repr__(self) -> str:
        what = self._shown()
        return f"<SCIMResponse {self.status_code} {'(no body)' if what is None else repr(what)}>"

    def _repr_html_(self) -> str:
        rows: dict[str, str] = {"status": str(self.status_code), "request": repr(self.exchange)}
        if self.etag:
            rows["version"] = self.etag
        resource = self._shown()
        inner = ""
        if resource is not None and hasattr(resource, "_repr_html_"):
            inner = resource._repr_html_()
        elif resource is not None:
            inner = f"<pre>{html.escape(repr(resource))}</pre>"
        head = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in rows.items()
        )
        return f"<table>{head}</table>{inner}"
