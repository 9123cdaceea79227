"""The tables of the local SCIM server, and the engine that opens them.

One schema serves SQLite (the default, a file) and PostgreSQL (workshops, several server
processes). Filters that clients send all the time are answered from plain indexed columns
and child tables, never from JSON functions, because those differ between the two dialects
and cannot be indexed the same way:

- ``resources``: one row per User or Group. Hot singular attributes (``userName``,
  ``externalId``, ``displayName``, ``name.familyName``, ``active``) are columns, strings that
  compare case-insensitively are also kept lowercased by Python (SQLite's ``lower()`` only
  folds ASCII). ``doc`` holds the stored attributes as JSON, the representation returned.
- ``multi_values``: one row per value of a multi-valued attribute (``emails``,
  ``phoneNumbers``, …), so that ``emails[type eq "work"].value eq "…"`` is an index lookup.
- ``memberships``: Group members. ``User.groups`` and ``Group.members`` are both assembled
  from it on read, so adding one member to a 5,000-member group inserts one row. A member's
  ``display`` is kept on its row when the client sent one (it is readWrite), else computed
  from the member's own name on read.
- ``tenants`` and ``tokens``: bearer tokens are kept only as SHA-256 hashes.
- ``learners``, ``instructors`` and ``progress``: a workshop's room (see the comment there).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

metadata = MetaData()

# The largest integer both databases can bind (SQLite INTEGER, PostgreSQL BIGINT). A bigger
# one from a client (startIndex=99999999999999999999) would fail in the driver with a 500;
# no row, offset or version can be that large, so callers answer such values themselves.
MAX_SQL_INTEGER = 2**63 - 1

tenant_table = Table(
    "tenants",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("created", String(32), nullable=False),
)

token_table = Table(
    "tokens",
    metadata,
    # hex SHA-256 of the bearer token: the token itself is never stored.
    Column("token_hash", String(64), primary_key=True),
    Column("tenant", String(64), ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
)

# A workshop's room (``scim-course workshop prepare``): each learner's name and tenant, the
# instructor tokens (hashed; they are no tenant's token), and each learner's progress per
# exercise as their checks report it: outcome, hint, counts and times, never code or data.
learner_table = Table(
    "learners",
    metadata,
    Column("name", String(128), primary_key=True),
    Column(
        "tenant",
        String(64),
        ForeignKey("tenants.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
)

instructor_table = Table(
    "instructors",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("name", String(128), nullable=False),
)

progress_table = Table(
    "progress",
    metadata,
    Column("tenant", String(64), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("exercise", String(128), primary_key=True),
    Column("outcome", String(8), nullable=False),  # "pass" | "hint"
    Column("hint", String(1000)),
    Column("seconds", Float),
    Column("reports", Integer, nullable=False),
    Column("same_hint", Integer, nullable=False),  # the same hint, this many times in a row
    Column("first_at", Float, nullable=False),  # Unix times, the server's clock
    Column("updated_at", Float, nullable=False),
    Column("passed_at", Float),
)

resource_table = Table(
    "resources",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(64), nullable=False),
    Column("rtype", String(16), nullable=False),
    Column("id", String(64), nullable=False),
    Column("user_name", String(512)),
    Column("user_name_lower", String(512)),
    Column("display_name", String(512)),
    Column("display_name_lower", String(512)),
    Column("external_id", String(512)),
    Column("family_name_lower", String(512)),
    Column("active", Boolean),
    Column("password_hash", String(128)),
    Column("created", String(32), nullable=False),
    Column("last_modified", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("doc", JSON, nullable=False),
    # Ids are server-generated UUIDs, unique across tenants; lookups still add the tenant.
    Index("ix_resources_id", "id", unique=True),
    # Default order of a listing ("stable order by creation") is pk within tenant and type.
    Index("ix_resources_listing", "tenant", "rtype", "pk"),
    Index("ux_resources_user_name", "tenant", "rtype", "user_name_lower", unique=True),
    Index(
        "ux_resources_group_name",
        "tenant",
        "display_name_lower",
        unique=True,
        sqlite_where=text("rtype = 'Group'"),
        postgresql_where=text("rtype = 'Group'"),
    ),
    Index("ix_resources_display_name", "tenant", "rtype", "display_name_lower"),
    Index("ix_resources_external_id", "tenant", "rtype", "external_id"),
    Index("ix_resources_family_name", "tenant", "rtype", "family_name_lower"),
    Index("ix_resources_active", "tenant", "rtype", "active"),
    Index("ix_resources_last_modified", "tenant", "rtype", "last_modified"),
)

multi_value_table = Table(
    "multi_values",
    metadata,
    Column(
        "resource_pk",
        Integer,
        ForeignKey("resources.pk", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("attr", String(32), primary_key=True),
    Column("pos", Integer, primary_key=True, autoincrement=False),
    Column("type_lower", String(512)),
    Column("value", String(512)),
    Column("value_lower", String(512)),
    Column("primary", Boolean),
    # The whole value, for the sub-attributes without a column (addresses.locality, …).
    Column("item", JSON, nullable=False),
    Index("ix_multi_values_value", "attr", "value_lower"),
)

membership_table = Table(
    "memberships",
    metadata,
    Column(
        "group_pk",
        Integer,
        ForeignKey("resources.pk", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "member_pk",
        Integer,
        ForeignKey("resources.pk", ondelete="CASCADE"),
        primary_key=True,
    ),
    # The member's display as the client sent it; NULL means "the member's own name".
    Column("display", String(512)),
    Column("display_lower", String(512)),
    Index("ix_memberships_member", "member_pk", "group_pk"),
)

# A pooled PostgreSQL connection unused for longer than this is pinged before it is handed
# out (see _ping_when_idle).
PING_AFTER_IDLE = 5.0

# How long a SQLite connection waits for another process's lock before "database is locked".
SQLITE_BUSY_SECONDS = 30

# Columns added to a table after its first release, by table: ``create_all`` creates missing
# tables but never alters an existing one, so :func:`_add_columns` brings an older file up
# to date. Every column listed here must be nullable.
ADDED_COLUMNS = {"memberships": ("display", "display_lower")}


def database_url(location: str | Path) -> str:
    """Turn a filesystem path or an SQLAlchemy URL into an SQLAlchemy URL."""
    text = str(location)
    if "://" in text:
        if text.startswith("postgresql://") or text.startswith("postgres://"):
            # The course ships psycopg 3; SQLAlchemy would otherwise look for psycopg2.
            text = "postgresql+psycopg://" + text.split("://", 1)[1]
        return text
    path = Path(text).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def create_db_engine(location: str | Path) -> Engine:
    """Open (and create if needed) the database behind a Store."""
    url = make_url(database_url(location))
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise ValueError(
                "The SCIM server needs a database file, not an in-memory SQLite database: "
                "its data must survive restarts and be shared by every connection."
            )
        engine = create_engine(
            url,
            json_serializer=_dumps,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS},
            pool_size=8,
            max_overflow=16,
        )
        _configure_sqlite(engine)
    elif url.get_backend_name() == "postgresql":
        # A fixed pool, every connection kept: with room to overflow, a busy server opened
        # connections past the pool size and closed them on return, hundreds a minute, each
        # a new PostgreSQL backend (bench/RESULTS.md, "Rooms"). Sixteen is what the pool
        # allowed at most before (8 + 8 overflow); a request that finds them all busy waits.
        engine = create_engine(
            url,
            json_serializer=_dumps,
            pool_size=16,
            max_overflow=0,
        )
        _ping_when_idle(engine)
    else:  # pragma: no cover - only the two dialects above are supported
        raise ValueError(
            f"Unsupported database {url.get_backend_name()!r}: use SQLite or PostgreSQL."
        )
    with engine.connect() as conn, conn.execution_options(scim_write=True).begin():
        # SQLite: BEGIN IMMEDIATE (see _on_begin). Several processes creating a new file at
        # once (`scim-course token` run in parallel) then wait for each other instead of
        # failing with "database is locked" when a deferred read upgrades to a write.
        if engine.dialect.name == "postgresql":
            # Several server processes may start at once on one database: serialise the
            # CREATE TABLEs, which PostgreSQL does not make safe against each other.
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7644)")
        metadata.create_all(conn)
        _add_columns(conn)
    return engine


def _add_columns(conn: Connection) -> None:
    """Add the :data:`ADDED_COLUMNS` an existing database lacks (a file from an older release)."""
    inspector = inspect(conn)
    for name, added in ADDED_COLUMNS.items():
        present = {column["name"] for column in inspector.get_columns(name)}
        for column in (metadata.tables[name].c[c] for c in added if c not in present):
            kind = column.type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE {name} ADD COLUMN {column.name} {kind}")


def analyse(engine: Engine) -> None:
    """Refresh the planner statistics after the tables grew a lot.

    PostgreSQL: autovacuum does it too, but only a minute or so later: right after seeding
    thousands of users the planner still believes the tables are empty and scans them instead
    of using the indexes (29 ms instead of 0.3 ms for userName eq at 10k users, measured).

    SQLite has no statistics at all until ANALYZE runs, and then guesses that ``tenant = ?``
    picks out a few rows: it answers ``id IN (...) AND tenant = ?`` (every member lookup) and
    ``(userName eq a or externalId eq b)`` by reading the whole tenant through
    ``ix_resources_listing`` instead of the unique index (bench/scale: seeding 1,000 groups
    took 203 s at 100k users; the compound filter 131 ms p50). Statistics are an optimisation:
    a failure to refresh them (a busy database) is ignored, never the caller's error.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE resources, multi_values, memberships")
            conn.commit()
    elif engine.dialect.name == "sqlite":
        with contextlib.suppress(DBAPIError), engine.connect() as conn:
            conn.execution_options(scim_write=True)
            with conn.begin():
                conn.exec_driver_sql("ANALYZE")


