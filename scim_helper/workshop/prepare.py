"""``scim-course workshop prepare``: the database and a token per learner, for a whole room.

One process and one transaction: the schema is created or upgraded, then every new learner gets
a tenant and a token, and the room one instructor token, in a handful of statements (a room of
300 takes about a second). The tokens go to a CSV (``name,role,token``) that only its owner can
read, from the moment it exists: it is written to a new 0600 file beside it, then renamed over
it, after the database has committed.

Re-running is safe: the CSV is the only copy of the tokens (the database keeps only their
hashes), so prepare reads it, checks every token against the database, keeps them, and adds
only the names that are new.
"""

from __future__ import annotations

import csv
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection

from scim_helper.server import roster
from scim_helper.server.cli import open_store, shown_db
from scim_helper.server.tenants import token_hash

HEADER = ["name", "role", "token"]
LEARNER, INSTRUCTOR = "learner", "instructor"
_NAME_MAX = 128


class PrepareError(Exception):
    """The room cannot be prepared as asked; the message says what to do."""


@dataclass
class Room:
    """The tokens file's rows: learners in order, and the instructor's token."""

    learners: dict[str, str] = field(default_factory=dict)  # name -> token
    instructor: str | None = None

    def rows(self) -> list[list[str]]:
        rows = [[name, LEARNER, token] for name, token in self.learners.items()]
        if self.instructor:
            rows.append([INSTRUCTOR, INSTRUCTOR, self.instructor])
        return rows


def learner_names(count: int | None, names_file: Path | None) -> list[str]:
    """``--learners N`` → learner-001, …, learner-999, learner-1000, …;
    ``--names FILE`` → one name per line (blank lines and # comments skipped)."""
    if names_file is not None:
        try:
            lines = names_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise PrepareError(f"Cannot read the names file {names_file}: {exc.strerror}.") from exc
        names = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    elif count is not None:
        # Always three digits at least, whatever N: re-running with a larger N must give the
        # first learners the same names (learner-001 stays learner-001 at N = 1000).
        names = [f"learner-{i:03d}" for i in range(1, count + 1)]
    else:
        names = []
    seen: set[str] = set()
    for name in names:
        if len(name) > _NAME_MAX or any(ch in name for ch in ',"\r\n'):
            raise PrepareError(
                f"The learner name {name[:40]!r} cannot be used: at most {_NAME_MAX} "
                "characters, without commas or quotes. Hub usernames always fit."
            )
        if name in seen:
            raise PrepareError(f"The learner name {name!r} appears twice; names must be unique.")
        seen.add(name)
    return names


def read_tokens(path: Path) -> Room:
    """The tokens file written by an earlier prepare (an empty room if there is none)."""
    room = Room()
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        return room
    if not rows or rows[0] != HEADER:
        raise PrepareError(
            f"{path} is not a tokens file of 'scim-course workshop prepare' (its first line "
            f"should be {','.join(HEADER)}). Give another --tokens path."
        )
    for row in rows[1:]:
        if len(row) != 3 or row[1] not in (LEARNER, INSTRUCTOR) or not row[2]:
            raise PrepareError(f"{path} has a line that is not name,role,token: fix or remove it.")
        name, role, token = row
        if role == INSTRUCTOR:
            room.instructor = token
        else:
            room.learners[name] = token
    return room


def write_tokens(path: Path, room: Room) -> Path:
    """Write the rows to a new 0600 file beside ``path``; returns it (renamed over ``path``
    by :func:`prepare` once the database has committed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pending = path.with_name(f".{path.name}.{os.getpid()}.new")
    descriptor = os.open(pending, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(room.rows())
    return pending


def _check_kept(conn: Connection, room: Room, tokens: Path) -> None:
    """Every token of the file must be in the database, and every learner there in the file."""
    known = roster.learners(conn)
    advice = (
        "The tokens file and the database must belong together: give the database this file "
        "was made for, or a new --tokens path for a new database."
    )
    for name, token in room.learners.items():
        if name not in known or roster.token_tenant(conn, token) != known[name]:
            raise PrepareError(
                f"{tokens} lists learner {name!r}, but this database does not hold that "
                f"token. {advice}"
            )
    if room.instructor and token_hash(room.instructor) not in roster.instructor_hashes(conn):
        raise PrepareError(
            f"{tokens} holds an instructor token this database does not know. {advice}"
        )
    lost = sorted(set(known) - set(room.learners))
    if lost or (roster.instructor_hashes(conn) and not room.instructor):
        who = f"learners ({', '.join(lost[:3])}{'…' if len(lost) > 3 else ''})" if lost else ""
        raise PrepareError(
            f"This database already has a room whose {who or 'instructor token'} "
            f"{tokens} does not list. Tokens are kept only in the tokens file written the "
            "first time: give that file with --tokens."
        )


def prepare(db: str, names: list[str], tokens: Path) -> tuple[Room, list[str]]:
    """Create or upgrade the database and the room; returns the room and the new names."""
    room = read_tokens(tokens)
    new = [name for name in names if name not in room.learners]
    store = open_store(db)
    pending: Path | None = None
    try:
        with store.engine.connect() as conn:
            conn.execution_options(scim_write=True)  # SQLite: BEGIN IMMEDIATE
            with conn.begin():
                _check_kept(conn, room, tokens)
                room.learners.update(roster.enrol(conn, new))
                if not room.instructor:
                    room.instructor = roster.add_instructor(conn)
                # Written before the commit: a failure here leaves the database unchanged.
                pending = write_tokens(tokens, room)
            os.replace(pending, tokens)
    except BaseException:
        if pending is not None:
            pending.unlink(missing_ok=True)
        raise
    finally:
        store.close()
    return room, new


def run(db: str, count: int | None, names_file: Path | None, tokens: Path) -> int:
    try:
        names = learner_names(count, names_file)
        room, new = prepare(db, names, tokens)
    except PrepareError as error:
        print(f"scim-course workshop prepare: {error}", file=sys.stderr)
        return 1
    print(
        f"Room ready in {shown_db(db)}: {len(room.learners)} learners ({len(new)} new) and "
        f"an instructor. Tokens in {tokens} (readable only by you; it is their only copy)."
    )
    print(f"Next: scim-course workshop serve --db {shown_db(db)}")
    return 0
