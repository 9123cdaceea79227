"""course_setup on servers that offer less than ours: no PATCH, no discovery, a strict Bulk.

No server here behaves that way, so :class:`Reshaping` stands in front of the course's own server
(a fresh tenant, real HTTP on loopback) and changes what one kind of request gets back, the way
such a server would answer: a ServiceProviderConfig saying PATCH is not supported (RFC 7643 §5)
and a PATCH answered 501, no ``/ServiceProviderConfig`` at all (404), a Bulk operation refused,
a Bulk result without ``location`` (RFC 7644 §3.7.3 says a POST's result carries one), a filter
refused as too long. Everything else is forwarded untouched, and every request is recorded.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote_plus, urlsplit

import pytest
import requests

from scim_helper.marker import course_external_id
from scim_helper.setup import CourseSetupError, course_setup
from scim_helper.staff import staff
from scim_helper.tenant import Tenant
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.scim.group import Group
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import User
from tests.fixtures.local import TenantLogin

from .test_setup import assert_starting_state

#: (method, path with query, request body, upstream status, upstream body) -> the answer to
#: send instead, as (status, body), or None to pass the upstream answer on unchanged.
Reshape = Callable[[str, str, Any, int, Any], tuple[int, Any] | None]


@dataclass
class Reshaping:
    """An HTTP server on loopback that forwards to ``upstream`` and lets ``reshape`` answer."""

    upstream: str
    reshape: Reshape
    seen: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        parts = urlsplit(self.upstream)
        origin, session, proxy = f"{parts.scheme}://{parts.netloc}", requests.Session(), self
        base = parts.path.rstrip("/")

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                relative = unquote_plus(self.path).removeprefix(base)
                proxy.seen.append((self.command, relative))
                forwarded = ("Authorization", "Content-Type", "Accept", "If-Match")
                upstream = session.request(
                    self.command,
                    origin + self.path,
                    headers={k: v for k in forwarded if (v := self.headers.get(k))},
                    data=raw or None,
                )
                body = upstream.json() if upstream.content else None
                sent = json.loads(raw) if raw else None
                changed = proxy.reshape(self.command, relative, sent, upstream.status_code, body)
                status, data = (upstream.status_code, upstream.content)
                if changed is not None:
                    status, data = changed[0], json.dumps(changed[1]).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/scim+json")
                if location := upstream.headers.get("Location"):
                    self.send_header("Location", location)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}{parts.path}"
        self.session = session
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def count(self, method: str, path: str = "") -> int:
        """How many ``method`` requests whose path (below the base URL) starts with ``path``."""
        return sum(1 for m, p in self.seen if m == method and p.startswith(path))

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        self.session.close()


def _error(status: int, detail: str, scim_type: str | None = None) -> dict[str, Any]:
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": str(status)}
    return {**body, "detail": detail, **({"scimType": scim_type} if scim_type else {})}


def no_patch(method: str, path: str, sent: Any, status: int, body: Any) -> tuple[int, Any] | None:
    """A server without PATCH: it says so in its ServiceProviderConfig, and answers 501."""
    if method == "GET" and path.endswith("/ServiceProviderConfig"):
        return status, {**body, "patch": {"supported": False}}
    if method == "PATCH":
        return 501, _error(501, "PATCH is not supported here.")
    return None


def no_discovery(
    method: str, path: str, sent: Any, status: int, body: Any
) -> tuple[int, Any] | None:
    """A server without /ServiceProviderConfig: nothing optional may be assumed, so no Bulk."""
    if path.endswith("/ServiceProviderConfig"):
        return 404, _error(404, "Not found.")
    if method in ("PATCH",) or path.endswith("/Bulk"):
        return 501, _error(501, "Not supported here.")
    return None


@pytest.fixture
def reshaped(fresh_tenant: TenantLogin) -> Iterator[Callable[[Reshape], Reshaping]]:
    """Start a :class:`Reshaping` in front of a fresh tenant; stopped after the test."""
    started: list[Reshaping] = []

    def start(reshape: Reshape) -> Reshaping:
        started.append(Reshaping(fresh_tenant.url, reshape))
        return started[-1]

    yield start
    for proxy in started:
        proxy.stop()


def _client(tenant: TenantLogin) -> SCIMClient:
    return SCIMClient(ClientConfiguration(server_url=tenant.url, auth_token=tenant.token))


def _change_the_staff(client: SCIMClient, group_id: str, ids: dict[str, str]) -> None:
    """A chapter's changes, made directly on the server: a title, a nickName, the group."""
    dwight, creed = ids["Dwight Schrute"], ids["Creed Bratton"]
    client.update_user(id=dwight, ops=PatchOp(operations=[Operation("replace", "title", "RM")]))
    client.update_user(id=creed, ops=PatchOp(operations=[Operation("add", "nickName", "C")]))
    client.update_group(
        id=group_id,
        ops=PatchOp(
            operations=[
                Operation("replace", "displayName", "Dunder Mifflin Sabre"),
                Operation("remove", f'members[value eq "{creed}"]'),
            ]
        ),
    )


