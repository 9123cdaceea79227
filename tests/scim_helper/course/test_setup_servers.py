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
        club = client.create_group(Group(displayName="Stranger Things")).to_dict()
        # One of the wider company directory (marked too, but kept by reset)
        directory = client.create_user(
            User(userName="jdoe", externalId="office-course:directory:jdoe")
        ).to_dict()
        proxy.seen.clear()
        assert course_setup(fresh_tenant.token, server_url=proxy.url, reset=True) == seeded
        users = {u["userName"]: u for u in Tenant(client).users()}
        assert set(users) == {m.user_name for m in staff()} | {"stranger", "jdoe"}
        assert users["stranger"] == stranger and users["jdoe"] == directory
        groups = Tenant(client).groups()
        assert sorted(g["displayName"] for g in groups) == ["Dunder Mifflin", "Stranger Things"]
        assert club in groups
        # Each refused query was followed by a wider one that was answered.
        users_asked = [p for m, p in proxy.seen if m == "GET" and p.startswith("/Users")]
        assert any(" or " in p for p in users_asked) and any("not (" in p for p in users_asked)
        assert any("filter=" not in p for p in users_asked)  # find_staff: every user
        assert any("filter=externalId sw" in p and "not (" not in p for p in users_asked)
        groups_asked = [p for m, p in proxy.seen if m == "GET" and p.startswith("/Groups?")]
        assert any(" sw " in p for p in groups_asked)
        assert any("filter=" not in p for p in groups_asked)  # marked("Groups"): every group


# -- on our own server, watched on the wire ------------------------------------------------------


def unchanged(method: str, path: str, sent: Any, status: int, body: Any) -> tuple[int, Any] | None:
    """Forward everything as it is: the proxy only records."""
    return None


def _writes(proxy: Reshaping) -> list[tuple[str, str]]:
    return [(m, p) for m, p in proxy.seen if m != "GET" and not p.endswith("/.search")]


def test_rfc7644_3_4_2_2_setup_again_reads_with_filters_and_writes_nothing(
    fresh_tenant: TenantLogin, reshaped: Callable[[Reshape], Reshaping]
) -> None:
    """A second run and a reset of an untouched tenant: no write; every read names what it asks."""
    proxy = reshaped(unchanged)
    seeded = course_setup(fresh_tenant.token, server_url=proxy.url)
    proxy.seen.clear()
    assert course_setup(fresh_tenant.token, server_url=proxy.url) == seeded
    assert course_setup(fresh_tenant.token, server_url=proxy.url, reset=True) == seeded
    assert _writes(proxy) == []
    listings = [p for m, p in proxy.seen if m == "GET" and p.split("?")[0] in ("/Users", "/Groups")]
    assert listings and all("filter=" in p for p in listings), listings
    # reset's search for what the course marked: the narrowest filter, only the attributes needed
    assert any(
        p.startswith(
            '/Users?filter=externalId sw "office-course:" and not (externalId sw '
            '"office-course:directory:")'
        )
        and p.endswith("attributes=externalId,userName")
        for p in listings
    ), listings
    assert any(
        p.startswith('/Groups?filter=externalId sw "office-course:" and not')
        and p.endswith("attributes=externalId")
        for p in listings
    ), listings


def test_rfc7644_3_5_2_reset_uses_patch_where_it_is_offered(
    fresh_tenant: TenantLogin, reshaped: Callable[[Reshape], Reshaping]
) -> None:
    """Our server offers PATCH (RFC 7643 §5): reset restores a user and the group with PATCH."""
    proxy = reshaped(unchanged)
    group_id, ids = course_setup(fresh_tenant.token, server_url=proxy.url)
    with _client(fresh_tenant) as client:
        _change_the_staff(client, group_id, ids)
    proxy.seen.clear()
    course_setup(fresh_tenant.token, server_url=proxy.url, reset=True)
    dwight, creed = ids["Dwight Schrute"], ids["Creed Bratton"]
    assert sorted(_writes(proxy)) == sorted(
        [
            ("PATCH", f"/Users/{dwight}"),
            ("PATCH", f"/Users/{creed}"),
            ("PATCH", f"/Groups/{group_id}"),
        ]
    )


def test_setup_finds_a_renamed_staff_member_by_the_course_mark(
    fresh_tenant: TenantLogin, reshaped: Callable[[Reshape], Reshaping]
) -> None:
    """Dwight renamed by a learner keeps his externalId: setup finds him, creates nobody new."""
    proxy = reshaped(unchanged)
    group_id, ids = course_setup(fresh_tenant.token, server_url=proxy.url)
    dwight = ids["Dwight Schrute"]
    with _client(fresh_tenant) as client:
        client.update_user(
            id=dwight, ops=PatchOp(operations=[Operation("replace", "userName", "dks")])
        )
        proxy.seen.clear()
        assert course_setup(fresh_tenant.token, server_url=proxy.url) == (group_id, ids)
        assert _writes(proxy) == []
        assert course_setup(fresh_tenant.token, server_url=proxy.url, reset=True) == (group_id, ids)
        assert_starting_state(client, group_id, ids)


