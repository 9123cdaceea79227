"""Concurrency (issue 5): many clients writing at once lose nothing, ETags serialise
competing writers (RFC 7644 §3.14), and nothing deadlocks or answers 5xx.

On SQLite through the session's server; on PostgreSQL through two server processes sharing
one database, as a workshop runs them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from .conftest import BULK, GROUP, PATCH_OP, USER, Api, check_error
from .processes import ServerProcess

THREADS = 16
TIMEOUT = 120  # seconds any one phase may take before it counts as a deadlock


def _create_users(url: str, headers: dict[str, str], prefix: str, count: int) -> list[str]:
    """``count`` users made through Bulk (1,000 per request); their ids in order."""
    ids: list[str] = []
    for start in range(0, count, 1000):
        operations = [
            {
                "method": "POST",
                "path": "/Users",
                "bulkId": str(n),
                "data": {"schemas": [USER], "userName": f"{prefix}{n}"},
            }
            for n in range(start, min(start + 1000, count))
        ]
        response = requests.post(
            f"{url}/Bulk",
            json={"schemas": [BULK], "Operations": operations},
            headers=headers,
            timeout=TIMEOUT,
        )
        assert response.status_code == 200, response.text
        results = response.json()["Operations"]
        assert all(result["status"] == "201" for result in results), results[:3]
        ids += [result["location"].rsplit("/", 1)[1] for result in results]
    return ids


def _in_threads(work: Callable[[int], Any], threads: int = THREADS) -> list[Any]:
    """Run ``work(0..threads-1)`` at once (started together by a barrier); their results."""
    barrier = threading.Barrier(threads, timeout=TIMEOUT)

    def started(index: int) -> Any:
        barrier.wait()
        return work(index)

    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(started, index) for index in range(threads)]
        return [future.result(timeout=TIMEOUT) for future in futures]


def _add_members(urls: list[str], headers: dict[str, str], group: str, ids: list[str]) -> list[int]:
    """16 threads add ``ids`` to ``group``, one PATCH per member, spread over ``urls``."""

    def work(index: int) -> list[int]:
        statuses = []
        with requests.Session() as session:
            session.headers.update(headers)
            url = urls[index % len(urls)]
            for member in ids[index::THREADS]:
                response = session.patch(
                    f"{url}/Groups/{group}",
                    params={"attributes": "id"},
                    json={
                        "schemas": [PATCH_OP],
                        "Operations": [
                            {"op": "add", "path": "members", "value": [{"value": member}]}
                        ],
                    },
                    timeout=TIMEOUT,
                )
                statuses.append(response.status_code)
        return statuses

    return [status for statuses in _in_threads(work) for status in statuses]


def _race_puts(urls: list[str], headers: dict[str, str], user: dict[str, Any]) -> list[int]:
    """16 threads PUT the same user with the same If-Match at the same moment."""
    etag = user["meta"]["version"]

    def work(index: int) -> tuple[int, str]:
        body = {"schemas": [USER], "userName": user["userName"], "title": f"writer {index}"}
        response = requests.put(
            f"{urls[index % len(urls)]}/Users/{user['id']}",
            json=body,
            headers={**headers, "If-Match": etag},
            timeout=TIMEOUT,
        )
        if response.status_code != 200:
            check_error(response, 412)
        return response.status_code, body["title"]

    return _in_threads(work)


def test_rfc7644_3_5_2_sixteen_threads_add_2000_members_and_all_land(api: Api) -> None:
    """16 threads adding 2,000 distinct members to one group, one PATCH each, lose none."""
    ids = _create_users(api.url, dict(api.session.headers), "member", 2000)
    group = api.create_group("Everyone")
    statuses = _add_members([api.url], dict(api.session.headers), group["id"], ids)
    assert len(statuses) == 2000
    assert set(statuses) == {200}
    members = api.get(f"/Groups/{group['id']}").json()["members"]
    assert sorted(m["value"] for m in members) == sorted(ids)


def test_rfc7644_3_14_concurrent_puts_with_one_if_match_exactly_one_wins(api: Api) -> None:
    """16 PUTs with the same If-Match at once: one 200, fifteen 412, the winner's data kept."""
    user = api.create_user("contested")
    for _ in range(3):
        results = _race_puts([api.url], dict(api.session.headers), user)
        winners = [title for status, title in results if status == 200]
        assert sorted(status for status, _ in results) == [200] + [412] * (THREADS - 1)
        user = api.get(f"/Users/{user['id']}").json()
        assert user["title"] == winners[0]


def test_rfc7644_3_14_concurrent_patches_with_one_if_match_exactly_one_wins(api: Api) -> None:
    """16 PATCHes of one group with the same If-Match at once: exactly one applies."""
    group = api.create_group("Contested")
    ids = _create_users(api.url, dict(api.session.headers), "racer", THREADS)

    def work(index: int) -> int:
        response = requests.patch(
            f"{api.url}/Groups/{group['id']}",
            json={
                "schemas": [PATCH_OP],
                "Operations": [{"op": "add", "path": "members", "value": [{"value": ids[index]}]}],
            },
            headers={**api.session.headers, "If-Match": group["meta"]["version"]},
            timeout=TIMEOUT,
        )
        if response.status_code != 200:
            check_error(response, 412)
        return response.status_code

    assert sorted(_in_threads(work)) == [200] + [412] * (THREADS - 1)
    assert len(api.get(f"/Groups/{group['id']}").json()["members"]) == 1


@pytest.fixture(scope="module")
def two_processes(
    postgres_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[list[ServerProcess]]:
    """Two server processes on one PostgreSQL database, accepting one token."""
    home: Path = tmp_path_factory.mktemp("pg-home")
    servers = [
        ServerProcess(postgres_url, "workshop-token", log_level="warning", home=home)
        for _ in range(2)
    ]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()
        for server in servers:
            assert "Unhandled error" not in server.log, server.log


@pytest.mark.postgres
def test_postgres_two_processes_add_members_concurrently(
    two_processes: list[ServerProcess],
) -> None:
    """On PostgreSQL, 16 threads over two server processes add 480 members; none is lost."""
    first = two_processes[0]
    urls = [server.url for server in two_processes]
    ids = _create_users(first.url, first.headers, "pg-member", 480)
    group = requests.post(
        f"{first.url}/Groups",
        json={"schemas": [GROUP], "displayName": "Workshop"},
        headers=first.headers,
        timeout=TIMEOUT,
    ).json()
    statuses = _add_members(urls, first.headers, group["id"], ids)
    assert set(statuses) == {200}
    for server in two_processes:
        members = requests.get(
            f"{server.url}/Groups/{group['id']}", headers=server.headers, timeout=TIMEOUT
        ).json()["members"]
        assert sorted(m["value"] for m in members) == sorted(ids)


@pytest.mark.postgres
def test_postgres_two_processes_one_if_match_exactly_one_wins(
    two_processes: list[ServerProcess],
) -> None:
    """On PostgreSQL, PUTs with one If-Match sent to two processes at once: exactly one wins."""
    first = two_processes[0]
    urls = [server.url for server in two_processes]
    user = requests.post(
        f"{first.url}/Users",
        json={"schemas": [USER], "userName": "pg-contested"},
        headers=first.headers,
        timeout=TIMEOUT,
    ).json()
    for _ in range(3):
        results = _race_puts(urls, first.headers, user)
        assert sorted(status for status, _ in results) == [200] + [412] * (THREADS - 1)
        user = requests.get(
            f"{urls[1]}/Users/{user['id']}", headers=first.headers, timeout=TIMEOUT
        ).json()
        assert user["title"] == next(title for status, title in results if status == 200)
