"""A practice SCIM service provider: the plumbing is given, three decisions are yours.

Chapter 9 builds Ryan's website, Dunder Mifflin Infinity, a service provider that Microsoft Entra
ID and Okta provision into. This module is its plumbing: a Starlette app over an in-memory store
(users and groups), served on loopback in a background thread, with routing, paging,
``excludedAttributes``, ids, PUT, DELETE and SCIM Error bodies done. Three functions decide the
rest, and the learner writes them:

- ``search(resources, clauses)``: which resources a filter selects (``clauses`` are the
  ``(attribute, value)`` pairs of ``attr eq "value" and …``);
- ``apply_patch(resource, operations)``: apply a PATCH request's operations to a resource;
- ``check_new_user(users, body)``: refuse a create, by raising :class:`ScimProblem`.

They are looked up at every request, so assigning a new one takes effect at once::

    infinity = PracticeProvider(search=search, apply_patch=apply_patch).start()
    infinity.search = better_search        # no restart
    infinity.validate("okta")               # the same as scim-course validate URL --as okta
"""

from __future__ import annotations

import copy
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scim_helper.server.tenants import new_token
from sync_app.scim.urns import ERROR, LIST_RESPONSE

from .report import Report
from .run import validate as _validate

BASE_PATH = "/scim/v2"

Resource = dict[str, Any]
Search = Callable[[list[Resource], list[tuple[str, str]]], list[Resource]]
ApplyPatch = Callable[[Resource, list[dict[str, Any]]], None]
CheckNewUser = Callable[[list[Resource], Resource], None]