def test_rfc7644_3_7_one_thing_is_sent_alone_and_several_through_bulk(
    fresh_tenant: TenantLogin, reshaped: Callable[[Reshape], Reshaping]
) -> None:
    """One user to create or delete: a plain POST or DELETE; two: one /Bulk with failOnErrors 1."""
    bulks: list[Any] = []

    def watch(method: str, path: str, sent: Any, status: int, body: Any) -> tuple[int, Any] | None:
        if path.endswith("/Bulk"):
            bulks.append(sent)
        return None

    proxy = reshaped(watch)
    group_id, ids = course_setup(fresh_tenant.token, server_url=proxy.url)
    assert [b["failOnErrors"] for b in bulks] == [1]
    with _client(fresh_tenant) as client:
        client.delete_user(ids["Toby Flenderson"])
        client.create_user(User(userName="cminer", externalId=course_external_id("cminer")))
        proxy.seen.clear()
        group_id, ids = course_setup(fresh_tenant.token, server_url=proxy.url, reset=True)
        assert proxy.count("POST", "/Bulk") == 0
        assert proxy.count("POST", "/Users") == 1 and proxy.count("DELETE", "/Users/") == 1
        for name in ("cminer", "hflax"):
            client.create_user(User(userName=name, externalId=course_external_id(name)))
        for name in ("Finer Things Club", "Party Planning"):
            client.create_group(
                Group(displayName=name, externalId=course_external_id(f"group:{name}"))
            )
        client.delete_user(ids["Toby Flenderson"])
        client.delete_user(ids["Kevin Malone"])
        bulks.clear()
        proxy.seen.clear()
        group_id, ids = course_setup(fresh_tenant.token, server_url=proxy.url, reset=True)
        assert proxy.count("DELETE") == 0 and proxy.count("POST", "/Users") == 0
        assert [b["failOnErrors"] for b in bulks] == [1, 1, 1]
        paths = [o["path"] for b in bulks for o in b["Operations"]]
        assert sum(p.startswith("/Groups/") for p in paths) == 2
        assert sum(p.startswith("/Users/") for p in paths) == 2
        assert paths.count("/Users") == 2
        assert_starting_state(client, group_id, ids)


def small_bulk(method: str, path: str, sent: Any, status: int, body: Any) -> tuple[int, Any] | None:
    """A server whose Bulk takes two operations at a time (RFC 7643 §5 bulk.maxOperations)."""
    if method == "GET" and path.endswith("/ServiceProviderConfig"):
        return status, {**body, "bulk": {**body["bulk"], "maxOperations": 2}}
    return None


def test_rfc7643_5_a_bulk_limit_of_two_still_means_bulk(
    fresh_tenant: TenantLogin, reshaped: Callable[[Reshape], Reshaping]
) -> None:
    """maxOperations 2: the fifteen go in eight Bulk requests of at most two operations."""
    proxy = reshaped(small_bulk)
    group_id, ids = course_setup(fresh_tenant.token, server_url=proxy.url)
    assert proxy.count("POST", "/Bulk") == 8 and proxy.count("POST", "/Users") == 0
    with _client(fresh_tenant) as client:
        assert_starting_state(client, group_id, ids)


def refuse_bulk_delete(
    method: str, path: str, sent: Any, status: int, body: Any
) -> tuple[int, Any] | None:
    """A Bulk DELETE refused with 403, and a single DELETE answered 404 (gone already)."""
    if method == "POST" and path.endswith("/Bulk") and sent["Operations"][0]["method"] == "DELETE":
        operations = [dict(o) for o in body["Operations"]]
        refused = _error(403, "Deleting is not allowed for this token.")
        operations[0] = {**operations[0], "status": "403", "response": refused}
        return status, {**body, "Operations": operations}
    if method == "DELETE":
        return 404, _error(404, "Gone.")
    return None


def test_rfc7644_3_7_3_a_refused_delete_stops_reset_and_a_gone_one_does_not(
    fresh_tenant: TenantLogin, reshaped: Callable[[Reshape], Reshaping]
) -> None:
    """A 403 on a Bulk DELETE is an error that names it; a 404 on a single DELETE is fine."""
    proxy = reshaped(refuse_bulk_delete)
    seeded = course_setup(fresh_tenant.token, server_url=proxy.url)
    with _client(fresh_tenant) as client:
        made = client.create_user(
            User(userName="cminer", externalId=course_external_id("cminer"))
        ).to_dict()
        assert course_setup(fresh_tenant.token, server_url=proxy.url, reset=True) == seeded
        assert proxy.count("DELETE", f"/Users/{made['id']}") == 1
        doomed = {
            client.create_user(User(userName=name, externalId=course_external_id(name))).to_dict()[
                "id"
            ]
            for name in ("hflax", "rcalifornia")
        }
        with pytest.raises(CourseSetupError) as raised:
            course_setup(fresh_tenant.token, server_url=proxy.url, reset=True)
        message = str(raised.value)
        assert message.startswith("The server refused DELETE /Users/")
        assert message.split("/Users/")[1].split(" ")[0] in doomed
        assert message.endswith(
            " (403): Deleting is not allowed for this token. Run course_setup(reset=True) to "
            "start over."
        )


def test_rfc7643_5_a_bulk_limit_of_two_deletes_two_in_one_bulk(
    fresh_tenant: TenantLogin, reshaped: Callable[[Reshape], Reshaping]
) -> None:
    """maxOperations 2 and two leftover marked users: reset deletes both in one Bulk request,
    not with two DELETEs (a limit of 2 is still Bulk; 1 would mean none)."""
    proxy = reshaped(small_bulk)
    seeded = course_setup(fresh_tenant.token, server_url=proxy.url)
    with _client(fresh_tenant) as client:
        for name in ("hflax", "rcalifornia"):
            client.create_user(User(userName=name, externalId=course_external_id(name)))
        before = len(proxy.seen)
        assert course_setup(fresh_tenant.token, server_url=proxy.url, reset=True) == seeded
        writes = [(m, p) for m, p in proxy.seen[before:] if m != "GET"]
        assert writes == [("POST", "/Bulk")]
        assert_starting_state(client, *seeded)