def test_rfc7643_5_reset_without_patch_replaces_with_put(
    fresh_tenant: TenantLogin, reshaped: Callable[[Reshape], Reshaping]
) -> None:
    """patch.supported false: reset restores the changed users and the group with PUT only."""
    proxy = reshaped(no_patch)
    group_id, ids = course_setup(fresh_tenant.token, server_url=proxy.url)
    with _client(fresh_tenant) as client:
        _change_the_staff(client, group_id, ids)
        proxy.seen.clear()
        assert course_setup(fresh_tenant.token, server_url=proxy.url, reset=True) == (
            group_id,
            ids,
        )
        assert_starting_state(client, group_id, ids)
        dwight, creed = ids["Dwight Schrute"], ids["Creed Bratton"]
        assert proxy.count("PATCH") == 0
        puts = sorted(p for m, p in proxy.seen if m == "PUT")
        assert puts == sorted([f"/Users/{dwight}", f"/Users/{creed}", f"/Groups/{group_id}"])
        user = Tenant(client).user("cbratton")
        assert user is not None and "nickName" not in user


def test_rfc7643_5_setup_without_patch_adds_a_recreated_member_with_put(
    fresh_tenant: TenantLogin, reshaped: Callable[[Reshape], Reshaping]
) -> None:
    """Without PATCH, someone created again joins the group through one PUT of the group."""
    proxy = reshaped(no_patch)
    group_id, ids = course_setup(fresh_tenant.token, server_url=proxy.url)
    with _client(fresh_tenant) as client:
        client.delete_user(ids["Toby Flenderson"])
        proxy.seen.clear()
        group_id, ids = course_setup(fresh_tenant.token, server_url=proxy.url)
        assert proxy.count("PUT") == 1 and proxy.count("PATCH") == 0
        assert_starting_state(client, group_id, ids)


def test_rfc7644_4_setup_without_discovery_creates_one_by_one(
    fresh_tenant: TenantLogin, reshaped: Callable[[Reshape], Reshaping]
) -> None:
    """No ServiceProviderConfig: nothing optional is assumed; one POST a user, PUT to restore."""
    proxy = reshaped(no_discovery)
    group_id, ids = course_setup(fresh_tenant.token, server_url=proxy.url)
    assert proxy.count("POST", "/Bulk") == 0
    assert proxy.count("POST", "/Users") == len(staff())
    assert proxy.count("GET", "/ServiceProviderConfig") == 1  # asked once, remembered
    with _client(fresh_tenant) as client:
        assert_starting_state(client, group_id, ids)
        _change_the_staff(client, group_id, ids)
        for name in ("cminer", "hflax"):
            client.create_user(User(userName=name, externalId=course_external_id(name)))
        proxy.seen.clear()
        assert course_setup(fresh_tenant.token, server_url=proxy.url, reset=True) == (
            group_id,
            ids,
        )
        assert proxy.count("PATCH") == 0 and proxy.count("POST", "/Bulk") == 0
        assert proxy.count("DELETE", "/Users/") == 2
        assert_starting_state(client, group_id, ids)


def refuse_bulk_post(
    method: str, path: str, sent: Any, status: int, body: Any
) -> tuple[int, Any] | None:
    """The server refuses the second POST of a Bulk request (RFC 7644 §3.7.3)."""
    if method == "POST" and path.endswith("/Bulk") and sent["Operations"][0]["method"] == "POST":
        operations = [dict(o) for o in body["Operations"]]
        refused = _error(400, "userName 'jhalpert' is not allowed here.", "invalidValue")
        operations[1] = {**operations[1], "status": "400", "response": refused}
        operations[1].pop("location", None)
        return 200, {**body, "Operations": operations}
    return None


def test_rfc7644_3_7_3_a_refused_bulk_operation_says_which_and_why(
    fresh_tenant: TenantLogin, reshaped: Callable[[Reshape], Reshaping]
) -> None:
    """One refused POST in the Bulk answer: setup stops with the method, path, status, detail."""
    proxy = reshaped(refuse_bulk_post)
    with pytest.raises(CourseSetupError) as raised:
        course_setup(fresh_tenant.token, server_url=proxy.url)
    assert str(raised.value) == (
        "The server refused POST /Users (400): userName 'jhalpert' is not allowed here. "
        "Run course_setup(reset=True) to start over."
    )


