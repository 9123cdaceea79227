"""``scim-course workshop prepare``: a room in one go, a private tokens file, idempotent."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from scim_helper.server.runner import LocalServer
from scim_helper.workshop.prepare import PrepareError, learner_names, prepare
from tests.fixtures.workshop import fresh_postgres

# Several Python programs of their own each (the CLI, server processes): the slow lane.
pytestmark = pytest.mark.slow


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_prepare_a_room_of_300_in_one_process(tmp_path: Path) -> None:
    """--learners 300 mints 300 learner tokens and one instructor token into a 0600 CSV."""
    tokens = tmp_path / "tokens.csv"
    command = [sys.executable, "-m", "scim_helper.cli", "workshop", "prepare"]
    command += ["--db", str(tmp_path / "room.db"), "--learners", "300", "--tokens", str(tokens)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    rows = _rows(tokens)
    assert rows[0] == ["name", "role", "token"]
    learners = [row for row in rows[1:] if row[1] == "learner"]
    assert [row[0] for row in learners[:2]] == ["learner-001", "learner-002"]
    assert len(learners) == 300 and learners[-1][0] == "learner-300"
    assert [row[1] for row in rows[1:]].count("instructor") == 1
    assert len({row[2] for row in rows[1:]}) == 301, "every token differs"
    assert stat.S_IMODE(tokens.stat().st_mode) == 0o600
    assert not any(row[2] in done.stdout + done.stderr for row in rows[1:]), "no token printed"
    with LocalServer(tmp_path / "room.db") as server:
        seen = set()
        for _name, _role, token in learners[::60]:
            headers = {"Authorization": f"Bearer {token}"}
            response = requests.get(f"{server.url}/Users", headers=headers, timeout=30)
            assert response.status_code == 200
            seen.add(server.store.tenant_for_token(token) if server.store else None)
        assert len(seen) == 5, "a tenant per learner"


def test_prepare_creates_the_tokens_file_0600_whatever_the_umask(tmp_path: Path) -> None:
    """Under umask 000 the file is still created 0600 (it never exists with wider modes)."""
    old = os.umask(0)
    try:
        prepare(str(tmp_path / "room.db"), ["ann"], tmp_path / "tokens.csv")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "tokens.csv").stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_prepare_again_keeps_the_tokens_and_adds_new_names(tmp_path: Path) -> None:
    """Re-running with more names keeps every existing token and adds only the new names."""
    db, tokens = str(tmp_path / "room.db"), tmp_path / "tokens.csv"
    first, new = prepare(db, ["ann", "bob"], tokens)
    assert new == ["ann", "bob"]
    before = _rows(tokens)
    _again, new = prepare(db, ["ann", "bob"], tokens)
    assert new == [] and _rows(tokens) == before
    more, new = prepare(db, ["ann", "bob", "cat"], tokens)
    assert new == ["cat"]
    assert more.learners["ann"] == first.learners["ann"]
    assert more.instructor == first.instructor
    assert _rows(tokens)[: len(before) - 1] == before[:-1]
    assert stat.S_IMODE(tokens.stat().st_mode) == 0o600


def test_learner_names_keep_their_width_when_the_room_grows() -> None:
    """--learners 1000 after --learners 3 names the first three as before."""
    assert learner_names(3, None) == ["learner-001", "learner-002", "learner-003"]
    assert learner_names(1000, None)[:3] == learner_names(3, None)
    assert learner_names(1000, None)[-1] == "learner-1000"


def test_prepare_with_a_names_file(tmp_path: Path) -> None:
    """--names FILE: one learner per line, blank lines and # comments skipped."""
    names = tmp_path / "names.txt"
    names.write_text("# hub users\njhalpert\n\npbeesly\n", encoding="utf-8")
    tokens = tmp_path / "tokens.csv"
    command = [sys.executable, "-m", "scim_helper.cli", "workshop", "prepare", "--db"]
    command += [str(tmp_path / "room.db"), "--names", str(names), "--tokens", str(tokens)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    assert [row[0] for row in _rows(tokens)[1:]] == ["jhalpert", "pbeesly", "instructor"]


def test_prepare_refuses_a_tokens_file_of_another_database(tmp_path: Path) -> None:
    """A tokens file whose tokens the database does not hold: an error that says what to do."""
    tokens = tmp_path / "tokens.csv"
    prepare(str(tmp_path / "one.db"), ["ann"], tokens)
    with pytest.raises(PrepareError, match=r"does not hold that token.*give the database"):
        prepare(str(tmp_path / "two.db"), ["ann"], tokens)


def test_prepare_refuses_to_lose_tokens_of_a_room_without_its_file(tmp_path: Path) -> None:
    """A room in the database but not in the given file: refused, naming the learners."""
    db = str(tmp_path / "room.db")
    prepare(db, ["ann"], tmp_path / "tokens.csv")
    with pytest.raises(PrepareError, match=r"learners \(ann\).*give that file with --tokens"):
        prepare(db, ["bob"], tmp_path / "elsewhere.csv")
    assert not (tmp_path / "elsewhere.csv").exists()


def test_prepare_refuses_duplicate_or_unusable_names(tmp_path: Path) -> None:
    names = tmp_path / "names.txt"
    names.write_text("ann\nann\n", encoding="utf-8")
    command = [sys.executable, "-m", "scim_helper.cli", "workshop", "prepare", "--db"]
    command += [str(tmp_path / "room.db"), "--names", str(names)]
    command += ["--tokens", str(tmp_path / "t.csv")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "'ann' appears twice" in done.stderr
    assert not (tmp_path / "t.csv").exists()


@pytest.mark.postgres
def test_prepare_on_postgresql_is_idempotent(tmp_path: Path, postgres_url: str) -> None:
    """The same on PostgreSQL: tokens kept on a second run, new names added."""
    db, tokens = fresh_postgres(postgres_url), tmp_path / "tokens.csv"
    first, _ = prepare(db, [f"l{i}" for i in range(50)], tokens)
    again, new = prepare(db, [f"l{i}" for i in range(60)], tokens)
    assert new == [f"l{i}" for i in range(50, 60)]
    assert {n: again.learners[n] for n in first.learners} == first.learners
    with LocalServer(db) as server:
        assert server.store is not None
        tenants = {server.store.tenant_for_token(t) for t in again.learners.values()}
        assert None not in tenants and len(tenants) == 60
