"""Fixtures of the sync suite: each SCIM server behind a counting proxy, and roster builders.

``directory`` runs every test once on the course's server (a fresh tenant) and once on
``scim2-server`` (a fresh in-memory peer), each behind :class:`CountingProxy`: an HTTP server
on loopback that forwards every request and counts it on the server's side of the wire. The
proxy can also answer 429 with Retry-After (a rate-limiting server) or drop connections
after N writes (a server lost mid-run).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.sync import Roster, apply_plan, load_roster, plan_sync
from sync_app.sync.apply import Report
from sync_app.sync.plan import Plan
from tests.fixtures.peer import serve_peer

_FORWARDED = ("Authorization", "Content-Type", "Accept", "If-Match")
_RETURNED = ("Content-Type", "ETag", "Location", "Retry-After")


@dataclass
class Seen:
    """A request the proxy received, and how it was answered."""

    method: str
    path: str
    body: Any
    status: int | None


_JSON = {"Content-Type": "application/scim+json"}


def _refusal(status: int) -> bytes:
    """A SCIM Error refusing a filter: 400 invalidFilter, or 501 (RFC 7644 §3.12)."""
    body: dict[str, Any] = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": str(status),
        "detail": "Filtering is not supported here.",
    }
    if status == 400:
        body["scimType"] = "invalidFilter"
    return json.dumps(body).encode()


@dataclass
class CountingProxy:
    """Forwards to ``upstream``; records each request; can throttle or cut writes."""

    upstream: str
    seen: list[Seen] = field(default_factory=list)
    #: Answer this many writes 429 Retry-After: 1 (alternating with forwarded ones).
    throttle: int = 0
    #: After this many forwarded writes, forward one more, drop its answer, then drop all.
    cut_after: int | None = None
    #: Answer every filtered GET with this status (400 invalidFilter, or 501), as a server
    #: that announces filter.supported and still refuses the filters it is sent.
    refuse_filters: int = 0
    #: Rewrite /ServiceProviderConfig to announce filter.supported false.
    hide_filtering: bool = False
    _writes: int = 0
    _cut: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        parts = urlsplit(self.upstream)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.session = requests.Session()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                verdict = proxy._verdict(self.command)
                seen = Seen(self.command, self.path, json.loads(raw) if raw else None, None)
                proxy.seen.append(seen)
                if verdict == "drop":
                    self.close_connection = True
                    return
                if verdict == "throttle":
                    seen.status = 429
                    self._answer(429, {"Retry-After": "1"}, b"")
                    return
                if proxy.refuse_filters and self.command == "GET" and "filter=" in self.path:
                    seen.status = proxy.refuse_filters
                    self._answer(proxy.refuse_filters, _JSON, _refusal(proxy.refuse_filters))
                    return
                headers = {k: v for k in _FORWARDED if (v := self.headers.get(k))}
                answer = proxy.session.request(
                    self.command, proxy.origin + self.path, headers=headers, data=raw or None
                )
                seen.status = answer.status_code
                if verdict == "forward-then-drop":
                    self.close_connection = True
                    return
                kept = {k: v for k in _RETURNED if (v := answer.headers.get(k))}
                content = answer.content
                if proxy.hide_filtering and self.path.endswith("/ServiceProviderConfig"):
                    config = answer.json()
                    config["filter"] = {"supported": False, "maxResults": 200}
                    config.pop("pagination", None)
                    content = json.dumps(config).encode()
                self._answer(answer.status_code, kept, content)

            def _answer(self, status: int, headers: dict[str, str], data: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
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
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _verdict(self, method: str) -> str:
        with self._lock:
            if self._cut:
                return "drop"
            if method in ("GET", "HEAD"):
                return "forward"
            if self.throttle and self._writes % 2 == 0:
                self.throttle -= 1
                self._writes += 1
                return "throttle"
            self._writes += 1
            if self.cut_after is not None and self._writes > self.cut_after:
                self._cut = True
                return "forward-then-drop"
            return "forward"

    @property
    def writes(self) -> list[Seen]:
        """The requests that may change something: every method but GET and /.search."""
        return [s for s in self.seen if s.method != "GET" and not s.path.endswith("/.search")]

    @property
    def reads(self) -> list[Seen]:
        return [s for s in self.seen if s not in self.writes]

    def reset(self) -> None:
        self.seen.clear()
        self.throttle, self.cut_after, self._writes, self._cut = 0, None, 0, False
        self.refuse_filters, self.hide_filtering = 0, False

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        self.session.close()


@dataclass
class Directory:
    """A SCIM server under test: a direct client for setting up and checking, and the proxy."""

    name: str
    direct: SCIMClient
    proxy: CountingProxy
    token: str

    def client(self) -> SCIMClient:
        """A client that goes through the counting proxy."""
        return SCIMClient(ClientConfiguration(server_url=self.proxy.url, auth_token=self.token))

    def sync(self, roster: Roster | list[dict[str, str]], **options: Any) -> tuple[Plan, Report]:
        """Plan and apply through the proxy, as the CLI does."""
        if not isinstance(roster, Roster):
            roster = load_roster(roster)
        allow = options.pop("allow_mass_deactivation", False)
        with self.client() as client:
            plan = plan_sync(client, roster, allow_mass_deactivation=allow)
            return plan, apply_plan(client, plan, **options)

    def user(self, user_name: str) -> dict[str, Any]:
        """The one user with that userName, as the server has it (fails if 0 or several)."""
        found = self.direct.get_users(f'userName eq "{user_name}"').to_dict()["Resources"]
        assert len(found) == 1, f"{len(found)} users named {user_name}"
        return dict(found[0])

    def users(self) -> list[dict[str, Any]]:
        return [u.to_dict() for u in self.direct.iter_users()]

    def group(self, display_name: str) -> dict[str, Any]:
        found = self.direct.get_groups(f'displayName eq "{display_name}"').to_dict()["Resources"]
        assert len(found) == 1, f"{len(found)} groups named {display_name}"
        return dict(found[0])

    def members(self, display_name: str) -> set[str]:
        """The userNames of a group's members."""
        ids = {m["value"] for m in self.group(display_name).get("members", [])}
        return {u["userName"] for u in self.users() if u["id"] in ids}