def strip_locations(
    method: str, path: str, sent: Any, status: int, body: Any
) -> tuple[int, Any] | None:
    """A Bulk answer whose results carry no ``location``."""
    if method == "POST" and path.endswith("/Bulk"):
        operations = [{k: v for k, v in o.items() if k != "location"} for o in body["Operations"]]
        return status, {**body, "Operations": operations}
    return None


def test_rfc7644_3_7_3_a_bulk_result_without_location_is_an_error(
    fresh_tenant: TenantLogin, reshaped: Callable[[Reshape], Reshaping]
) -> None:
    """Without a location the new user's id is unknown: setup says so rather than guessing."""
    proxy = reshaped(strip_locations)
    with pytest.raises(CourseSetupError) as raised:
        course_setup(fresh_tenant.token, server_url=proxy.url)
    assert str(raised.value) == "The server's Bulk answer has no location for a created user."


def gone_already(
    method: str, path: str, sent: Any, status: int, body: Any
) -> tuple[int, Any] | None:
    """A Bulk DELETE whose first result is 404 (deleted meanwhile by someone else)."""
    if method == "POST" and path.endswith("/Bulk") and sent["Operations"][0]["method"] == "DELETE":
        operations = [dict(o) for o in body["Operations"]]
        operations[0] = {**operations[0], "status": "404", "response": _error(404, "Gone.")}
        return status, {**body, "Operations": operations}
    return None


def test_rfc7644_3_7_3_a_bulk_delete_of_what_is_gone_is_fine(
    fresh_tenant: TenantLogin, reshaped: Callable[[Reshape], Reshaping]
) -> None:
    """reset deletes marked users through Bulk; a 404 among the results is what it wanted."""
    proxy = reshaped(gone_already)
    group_id, ids = course_setup(fresh_tenant.token, server_url=proxy.url)
    with _client(fresh_tenant) as client:
        for name in ("cminer", "hflax"):
            client.create_user(User(userName=name, externalId=course_external_id(name)))
        assert course_setup(fresh_tenant.token, server_url=proxy.url, reset=True) == (
            group_id,
            ids,
        )
        assert proxy.count("POST", "/Bulk") == 2  # the creates, then the two deletes
        assert_starting_state(client, group_id, ids)


def refuse_long_and_negated_filters(
    method: str, path: str, sent: Any, status: int, body: Any
) -> tuple[int, Any] | None:
    """Refused filters (400 invalidFilter, RFC 7644 §3.12): on users ``or`` and ``not``; on
    groups ``sw``."""
    parts = urlsplit(path)
    if method != "GET" or "filter=" not in parts.query:
        return None
    users = parts.path.endswith("/Users") and (" or " in parts.query or "not (" in parts.query)
    if users or (parts.path.endswith("/Groups") and " sw " in parts.query):
        return 400, _error(400, "This filter is too complex here.", "invalidFilter")
    return None


def test_rfc7644_3_4_2_2_setup_and_reset_with_refused_filters_read_wider(
    fresh_tenant: TenantLogin, reshaped: Callable[[Reshape], Reshaping]
) -> None:
    """Refused filters: setup reads every user, reset asks a plainer filter or reads all groups."""
    proxy = reshaped(refuse_long_and_negated_filters)
    with _client(fresh_tenant) as client:
        stranger = client.create_user(User(userName="stranger", active=True)).to_dict()
        seeded = course_setup(fresh_tenant.token, server_url=fresh_tenant.url)
        client.create_user(User(userName="cminer", externalId=course_external_id("cminer")))
        client.create_group(
            Group(displayName="Finer Things Club", externalId=course_external_id("group:ftc"))
        )
        proxy.seen.clear()
        assert course_setup(fresh_tenant.token, server_url=proxy.url, reset=True) == seeded
        users = {u["userName"]: u for u in Tenant(client).users()}
        assert set(users) == {m.user_name for m in staff()} | {"stranger"}
        assert users["stranger"] == stranger
        assert [g["displayName"] for g in Tenant(client).groups()] == ["Dunder Mifflin"]
        # Each refused query was followed by a wider one that was answered.
        users_asked = [p for m, p in proxy.seen if m == "GET" and p.startswith("/Users")]
        assert any(" or " in p for p in users_asked) and any("not (" in p for p in users_asked)
        assert any("filter=" not in p for p in users_asked)  # find_staff: every user
        assert any("filter=externalId sw" in p and "not (" not in p for p in users_asked)
        groups_asked = [p for m, p in proxy.seen if m == "GET" and p.startswith("/Groups?")]
        assert any(" sw " in p for p in groups_asked)
        assert any("filter=" not in p for p in groups_asked)  # marked("Groups"): every group
