"""Simulated learners for :mod:`bench.load`: a room of them in one client process.

Each learner is a coroutine with one keep-alive HTTP/1.1 connection, as a notebook's
``requests.Session`` keeps one, and pauses between requests for a uniform think time (1–3 s by
default: a learner reads the output before running the next cell). Thousands of mostly idle
learners then cost a client process almost nothing between requests.

The HTTP client is a few lines over ``asyncio`` streams rather than httpx or requests: a room
of 1,000 learners sends several hundred requests a second from the same 2-core machine as the
server, and every millisecond the generator spends is taken from the server (its CPU is
measured and printed). It speaks only what the course's server answers: HTTP/1.1 with
``Content-Length`` (or no body: 204, 304).

A learner's flow, the requests a chapter makes:

- once: discovery (``/ServiceProviderConfig``, ``/ResourceTypes``, ``/Schemas``) and a group;
- then, until the room's time is up: create a user, read it by id, deactivate it, add it to the
  group, find it by userName and by work email, list the inactive users, replace its work
  email, remove it from the group.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import resource
import time
from collections import defaultdict
from typing import Any
from urllib.parse import quote, urlsplit

from sync_app.scim.urns import GROUP, PATCH_OP, USER

STEPS = (
    "discovery",
    "setup",
    "create",
    "get",
    "deactivate",
    "member add",
    "filter",
    "list",
    "email replace",
    "member remove",
)
REQUEST_TIMEOUT = 60.0


class Failed(Exception):
    """A request that got no answer, or not the answer expected."""


class Connection:
    """One keep-alive HTTP/1.1 connection to the server, opened on first use."""

    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.base = parts.path.rstrip("/")
        self.head = (
            f"Host: {self.host}:{self.port}\r\nAuthorization: Bearer {token}\r\n"
            "Accept: application/scim+json\r\n"
        )
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reconnects = 0

    async def close(self) -> None:
        writer, self.writer, self.reader = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        """(status, body) of one exchange. A connection the server closed while the learner
        was thinking (keep-alive timeout) is reopened once, as requests' pool would."""
        payload = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {self.base}{path} HTTP/1.1\r\n{self.head}"
        if body is not None:
            head += f"Content-Type: application/scim+json\r\nContent-Length: {len(payload)}\r\n"
        message = (head + "\r\n").encode() + payload
        for attempt in range(2):
            fresh = self.writer is None
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            assert self.reader is not None and self.writer is not None
            try:
                self.writer.write(message)
                status_line = await self.reader.readline()
            except ConnectionError:
                status_line = b""
            if not status_line:
                await self.close()
                if fresh or attempt:
                    raise Failed("connection closed before an answer")
                self.reconnects += 1
                continue
            return await self._rest(status_line, method)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _rest(self, status_line: bytes, method: str) -> tuple[int, bytes]:
        assert self.reader is not None
        status = int(status_line.split(b" ", 2)[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
            elif name == b"transfer-encoding":
                raise Failed("chunked answers are not supported by this load generator")
        data = await self.reader.readexactly(length) if length and method != "HEAD" else b""
        if close:
            await self.close()
        return status, data


def _patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


class Learner:
    """One simulated learner: a connection, a think time, and the timings per step."""

    def __init__(
        self, url: str, token: str, name: str, think: tuple[float, float], until: float
    ) -> None:
        self.connection = Connection(url, token)
        self.name, self.think, self.until = name, think, until
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.flows = 0

    async def call(
        self, step: str, method: str, path: str, expected: int, body: Any = None
    ) -> dict[str, Any]:
        low, high = self.think
        if high > 0:
            await asyncio.sleep(random.uniform(low, high))
        if time.time() >= self.until:
            raise TimeoutError
        began = time.perf_counter()
        try:
            status, data = await asyncio.wait_for(
                self.connection.request(method, path, body), REQUEST_TIMEOUT
            )
        except (OSError, Failed, TimeoutError, ValueError, IndexError) as exc:
            self.errors.append(f"{step}: {type(exc).__name__} {exc}")
            await self.connection.close()
            raise Failed from exc
        self.timings[step].append(time.perf_counter() - began)
        if status != expected:
            self.errors.append(f"{step}: {status} {data[:200]!r}")
            raise Failed
        return json.loads(data) if data else {}

    async def run(self) -> None:
        try:
            await self._run()
        except (TimeoutError, Failed):
            pass
        finally:
            await self.connection.close()

    async def _run(self) -> None:
        # Learners arrive over the first think time, not all in the same millisecond.
        await asyncio.sleep(random.uniform(0, self.think[1]))
        for endpoint in ("/ServiceProviderConfig", "/ResourceTypes", "/Schemas"):
            await self.call("discovery", "GET", endpoint, 200)
        group = await self.call(
            "setup", "POST", "/Groups", 201, {"schemas": [GROUP], "displayName": self.name}
        )
        members = f"/Groups/{group['id']}"
        for n in range(1_000_000):  # bounded by self.until; the count is only a backstop
            try:
                await self._flow(n, members)
            except Failed:
                continue
            self.flows += 1

    async def _flow(self, n: int, members: str) -> None:
        name = f"{self.name}-{n}"
        user_name = f"{name}@dundermifflin.example"
        user = await self.call(
            "create",
            "POST",
            "/Users",
            201,
            {
                "schemas": [USER],
                "userName": user_name,
                "name": {"givenName": "Learner", "familyName": self.name},
                "emails": [{"value": f"{name}@work.example", "type": "work", "primary": True}],
            },
        )
        item = f"/Users/{user['id']}"
        await self.call("get", "GET", item, 200)
        await self.call("deactivate", "PATCH", item, 200, _patch(_replace("active", False)))
        add = {"op": "add", "path": "members", "value": [{"value": user["id"]}]}
        await self.call("member add", "PATCH", members, 200, _patch(add))
        await self.call("filter", "GET", _filter(f'userName eq "{user_name}"'), 200)
        work = f'emails[type eq "work" and value co "{name}@"]'
        await self.call("filter", "GET", _filter(work), 200)
        await self.call("list", "GET", _filter("active eq false") + "&count=10", 200)
        email = _replace('emails[type eq "work"].value', f"{name}@new.example")
        await self.call("email replace", "PATCH", item, 200, _patch(email))
        remove = {"op": "remove", "path": f'members[value eq "{user["id"]}"]'}
        await self.call("member remove", "PATCH", members, 200, _patch(remove))


def _replace(path: str, value: Any) -> dict[str, Any]:
    return {"op": "replace", "path": path, "value": value}


def _filter(expression: str) -> str:
    return "/Users?filter=" + quote(expression, safe="")


def client_process(
    learners: list[tuple[str, str, str]], think: tuple[float, float], start: float, until: float
) -> dict[str, Any]:
    """One client process: its share of the room, ``(url, token, name)`` each, from ``start``
    to ``until`` (time.time()). Returns the timings, errors, flows and this process's CPU."""
    delay = start - time.time()
    if delay > 0:
        time.sleep(delay)
    before = resource.getrusage(resource.RUSAGE_SELF)
    room = [Learner(url, token, name, think, until) for url, token, name in learners]

    async def main() -> None:
        await asyncio.gather(*(learner.run() for learner in room))

    asyncio.run(main())
    after = resource.getrusage(resource.RUSAGE_SELF)
    timings: dict[str, list[float]] = defaultdict(list)
    for learner in room:
        for step, values in learner.timings.items():
            timings[step].extend(values)
    return {
        "timings": dict(timings),
        "errors": [error for learner in room for error in learner.errors],
        "flows": sum(learner.flows for learner in room),
        "reconnects": sum(learner.connection.reconnects for learner in room),
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
    }