_CLAUSE = re.compile(r'^\s*([\w.:]+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)
_MEMBER = re.compile(r'^members\[value eq "([^"]+)"\]$', re.IGNORECASE)
_TYPED_VALUE = re.compile(r'^(\w+)\[type eq "(\w+)"\]\.(\w+)$', re.IGNORECASE)


class ScimProblem(Exception):
    """Raise it to answer with a SCIM Error (RFC 7644 §3.12): status, scimType, detail."""

    def __init__(self, status: int, scim_type: str | None, detail: str) -> None:
        super().__init__(detail)
        self.status, self.scim_type, self.detail = status, scim_type, detail


# -- helpers the learner's functions may use ---------------------------------------------------


def attribute(resource: Resource, path: str) -> Any:
    """The value at ``path`` (``userName``, ``name.givenName``), or None."""
    value: Any = resource
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def set_attribute(resource: Resource, path: str, value: Any) -> None:
    """Set ``path``: ``title``, ``name.givenName`` or ``emails[type eq "work"].value``."""
    if typed := _TYPED_VALUE.match(path):
        name, kind, sub = typed.groups()
        for item in resource.setdefault(name, []):
            if item.get("type") == kind:
                item[sub] = value
                return
        resource[name].append({"type": kind, sub: value})
        return
    head, _, rest = path.partition(".")
    if rest:
        resource.setdefault(head, {})[rest] = value
    else:
        resource[head] = value


def member_filter(path: str | None) -> str | None:
    """The id in a ``members[value eq "<id>"]`` path, or None for any other path."""
    found = _MEMBER.match(path or "")
    return found.group(1) if found else None


def add_members(group: Resource, ids: list[str]) -> None:
    """Add members by id, once each."""
    members = group.setdefault("members", [])
    for member_id in ids:
        if member_id not in {m["value"] for m in members}:
            members.append({"value": member_id})


def remove_members(group: Resource, ids: list[str]) -> None:
    """Remove the members with these ids; the others stay."""
    group["members"] = [m for m in group.get("members", []) if m["value"] not in ids]


def parse_filter(text: str) -> list[tuple[str, str]]:
    """``userName eq "x" and active eq "y"`` → ``[("userName", "x"), ("active", "y")]``.

    Only ``eq`` joined by ``and``: what Entra ID and Okta send. Anything else is a 400.
    """
    clauses = []
    for part in re.split(r"\s+and\s+", text, flags=re.IGNORECASE):
        found = _CLAUSE.match(part)
        if not found:
            raise ScimProblem(400, "invalidFilter", f"This app reads only eq filters: {part!r}.")
        clauses.append((found.group(1), found.group(2).replace('\\"', '"')))
    return clauses


def _no_search(resources: list[Resource], clauses: list[tuple[str, str]]) -> list[Resource]:
    raise ScimProblem(501, None, "Filtering is not written yet: assign a search function.")


def _no_patch(resource: Resource, operations: list[dict[str, Any]]) -> None:
    raise ScimProblem(501, None, "PATCH is not written yet: assign an apply_patch function.")


def _accept(users: list[Resource], body: Resource) -> None:
    return None


class PracticeProvider:
    """A SCIM service provider in this process, on a loopback port, with its own random token."""

    #: The one most recently started in this process (what a notebook's checks look at).
    latest: PracticeProvider | None = None

    def __init__(
        self,
        search: Search | None = None,
        apply_patch: ApplyPatch | None = None,
        check_new_user: CheckNewUser | None = None,
    ) -> None:
        self.search: Search = search or _no_search
        self.apply_patch: ApplyPatch = apply_patch or _no_patch
        self.check_new_user: CheckNewUser = check_new_user or _accept
        self.token = new_token()
        self.url = ""
        self.store: dict[str, dict[str, Resource]] = {"Users": {}, "Groups": {}}
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        state = f"running at {self.url}" if self._server else "stopped"
        users, groups = len(self.store["Users"]), len(self.store["Groups"])
        return f"<PracticeProvider {state}: {users} user(s), {groups} group(s)>"

    def validate(self, profile: str = "entra") -> Report:
        """Replay ``profile`` against this app (``scim-course validate URL --as PROFILE``).

        The run's names carry the fixed marker ``infinity``, so that a notebook shows the same
        report every time; this app is new in each run, so they cannot clash.
        """
        return _validate(self.url, self.token, profile, progress=False, suffix="infinity")

    # -- HTTP ----------------------------------------------------------------------------------

    def app(self) -> Starlette:
        routes = []
        for kind in ("Users", "Groups"):
            routes += [
                Route(f"{BASE_PATH}/{kind}", self._list, methods=["GET"]),
                Route(f"{BASE_PATH}/{kind}", self._create, methods=["POST"]),
                Route(f"{BASE_PATH}/{kind}/{{rid}}", self._read, methods=["GET"]),
                Route(f"{BASE_PATH}/{kind}/{{rid}}", self._replace, methods=["PUT"]),
                Route(f"{BASE_PATH}/{kind}/{{rid}}", self._patch, methods=["PATCH"]),
                Route(f"{BASE_PATH}/{kind}/{{rid}}", self._delete, methods=["DELETE"]),
            ]
        return Starlette(routes=routes)

    def _guarded(self, request: Request) -> str:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            raise ScimProblem(401, None, "This app needs its bearer token.")
        return request.url.path.removeprefix(BASE_PATH).strip("/").split("/")[0]

    async def _answer(self, request: Request, handler: Callable[..., Any]) -> Response:
        try:
            kind = self._guarded(request)
            body = await request.json() if request.method in ("POST", "PUT", "PATCH") else None
            status, result = handler(request, kind, body)
        except ScimProblem as problem:
            error: Resource = {"schemas": [ERROR], "status": str(problem.status)}
            if problem.scim_type:
                error["scimType"] = problem.scim_type
            error["detail"] = problem.detail
            return JSONResponse(error, problem.status, media_type="application/scim+json")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            error = {"schemas": [ERROR], "status": "400", "detail": f"{type(exc).__name__}: {exc}"}
            return JSONResponse(error, 400, media_type="application/scim+json")
        if result is None:
            return Response(status_code=status)
        return JSONResponse(result, status, media_type="application/scim+json")

    async def _list(self, request: Request) -> Response:
        return await self._answer(request, self._listing)

    async def _create(self, request: Request) -> Response:
        return await self._answer(request, self._creating)

    async def _read(self, request: Request) -> Response:
        return await self._answer(request, lambda r, k, b: (200, self._shown(r, self._find(r, k))))

    async def _replace(self, request: Request) -> Response:
        return await self._answer(request, self._replacing)

    async def _patch(self, request: Request) -> Response:
        return await self._answer(request, self._patching)

    async def _delete(self, request: Request) -> Response:
        return await self._answer(request, self._deleting)

    def _find(self, request: Request, kind: str) -> Resource:
        rid = request.path_params["rid"]
        if rid not in self.store[kind]:
            raise ScimProblem(404, None, f"No {kind[:-1].lower()} has the id {rid}.")
        return self.store[kind][rid]

    def _shown(self, request: Request, resource: Resource) -> Resource:
        excluded = request.query_params.get("excludedAttributes", "")
        drop = {name.strip().lower() for name in excluded.split(",") if name.strip()}
        return {k: v for k, v in copy.deepcopy(resource).items() if k.lower() not in drop}

    def _listing(self, request: Request, kind: str, body: Any) -> tuple[int, Resource]:
        resources = list(self.store[kind].values())
        text = request.query_params.get("filter")
        if text:
            resources = self.search(resources, parse_filter(text))
        start = max(int(request.query_params.get("startIndex", "1")), 1)
        count = max(int(request.query_params.get("count", "100")), 0)
        page = resources[start - 1 : start - 1 + count]
        return 200, {
            "schemas": [LIST_RESPONSE],
            "totalResults": len(resources),
            "startIndex": start,
            "itemsPerPage": len(page),
            "Resources": [self._shown(request, r) for r in page],
        }

    def _creating(self, request: Request, kind: str, body: Resource) -> tuple[int, Resource]:
        if kind == "Users":
            self.check_new_user(list(self.store["Users"].values()), body)
        resource = {k: v for k, v in body.items() if k not in ("password", "groups", "id")}
        resource["id"] = str(uuid.uuid4())
        resource["meta"] = {"resourceType": kind[:-1]}
        if kind == "Groups":
            resource["members"] = [{"value": m["value"]} for m in body.get("members") or []]
        self.store[kind][resource["id"]] = resource
        return 201, copy.deepcopy(resource)

    def _replacing(self, request: Request, kind: str, body: Resource) -> tuple[int, Resource]:
        resource = self._find(request, kind)
        kept = {k: v for k, v in body.items() if k not in ("id", "meta", "password", "groups")}
        resource.clear()
        resource.update(kept, id=request.path_params["rid"], meta={"resourceType": kind[:-1]})
        return 200, copy.deepcopy(resource)

    def _patching(self, request: Request, kind: str, body: Resource) -> tuple[int, Resource]:
        resource = self._find(request, kind)
        changed = copy.deepcopy(resource)
        self.apply_patch(changed, list(body.get("Operations", [])))
        changed["id"] = resource["id"]  # id is the app's, whatever a PATCH says
        resource.clear()
        resource.update(changed)
        return 200, copy.deepcopy(resource)

    def _deleting(self, request: Request, kind: str, body: Any) -> tuple[int, None]:
        resource = self._find(request, kind)
        del self.store[kind][resource["id"]]
        return 204, None

    # -- running ---------------------------------------------------------------------------------

    def start(self) -> PracticeProvider:
        """Serve on a free loopback port in a background thread; returns once it answers."""
        if self._server is not None:
            return self
        # IPPROTO_TCP, so that asyncio sets TCP_NODELAY on each connection (no 40 ms stalls)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        config = uvicorn.Config(
            self.app(), log_config=None, log_level="warning", lifespan="off", http="h11"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="practice-provider", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                sock.close()
                raise RuntimeError("The practice provider did not start.")
            time.sleep(0.005)
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}{BASE_PATH}"
        self._server, self._thread, self._socket = server, thread, sock
        PracticeProvider.latest = self
        return self

    def stop(self) -> None:
        """Stop serving; safe to call twice."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        self.url = ""
        if server is not None and thread is not None:
            server.should_exit = True
            thread.join(timeout=10)
            self._socket.close()

    def __enter__(self) -> PracticeProvider:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
