"""Durability (issue 5): the server process is killed with SIGKILL in the middle of a write
load; after a restart every write it acknowledged with a 2xx is there, and the SQLite file
passes its integrity and foreign-key checks."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from .conftest import GROUP, PATCH_OP, USER
from .processes import ServerProcess

WRITERS = 6
LOAD_SECONDS = 1.5
TOKEN = "durability-token"


@dataclass
class Acknowledged:
    """What the server confirmed with a 2xx before it died."""

    users: set[str] = field(default_factory=set)
    titles: dict[str, int] = field(default_factory=dict)  # user id -> last title number
    members: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _writer(url: str, group: str, index: str, done: Acknowledged, stop: threading.Event) -> None:
    """Create users, add each to the group, and keep PATCHing one title, until stopped."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    deadline = time.monotonic() + 30
    with requests.Session() as session:
        session.headers.update(headers)
        try:
            own = session.post(
                f"{url}/Users",
                json={"schemas": [USER], "userName": f"writer{index}"},
                timeout=10,
            )
            if own.status_code != 201:
                return
            own_id = own.json()["id"]
            for n in range(100_000):
                if stop.is_set() or time.monotonic() > deadline:
                    return
                created = session.post(
                    f"{url}/Users",
                    json={"schemas": [USER], "userName": f"w{index}-{n}"},
                    timeout=10,
                )
                assert created.status_code == 201, created.text
                user = created.json()["id"]
                with done.lock:
                    done.users.add(user)
                added = session.patch(
                    f"{url}/Groups/{group}",
                    params={"attributes": "id"},
                    json={
                        "schemas": [PATCH_OP],
                        "Operations": [
                            {"op": "add", "path": "members", "value": [{"value": user}]}
                        ],
                    },
                    timeout=10,
                )
                assert added.status_code == 200, added.text
                with done.lock:
                    done.members.add(user)
                titled = session.patch(
                    f"{url}/Users/{own_id}",
                    json={
                        "schemas": [PATCH_OP],
                        "Operations": [{"op": "replace", "path": "title", "value": str(n)}],
                    },
                    timeout=10,
                )
                assert titled.status_code == 200, titled.text
                with done.lock:
                    done.titles[own_id] = n
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            # The server was killed, before or while answering (a body cut short was never
            # acknowledged): what was acknowledged is all that counts.
            return


def _all(url: str, endpoint: str) -> list[dict]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    found: list[dict] = []
    for start in range(1, 1_000_000, 200):
        page = requests.get(
            f"{url}/{endpoint}",
            params={"startIndex": start, "count": 200},
            headers=headers,
            timeout=30,
        ).json()
        found += page["Resources"]
        if start + 200 > page["totalResults"]:
            return found
    raise AssertionError("unreachable")


def _check_sqlite(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()


def test_sigkill_during_writes_loses_nothing_acknowledged(tmp_path: Path) -> None:
    """Twice, SIGKILL mid-load; after restart every acknowledged write is there, the file sound."""
    db = tmp_path / "scim.db"
    done = Acknowledged()
    group = ""
    for round_ in range(2):
        with ServerProcess(db, TOKEN, log_level="warning", home=tmp_path) as server:
            if not group:
                group = requests.post(
                    f"{server.url}/Groups",
                    json={"schemas": [GROUP], "displayName": "Survivors"},
                    headers=server.headers,
                    timeout=30,
                ).json()["id"]
            stop = threading.Event()
            writers = [
                threading.Thread(
                    target=_writer, args=(server.url, group, f"{round_}.{i}", done, stop)
                )
                for i in range(WRITERS)
            ]
            acknowledged_before = len(done.users)
            for writer in writers:
                writer.start()
            time.sleep(LOAD_SECONDS)
            server.kill()
            stop.set()
            for writer in writers:
                writer.join(timeout=30)
            assert not any(writer.is_alive() for writer in writers)
            assert server.process is not None and server.process.returncode == -9
            assert len(done.users) > acknowledged_before, server.log
        _check_sqlite(db)

    with ServerProcess(db, TOKEN, log_level="warning", home=tmp_path) as server:
        users = {user["id"]: user for user in _all(server.url, "Users")}
        assert done.users <= users.keys()
        for user, number in done.titles.items():
            assert int(users[user]["title"]) >= number
        members = requests.get(
            f"{server.url}/Groups/{group}", headers=server.headers, timeout=30
        ).json()["members"]
        assert done.members <= {member["value"] for member in members}
    _check_sqlite(db)