@pytest.fixture(params=["course-server", "scim2-server"])
def directory(request: pytest.FixtureRequest) -> Iterator[Directory]:
    """Each SCIM server, empty, behind a counting proxy."""
    if request.param == "course-server":
        tenant = request.getfixturevalue("fresh_tenant")
        yield from _directory(request.param, tenant.url, tenant.token)
    else:
        with serve_peer() as peer:
            yield from _directory(request.param, peer.url, peer.token)


def _directory(name: str, url: str, token: str) -> Iterator[Directory]:
    proxy = CountingProxy(url)
    with SCIMClient(ClientConfiguration(server_url=url, auth_token=token)) as direct:
        try:
            yield Directory(name, direct, proxy, token)
        finally:
            proxy.stop()


def person(employee_id: str, user_name: str, **values: str) -> dict[str, str]:
    """A roster row with every column; names and email derived from ``user_name``."""
    row = {
        "employee_id": employee_id,
        "user_name": user_name,
        "given_name": user_name.capitalize(),
        "family_name": "Sabre",
        "email": f"{user_name}@dundermifflin.com",
        "title": "Sales",
        "department": "Sales",
        "division": "Scranton",
        "manager_id": "",
        "active": "true",
        "groups": "",
    }
    row.update(values)
    return row


@pytest.fixture
def staff() -> Callable[[int], list[dict[str, str]]]:
    """``staff(n)``: n people, E1 manages the rest, everyone in "Sabre", odd ones in "Sales"."""

    def make(n: int) -> list[dict[str, str]]:
        rows = []
        for i in range(1, n + 1):
            groups = "Sabre;Sales" if i % 2 else "Sabre"
            rows.append(
                person(f"E{i}", f"emp{i}", manager_id="" if i == 1 else "E1", groups=groups)
            )
        return rows

    return make
