"""Fixtures for the storage core tests: the Store on SQLite and on PostgreSQL.

``store`` runs every test twice: on a real SQLite file in ``tmp_path``, and on the
session's throwaway PostgreSQL cluster (marker ``postgres``). ``tenant`` is a fresh tenant
of that store, so tests on the shared PostgreSQL database never see each other's data.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from scim_helper.server.store import Store


@pytest.fixture(scope="session")
def postgres_store(postgres_url: str) -> Iterator[Store]:
    store = Store(postgres_url)
    yield store
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        sqlite = Store(str(tmp_path / "scim.db"))
        yield sqlite
        sqlite.close()
    else:
        yield request.getfixturevalue("postgres_store")


@pytest.fixture
def tenant(store: Store) -> str:
    return store.add_token(secrets.token_urlsafe(16))
