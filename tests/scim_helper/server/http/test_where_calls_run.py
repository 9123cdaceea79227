"""Where the server runs each store call: on its event loop or in a worker thread (ours:
``routes.run_store``). On the loop a call costs less CPU, but the loop waits for the database
there, so only calls that cannot wait long run inline: writes of one resource on PostgreSQL
(a writer waits only for the rows it writes) with a body of at most 64 KiB, and searches with
a small page or a filter of equalities. The thread each call ran in is recorded by wrapping the
store's methods in the running server; the answers are checked too."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from scim_helper.server.routes import INLINE_BODY_BYTES, INLINE_PAGE
from scim_helper.server.runner import LocalServer
from tests.fixtures.postgres import postgres_url  # noqa: F401  (fixture)

from .conftest import PATCH_OP, USER

LOOP = "scim-server"  # LocalServer's thread, where uvicorn's event loop runs


@contextmanager
def calls(server: LocalServer) -> Iterator[list[tuple[str, str]]]:
    """(store method, thread name) of each store call the server makes meanwhile."""
    store = server.store
    assert store is not None
    seen: list[tuple[str, str]] = []

    def recorded(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            seen.append((name, threading.current_thread().name))
            return method(*args, **kwargs)

        return call

    names = ("create", "replace", "patch", "delete", "search", "get")
    for name in names:
        setattr(store, name, recorded(name, getattr(store, name)))
    try:
        yield seen
    finally:
        for name in names:
            delattr(store, name)


def _where(server: LocalServer, send: Callable[[requests.Session, str], requests.Response]) -> str:
    """The thread of the one store call ``send`` makes ("loop" or "worker"), its answer checked."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {server.token}"
    with calls(server) as seen:
        answer = send(session, server.url)
    assert answer.status_code < 300, answer.text
    assert len(seen) == 1, seen
    thread = seen[0][1]
    assert thread == LOOP or thread.startswith("scim-store"), thread
    return "loop" if thread == LOOP else "worker"


def _user(session: requests.Session, url: str, name: str, **attributes: Any) -> dict[str, Any]:
    body = {"schemas": [USER], "userName": name, **attributes}
    created = session.post(f"{url}/Users", json=body, timeout=30)
    assert created.status_code == 201, created.text
    return dict(created.json())


def _sized(document: dict[str, Any], size: int) -> bytes:
    """``document`` as JSON of exactly ``size`` bytes (padded with trailing spaces)."""
    text = json.dumps(document).encode()
    assert len(text) <= size
    return text + b" " * (size - len(text))


def _search(**params: Any) -> Callable[[requests.Session, str], requests.Response]:
    return lambda session, url: session.get(f"{url}/Users", params=params, timeout=30)


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[LocalServer]:
    with LocalServer(tmp_path / "scim.db") as server:
        yield server


@pytest.fixture
def postgres_server(postgres_url: str) -> Iterator[LocalServer]:  # noqa: F811
    with LocalServer(postgres_url) as server:
        yield server


@pytest.mark.parametrize(
    ("send", "expected"),
    [
        (_search(filter='userName co "a"', count=INLINE_PAGE), "loop"),
        (_search(filter='userName co "a"', count=INLINE_PAGE + 1), "worker"),
        (_search(filter='userName co "a"'), "worker"),  # the default page, 200
        (_search(filter='emails[type eq "work" and value eq "a@example.com"]'), "loop"),
        (_search(filter="active eq false"), "loop"),
        (_search(filter='userName eq "a"'), "loop"),  # the default page, one row at most
        (_search(filter='active eq false or userName eq "a"'), "worker"),
        (_search(filter='userName eq "a"', sortBy="userName", count=1), "worker"),
        (_search(count=0), "loop"),
    ],
    ids=[
        "co-count-50",
        "co-count-51",
        "co-no-count",
        "equalities-in-a-value-path",
        "equality",
        "username-eq-no-count",
        "or",
        "sorted",
        "count-0",
    ],
)
def test_ours_a_search_with_a_small_page_or_only_equalities_runs_on_the_loop(
    sqlite_server: LocalServer,
    send: Callable[[requests.Session, str], requests.Response],
    expected: str,
) -> None:
    assert _where(sqlite_server, send) == expected


_ACTIVE_OFF = {
    "schemas": [PATCH_OP],
    "Operations": [{"op": "replace", "path": "active", "value": False}],
}


def _writes(server: LocalServer) -> list[str]:
    """Where POST, PATCH, PUT and DELETE of one User ran, each answer as RFC 7644 §3.3,
    §3.5.2, §3.5.1 and §3.6 say."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {server.token}"
    item = f"{server.url}/Users/{_user(session, server.url, 'pam')['id']}"
    replacement = {"schemas": [USER], "userName": "pam.beesly"}
    new = {"schemas": [USER], "userName": "jim"}
    where = [
        _where(server, lambda s, url: s.post(f"{url}/Users", json=new, timeout=30)),
        _where(server, lambda s, url: s.patch(item, json=_ACTIVE_OFF, timeout=30)),
    ]
    assert session.get(item, timeout=30).json()["active"] is False
    where.append(_where(server, lambda s, url: s.put(item, json=replacement, timeout=30)))
    assert session.get(item, timeout=30).json()["userName"] == "pam.beesly"
    where.append(_where(server, lambda s, url: s.delete(item, timeout=30)))
    assert session.get(item, timeout=30).status_code == 404
    return where


def test_ours_writes_on_sqlite_run_in_a_worker_thread(sqlite_server: LocalServer) -> None:
    """SQLite has one write lock for the whole file: a write may wait for it up to 30 s, which
    the event loop must not."""
    assert _writes(sqlite_server) == ["worker"] * 4


@pytest.mark.postgres
def test_ours_small_writes_on_postgresql_run_on_the_loop(postgres_server: LocalServer) -> None:
    """PostgreSQL locks rows: a write of one resource waits only for another writer of the
    same resource."""
    assert _writes(postgres_server) == ["loop"] * 4


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("size", "expected"), [(INLINE_BODY_BYTES, "loop"), (INLINE_BODY_BYTES + 1, "worker")]
)
def test_ours_a_write_with_a_body_over_64_kib_runs_in_a_worker_thread(
    postgres_server: LocalServer, size: int, expected: str
) -> None:
    """A big body (a Group of thousands of members, sent whole) is a long write."""
    body = _sized({"schemas": [USER], "userName": f"big{size}"}, size)

    def send(session: requests.Session, url: str) -> requests.Response:
        headers = {"Content-Type": "application/scim+json"}
        return session.post(f"{url}/Users", data=body, headers=headers, timeout=30)

    assert _where(postgres_server, send) == expected


@pytest.mark.postgres
def test_ours_a_write_without_content_length_runs_in_a_worker_thread(
    postgres_server: LocalServer,
) -> None:
    """A chunked body declares no size, so it is not known to be small."""
    body = json.dumps({"schemas": [USER], "userName": "chunked"}).encode()

    def send(session: requests.Session, url: str) -> requests.Response:
        headers = {"Content-Type": "application/scim+json"}
        return session.post(f"{url}/Users", data=iter([body]), headers=headers, timeout=30)

    assert _where(postgres_server, send) == "worker"
