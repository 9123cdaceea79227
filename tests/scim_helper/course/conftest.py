"""Fixtures of the course-support suite: a client on a fresh tenant, seeded or not.

Everything runs over real HTTP against the course's own server (``local_server`` /
``fresh_tenant`` from ``tests.fixtures.local``); a test that needs the embedded server of
``scim_helper.connection`` gets one with its data in ``tmp_path`` (``embedded``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scim_helper import connection
from scim_helper.server import runner
from scim_helper.setup import course_setup
from sync_app.client import ClientConfiguration, SCIMClient
from tests.fixtures.local import TenantLogin


@dataclass(frozen=True)
class Seeded:
    """A fresh tenant after ``course_setup``: its client and the ids it returned."""

    tenant: TenantLogin
    client: SCIMClient
    group_id: str
    user_ids: dict[str, str]


@pytest.fixture(autouse=True)
def no_course_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's SCIM_* variables or their real data directory."""
    for name in (connection.URL_ENV, connection.TOKEN_ENV, runner.DATA_DIR_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(connection, "_urls_by_token", {})


@pytest.fixture
def client(fresh_tenant: TenantLogin) -> Iterator[SCIMClient]:
    """A client on an empty tenant."""
    config = ClientConfiguration(server_url=fresh_tenant.url, auth_token=fresh_tenant.token)
    with SCIMClient(config) as scim:
        yield scim


@pytest.fixture
def seeded(fresh_tenant: TenantLogin, client: SCIMClient) -> Seeded:
    """A tenant holding the starting state: the fifteen and the Dunder Mifflin group."""
    group_id, user_ids = course_setup(fresh_tenant.token, server_url=fresh_tenant.url)
    return Seeded(fresh_tenant, client, group_id, user_ids)


@pytest.fixture
def embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The default path: no SCIM_* variables, the embedded server's data in ``tmp_path``."""
    monkeypatch.setenv(runner.DATA_DIR_ENV, str(tmp_path))
    yield tmp_path
    connection.stop_embedded_server()
