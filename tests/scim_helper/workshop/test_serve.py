"""``scim-course workshop serve``: N processes on one database behind one URL."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
import requests

from tests.fixtures.workshop import WorkshopServer, fresh_postgres, prepare_room

SERVE = [sys.executable, "-m", "scim_helper.cli", "workshop", "serve", "--port", "0"]

# Several Python programs of their own each (the CLI, server processes): the slow lane.
pytestmark = pytest.mark.slow


def test_serve_refuses_several_processes_on_sqlite_kindly(tmp_path: Path) -> None:
    db = str(tmp_path / "room.db")
    prepare_room(db, ["ann"], tmp_path / "tokens.csv")
    done = subprocess.run(
        [*SERVE, "--db", db, "--processes", "2"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "SQLite serves a room from one process (--processes 1)" in done.stderr
    assert "PostgreSQL" in done.stderr


def test_serve_an_unprepared_database_says_prepare_first(tmp_path: Path) -> None:
    done = subprocess.run(
        [*SERVE, "--db", str(tmp_path / "empty.db")], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "run 'scim-course workshop prepare" in done.stderr


def test_serve_closes_its_database_when_stopped(tmp_path: Path) -> None:
    """SIGTERM stops the server cleanly: its store is closed, so SQLite folds its write-ahead
    log back into the file and removes it (a process that just exits leaves room.db-wal)."""
    db = tmp_path / "room.db"
    room = prepare_room(str(db), ["ann"], tmp_path / "tokens.csv")
    with WorkshopServer(str(db)) as server:
        headers = {"Authorization": f"Bearer {room.learners['ann']}"}
        user = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "kevin"}
        created = requests.post(f"{server.url}/Users", json=user, headers=headers, timeout=30)
        assert created.status_code == 201
        assert (tmp_path / "room.db-wal").exists(), "the write is in the log while it runs"
    assert not (tmp_path / "room.db-wal").exists(), "".join(server.output)
    with WorkshopServer(str(db)) as again:
        found = requests.get(f"{again.url}/Users", headers=headers, timeout=30).json()
    assert [u["userName"] for u in found["Resources"]] == ["kevin"]


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


@pytest.mark.postgres
def test_two_processes_on_postgresql_share_the_load_and_lose_no_write(
    tmp_path: Path, postgres_url: str
) -> None:
    """Two server processes behind one URL: both answer requests, and 400 progress reports and
    80 user creations sent at once by 16 clients are all there afterwards."""
    db = fresh_postgres(postgres_url)
    room = prepare_room(db, ["ann", "bob"], tmp_path / "tokens.csv")
    with WorkshopServer(db, processes=2) as server:
        assert server.process is not None
        deadline = time.monotonic() + 60
        workers: list[psutil.Process] = []
        while len(workers) < 2 and time.monotonic() < deadline:
            children = psutil.Process(server.process.pid).children(recursive=True)
            # uvicorn's workers are spawned: "... spawn_main ..." (not the resource tracker)
            workers = [p for p in children if "spawn_main" in " ".join(p.cmdline())]
            time.sleep(0.2)
        assert len(workers) == 2, workers
        # Let both workers finish starting (each opens the database), then measure.
        time.sleep(3)
        before = {w.pid: _cpu(w) for w in workers}

        def send(i: int) -> tuple[int, int]:
            name = ("ann", "bob")[i % 2]
            headers = {"Authorization": f"Bearer {room.learners[name]}", "Connection": "close"}
            report = {"exercise": f"ex/{i % 5}", "outcome": "hint", "hint": "h"}
            sent = requests.post(
                f"{server.url}/Workshop/Progress", json=report, headers=headers, timeout=60
            )
            created = 201
            if i % 5 == 0:
                user = {
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": f"user{i}",
                }
                created = requests.post(
                    f"{server.url}/Users", json=user, headers=headers, timeout=60
                ).status_code
            return sent.status_code, created

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(send, range(400)))
        assert set(answers) == {(204, 201)}
        used = {w.pid: _cpu(w) - before[w.pid] for w in workers}
        assert all(seconds > 0.2 for seconds in used.values()), f"CPU seconds per worker: {used}"
        for name in ("ann", "bob"):
            headers = {"Authorization": f"Bearer {room.learners[name]}"}
            mine = requests.get(f"{server.url}/Workshop", headers=headers, timeout=30).json()
            assert sum(e["reports"] for e in mine["progress"]) == 200
            users = requests.get(f"{server.url}/Users", headers=headers, timeout=30).json()
            assert users["totalResults"] == 40
    assert server.process.returncode == 0, "".join(server.output)


def test_no_token_in_the_servers_output(tmp_path: Path) -> None:
    """At log level debug, a sign-in, reports, reads and refusals leave no token in the output."""
    db = str(tmp_path / "room.db")
    room = prepare_room(db, ["ann"], tmp_path / "tokens.csv")
    assert room.instructor is not None
    ann = room.learners["ann"]
    with WorkshopServer(db, log_level="debug") as server:
        session = requests.Session()
        signed = session.post(
            f"{server.root}/workshop/login", data={"token": room.instructor}, timeout=30
        )
        assert signed.status_code == 200 and "Workshop progress" in signed.text
        assert session.get(f"{server.root}/workshop/progress.csv", timeout=30).status_code == 200
        headers = {"Authorization": f"Bearer {ann}"}
        report = {"exercise": "x/y", "outcome": "hint", "hint": "h"}
        requests.post(f"{server.url}/Workshop/Progress", json=report, headers=headers, timeout=30)
        requests.get(f"{server.url}/Users/{ann}", headers=headers, timeout=30)
        requests.get(f"{server.url}/{ann}", timeout=30)
        session.post(f"{server.root}/workshop/login", data={"token": ann}, timeout=30)
        assert requests.get(f"{server.root}/workshop", timeout=30).url.endswith("/workshop/")
    output = "".join(server.output)
    assert "/Workshop/Progress" in output, "the access log is on"
    assert ann not in output and room.instructor not in output
