"""The PostgreSQL connection pool: connections kept under load, dead ones replaced.

A workshop's server answers hundreds of learners from a few processes; every connection it
opens is a new PostgreSQL backend, so the pool keeps what it opened (bench/RESULTS.md,
"Rooms"), and pings a connection before use only when it has been idle (db._ping_when_idle).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from scim_helper.server import db
from scim_helper.server.store import Store
from sync_app.scim.urns import USER

pytestmark = pytest.mark.postgres


@pytest.fixture
def own_store(postgres_url: str) -> Iterator[Store]:
    """A Store with a pool of its own (the session's shared one would mix in other tests)."""
    store = Store(postgres_url)
    yield store
    store.close()


def _user(store: Store) -> tuple[str, str]:
    _, tenant = store.mint_token()
    user = store.create(tenant, "User", {"schemas": [USER], "userName": "pool@example.com"})
    return tenant, user["id"]


def _kill_backends(store: Store, postgres_url: str) -> None:
    """Terminate the backend of every connection the store's pool holds (a restart, as seen
    from the pool), without touching anyone else's connections."""
    with store.engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    url = postgres_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_busy_store_opens_at_most_sixteen_connections_and_keeps_them(own_store: Store) -> None:
    """40 threads reading at once, twice: at most 16 connections, none opened the second time."""
    tenant, uid = _user(own_store)
    opened: list[int] = []
    event.listen(own_store.engine, "connect", lambda *_: opened.append(1))

    def wave() -> None:
        with ThreadPoolExecutor(40) as threads:
            for document in threads.map(lambda _: own_store.get(tenant, "User", uid), range(400)):
                assert document["id"] == uid

    wave()
    first = len(opened)
    wave()
    assert first <= 15  # plus the one _user opened before the count began
    assert len(opened) == first


def test_idle_connection_dropped_by_the_database_is_replaced_before_use(
    own_store: Store, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection idle past PING_AFTER_IDLE whose backend is gone: pinged, replaced, and
    the read succeeds."""
    tenant, uid = _user(own_store)
    _kill_backends(own_store, postgres_url)
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)
    assert own_store.get(tenant, "User", uid)["id"] == uid


def test_connection_dropped_right_after_use_fails_once_then_the_pool_recovers(
    own_store: Store, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within PING_AFTER_IDLE of its last use a connection is not pinged: the first read on a
    dropped one fails, SQLAlchemy discards the pool's connections, and the next read works."""
    tenant, uid = _user(own_store)
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)
    _kill_backends(own_store, postgres_url)
    with pytest.raises(DBAPIError):
        own_store.get(tenant, "User", uid)
    assert own_store.get(tenant, "User", uid)["id"] == uid


def _kill_inline(store: Store, postgres_url: str) -> None:
    """Terminate the backend of the connection this thread keeps for inline reads."""
    kept = store._inline.conn
    with kept.begin():
        pid = kept.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    url = postgres_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_inline_reader_idle_connection_dropped_is_replaced_before_use(
    own_store: Store, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event loop's kept connection (GET /Users/{id} reads inline): idle past
    PING_AFTER_IDLE with its backend gone, it is pinged, replaced, and the read succeeds, as
    the pool's own connections are."""
    tenant, uid = _user(own_store)
    assert own_store.get(tenant, "User", uid, inline=True)["id"] == uid
    first = own_store._inline.conn
    _kill_inline(own_store, postgres_url)
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)
    assert own_store.get(tenant, "User", uid, inline=True)["id"] == uid
    assert own_store._inline.conn is not first


def test_inline_reader_dropped_right_after_use_fails_once_then_recovers(
    own_store: Store, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within PING_AFTER_IDLE of its last read the kept connection is not pinged: the first
    read on a dropped one fails, the next one starts from a fresh connection."""
    tenant, uid = _user(own_store)
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)
    assert own_store.get(tenant, "User", uid, inline=True)["id"] == uid
    _kill_inline(own_store, postgres_url)
    with pytest.raises(DBAPIError):
        own_store.get(tenant, "User", uid, inline=True)
    assert own_store.get(tenant, "User", uid, inline=True)["id"] == uid
