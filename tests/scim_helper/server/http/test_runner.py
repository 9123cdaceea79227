"""LocalServer: the one in-process runner (a uvicorn server in a daemon thread)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from scim_helper.server.runner import LocalServer
from tests.fixtures.postgres import postgres_url  # noqa: F401  (fixture)

from .conftest import GROUP, USER


def test_runner_starts_fast_on_a_free_loopback_port(tmp_path: Path) -> None:
    """start() returns in well under a second with the real port in url, on 127.0.0.1."""
    server = LocalServer(tmp_path / "scim.db")
    began = time.perf_counter()
    server.start()
    try:
        assert time.perf_counter() - began < 1.0
        assert server.url.startswith("http://127.0.0.1:")
        assert server.url.endswith("/scim/v2")
        assert server.port != 0
        assert server.token and server.tenant
        response = requests.get(
            f"{server.url}/Users", headers={"Authorization": f"Bearer {server.token}"}, timeout=30
        )
        assert response.status_code == 200
    finally:
        server.stop()
    server.stop()


def test_runner_restart_with_same_db_and_token_finds_the_data(tmp_path: Path) -> None:
    """Stopping and starting again with the same db and token finds the same tenant and data."""
    db = tmp_path / "scim.db"
    with LocalServer(db, token="course-token") as first:
        headers = {"Authorization": "Bearer course-token"}
        body = {"schemas": [USER], "userName": "persisted"}
        assert requests.post(f"{first.url}/Users", json=body, headers=headers).status_code == 201
        tenant = first.tenant
    with LocalServer(db, token="course-token") as second:
        assert second.tenant == tenant
        found = requests.get(f"{second.url}/Users", headers=headers, timeout=30).json()
        assert [u["userName"] for u in found["Resources"]] == ["persisted"]


def test_runner_refuses_a_port_in_use(tmp_path: Path, local_server: LocalServer) -> None:
    """Starting on a port another server holds raises OSError and leaves nothing running."""
    server = LocalServer(tmp_path / "scim.db", port=local_server.port)
    with pytest.raises(OSError):
        server.start()
    assert server.store is None


@pytest.mark.postgres
def test_two_servers_on_one_postgresql_database_share_everything(
    postgres_url: str,  # noqa: F811
) -> None:
    """Two runners on one PostgreSQL URL keep no state of their own: tokens, data, ETags."""
    with LocalServer(postgres_url) as first, LocalServer(postgres_url) as second:
        headers = {"Authorization": f"Bearer {first.token}"}
        body = {"schemas": [USER], "userName": "shared"}
        created = requests.post(f"{first.url}/Users", json=body, headers=headers, timeout=30)
        assert created.status_code == 201, created.text
        user = created.json()
        group = {"schemas": [GROUP], "displayName": "Shared", "members": [{"value": user["id"]}]}
        group_id = requests.post(
            f"{second.url}/Groups", json=group, headers=headers, timeout=30
        ).json()["id"]
        read = requests.get(f"{first.url}/Users/{user['id']}", headers=headers, timeout=30)
        assert [g["value"] for g in read.json()["groups"]] == [group_id]
        if_match = {**headers, "If-Match": read.json()["meta"]["version"]}
        replaced = requests.put(
            f"{second.url}/Users/{user['id']}", json=body, headers=if_match, timeout=30
        )
        assert replaced.status_code == 200, replaced.text
        url = f"{first.url}/Users/{user['id']}"
        again = requests.put(url, json=body, headers=if_match, timeout=30)
        assert again.status_code == 412


def test_ours_an_idle_server_ticks_once_a_second(tmp_path: Path) -> None:
    """uvicorn's loop would wake ten times a second to look at should_exit; ours ticks once
    (each wake-up of an idle process costs CPU: bench/RESULTS.md, session 7). A slow machine
    can only make fewer ticks."""
    with LocalServer(tmp_path / "scim.db") as server:
        quiet = server._server
        assert quiet is not None
        ticks: list[int] = []
        tick = quiet.on_tick

        async def counted(counter: int) -> bool:
            ticks.append(counter)
            return await tick(counter)

        quiet.on_tick = counted  # type: ignore[method-assign]
        time.sleep(2.5)
        answer = requests.get(
            f"{server.url}/ServiceProviderConfig",
            headers={"Authorization": f"Bearer {server.token}"},
            timeout=30,
        )
        assert answer.status_code == 200
        assert answer.headers["date"]  # still set, once a second
    assert 1 <= len(ticks) <= 3, ticks
    assert all(counter % 10 == 0 for counter in ticks)  # uvicorn's per-second work each time


def test_ours_stopping_wakes_the_idle_loop_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Setting should_exit wakes the loop rather than waiting for its next tick: with a tick of
    an hour, stop() still ends the server (its thread is joined, the port refuses)."""
    from scim_helper.server.runner import QuietServer

    monkeypatch.setattr(QuietServer, "tick", 3600.0)
    server = LocalServer(tmp_path / "scim.db").start()
    thread, url = server._thread, server.url
    assert thread is not None
    server.stop()
    assert not thread.is_alive()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/ServiceProviderConfig", timeout=5)
