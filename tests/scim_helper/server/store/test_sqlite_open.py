"""Opening a SQLite file that another process is creating at the same moment.

A new, empty file is switched to WAL by its first connection, which writes the file's first
page. A connection that is already reading may not wait for another's write lock, so SQLite
answers "database is locked" at once, busy timeout or not (CI saw it: ten `scim-course token`
started together on new files). Here the other process is a plain sqlite3 connection holding
its first write open on the empty file, which puts every new connection in that spot.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import DatabaseError, OperationalError

from scim_helper.server import db


@pytest.fixture
def creating(tmp_path: Path) -> Iterator[tuple[Path, sqlite3.Connection]]:
    """A new file, and another connection in the middle of writing its first table."""
    path = tmp_path / "new.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE theirs (a)")
    yield path, other
    other.close()


def test_sqlite_switch_to_wal_waits_for_a_process_creating_the_same_new_file(
    creating: tuple[Path, sqlite3.Connection],
) -> None:
    path, other = creating
    # Proof of the spot: a plain connection with a long busy timeout fails at once.
    plain = sqlite3.connect(path, isolation_level=None, timeout=30)
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        plain.execute("PRAGMA journal_mode=WAL")
    plain.close()

    threading.Timer(0.3, other.execute, ("COMMIT",)).start()
    engine = db.create_db_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            tables = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
        assert {"theirs", "resources", "tokens"} <= tables
    finally:
        engine.dispose()


def test_sqlite_switch_to_wal_gives_up_after_the_busy_timeout(
    creating: tuple[Path, sqlite3.Connection], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = creating
    monkeypatch.setattr(db, "SQLITE_BUSY_SECONDS", 0.2)
    with pytest.raises(OperationalError, match="database is locked"):
        db.create_db_engine(f"sqlite:///{path}")


def test_sqlite_open_fails_at_once_on_a_file_that_is_not_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a busy database is waited for: any other error is the caller's at once."""
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are not the tables you are looking for" * 100)
    calls: list[float] = []
    monkeypatch.setattr(db.time, "sleep", calls.append)
    with pytest.raises(DatabaseError, match="not a database"):
        db.create_db_engine(f"sqlite:///{path}")
    assert calls == []