def optimise(engine: Engine) -> None:
    """Let SQLite refresh the statistics its query planner uses (cheap; run on close)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA optimize")
            conn.commit()


def _switch_to_wal(cursor: sqlite3.Cursor) -> None:
    """``PRAGMA journal_mode=WAL``, waiting its turn when another process creates the file.

    On a new, empty file the switch writes the file's first page, and a connection that is
    already reading may not wait for another's write lock: SQLite answers "database is
    locked" at once, without its busy handler (two ``scim-course token`` started together on
    a new file). It is retried here, for as long as any other lock is waited for.
    """
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    pause = 0.001
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        _switch_to_wal(cursor)
        # WAL + NORMAL is durable against a killed process (not against power loss).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        # Filters lowercase case-insensitive values themselves; LIKE must then be exact,
        # and an exact LIKE 'prefix%' can use an index.
        cursor.execute("PRAGMA case_sensitive_like=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writer takes the write lock up front: a deferred transaction that upgrades
        # later fails at once with "database is locked" instead of waiting its turn.
        statement = (
            "BEGIN IMMEDIATE" if connection.get_execution_options().get("scim_write") else "BEGIN"
        )
        # Straight to the driver: exec_driver_sql's execution context and result cost
        # about 6% of a GET (py-spy). Its errors are wrapped as SQLAlchemy would, so that
        # "database is locked" still reaches the retry of Store._writing.
        try:
            connection.connection.driver_connection.execute(statement)
        except sqlite3.OperationalError as exc:
            raise OperationalError(statement, None, exc) from exc


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled PostgreSQL connection before use only when it has been idle a while.

    A connection the database has dropped (PostgreSQL restarted, an idle timeout in between)
    must not fail a learner's request. SQLAlchemy's ``pool_pre_ping`` checks with a round trip
    on every checkout: 1 of the 5 round trips of a GET by id, about 5-10% of the server's and
    PostgreSQL's CPU per request (bench/RESULTS.md, "Rooms"). A connection used in the last
    few seconds is almost surely alive; one that is not gets the same ping, and if it fails,
    ``DisconnectionError`` makes the pool replace it and try again, as pre-ping does. A
    connection lost within seconds of its last use fails its next statement, which makes
    SQLAlchemy discard every pooled connection of that age.
    """

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        now = time.monotonic()
        last = record.info.get("scim_used", now)
        record.info["scim_used"] = now
        if now - last > PING_AFTER_IDLE:
            try:
                engine.dialect.do_ping(dbapi_connection)
            except engine.dialect.loaded_dbapi.Error as exc:
                raise DisconnectionError(str(exc)) from exc

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["scim_used"] = time.monotonic()
