"""store.execute.run: the store's statements on the driver's cursor answer what
``Connection.execute`` answers, fail as it fails, and leave the connection as it would.

Every test runs on a real SQLite file and on PostgreSQL (the ``store`` fixture)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, MultipleResultsFound, NoResultFound
from sqlalchemy.types import TypeDecorator

from scim_helper.server.store import Store
from scim_helper.server.store import execute as execute_module
from scim_helper.server.store.execute import run
from scim_helper.server.store.rows import BY_ID, TAKEN, resource_table

USER = "urn:ietf:params:scim:schemas:core:2.0:User"


def _users(store: Store, tenant: str, *names: str) -> list[dict[str, Any]]:
    return [store.create(tenant, "User", {"schemas": [USER], "userName": n}) for n in names]


@pytest.fixture
def conn(store: Store) -> Iterator[Connection]:
    with store.engine.connect() as connection, connection.begin():
        yield connection


def test_a_row_by_id_is_what_connection_execute_gives(
    store: Store, tenant: str, conn: Connection
) -> None:
    """Same values, same names, JSON already decoded on both databases."""
    (user,) = _users(store, tenant, "kevin")
    group = store.create(tenant, "Group", {"schemas": [], "displayName": "Accounting"})
    store.patch(
        tenant,
        "Group",
        group["id"],
        [{"op": "add", "path": "members", "value": [{"value": user["id"]}]}],
    )
    params = {"rid": user["id"], "tenant": tenant}
    ours = run(conn, BY_ID["User"], params).first()
    theirs = conn.execute(BY_ID["User"], params).first()
    assert tuple(ours) == tuple(theirs)
    assert ours.id == user["id"] and ours.doc["userName"] == "kevin"
    assert [g["value"] for g in ours.groups] == [group["id"]]
    assert ours._fields == tuple(theirs._fields)


def test_a_missing_row_is_none_and_an_empty_result(tenant: str, conn: Connection) -> None:
    result = run(conn, BY_ID["User"], {"rid": "no-such-id", "tenant": tenant})
    assert result.first() is None
    assert result.all() == [] and list(result) == []
    assert result.scalar_one_or_none() is None
    with pytest.raises(NoResultFound):
        result.scalar_one()


def test_expanding_in_and_dynamic_literals_are_bound(
    store: Store, tenant: str, conn: Connection
) -> None:
    """An IN list of any length (expanding parameter) and literal values in a statement built
    per request (SQLAlchemy's cache key carries them) reach the database."""
    _users(store, tenant, "Oscar", "Angela", "Kevin")
    keys = {"tenant": tenant, "own": -1}
    taken = run(conn, TAKEN["User"], {**keys, "keys": ["oscar", "kevin", "toby"]}).scalars()
    assert sorted(taken) == ["kevin", "oscar"]
    assert run(conn, TAKEN["User"], {**keys, "keys": ["angela"]}).scalars().all() == ["angela"]
    for name, expected in (("oscar", 1), ("angela", 1), ("creed", 0)):
        # A new statement object each time, with the name as a literal, not a bindparam.
        counting = select(func.count()).where(
            resource_table.c.tenant == tenant, resource_table.c.user_name_lower == name
        )
        assert run(conn, counting).scalar_one() == expected


def test_a_limit_and_the_order_are_kept(store: Store, tenant: str, conn: Connection) -> None:
    _users(store, tenant, "a", "b", "c")
    names = resource_table.c.user_name
    page = select(names).where(resource_table.c.tenant == tenant).order_by(names.desc())
    assert [row.user_name for row in run(conn, page.limit(2))] == ["c", "b"]
    with pytest.raises(MultipleResultsFound):
        run(conn, page).scalar_one()
    with pytest.raises(MultipleResultsFound):
        run(conn, page).scalar_one_or_none()
    assert run(conn, page.limit(1)).scalar_one() == "c"
    assert run(conn, page.limit(1)).scalar_one_or_none() == "c"


def test_a_statement_without_rows_gives_an_empty_result(
    store: Store, tenant: str, conn: Connection
) -> None:
    (user,) = _users(store, tenant, "toby")
    gone = resource_table.delete().where(resource_table.c.id == bindparam("rid"))
    assert run(conn, gone, {"rid": user["id"]}).all() == []
    assert run(conn, BY_ID["User"], {"rid": user["id"], "tenant": tenant}).first() is None


def test_a_unique_violation_is_sqlalchemys_integrity_error_and_changes_nothing(
    store: Store, tenant: str
) -> None:
    """As from Connection.execute: IntegrityError, the driver's error as .orig; the
    transaction rolls back and the connection serves the next one."""
    (user,) = _users(store, tenant, "dwight")
    duplicate = resource_table.update().where(resource_table.c.id == bindparam("rid"))
    _users(store, tenant, "jim")
    with store.engine.connect() as conn:
        with pytest.raises(IntegrityError) as caught, conn.begin():
            run(
                conn,
                duplicate.values(user_name_lower="jim"),
                {"rid": user["id"]},
            )
        assert isinstance(caught.value.orig, store.engine.dialect.loaded_dbapi.IntegrityError)
        assert not caught.value.connection_invalidated
        with conn.begin():
            row = run(conn, BY_ID["User"], {"rid": user["id"], "tenant": tenant}).first()
    assert row.doc["userName"] == "dwight"


def test_cursor_events_see_each_statement(tenant: str, store: Store, conn: Connection) -> None:
    seen: list[tuple[str, bool]] = []

    def before(*args: Any) -> None:
        seen.append((args[2], args[5]))

    def after(*args: Any) -> None:
        seen.append(("after", args[5]))

    event.listen(store.engine, "before_cursor_execute", before)
    event.listen(store.engine, "after_cursor_execute", after)
    try:
        run(conn, BY_ID["Group"], {"rid": "x", "tenant": tenant})
    finally:
        event.remove(store.engine, "before_cursor_execute", before)
        event.remove(store.engine, "after_cursor_execute", after)
    assert len(seen) == 2
    assert seen[0][0].startswith("SELECT resources.pk") and seen[1] == ("after", False)


@contextmanager
def _scratch_table(store: Store, column: Column[Any]) -> Iterator[tuple[Table, Connection]]:
    """A throwaway table (an integer key ``n`` and ``column``) and a connection in a
    transaction; the table is dropped after."""
    table = Table(f"t_{secrets.token_hex(4)}", MetaData(), Column("n", Integer, primary_key=True))
    table.append_column(column)
    table.create(store.engine)
    try:
        with store.engine.connect() as conn, conn.begin():
            yield table, conn
    finally:
        table.drop(store.engine)


def test_python_side_defaults_go_through_sqlalchemy(store: Store) -> None:
    """A column with a Python default needs SQLAlchemy's execution (it fills the value)."""
    with _scratch_table(store, Column("label", String(20), default=lambda: "made")) as (t, conn):
        run(conn, insert(t), {"n": 1})
        assert run(conn, select(t.c.label)).scalar_one() == "made"


def test_row_classes_are_bounded_and_rebuilt(
    store: Store, tenant: str, conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(execute_module, "_ROW_CLASSES", {})
    monkeypatch.setattr(execute_module, "_MAX_ROW_CLASSES", 2)
    _users(store, tenant, "pam")
    columns = (resource_table.c.user_name, resource_table.c.rtype, resource_table.c.tenant)
    for n in range(1, 4):
        statement = select(*columns[:n]).where(resource_table.c.tenant == tenant)
        row = run(conn, statement).first()
        assert row._fields == ("user_name", "rtype", "tenant")[:n]
        assert row.user_name == "pam"
        assert len(execute_module._ROW_CLASSES) <= 2


def test_same_named_columns_keep_their_order(store: Store, tenant: str, conn: Connection) -> None:
    _users(store, tenant, "meredith")
    twice = select(resource_table.c.user_name, resource_table.c.user_name.label("again"))
    row = run(conn, twice.where(resource_table.c.tenant == tenant)).first()
    assert tuple(row) == ("meredith", "meredith") and row.again == "meredith"


@pytest.mark.postgres
def test_rfc7644_3_12_a_lost_connection_is_invalidated_as_sqlalchemy_would(
    postgres_url: str,
) -> None:
    """The database ended the session: DBAPIError with connection_invalidated, the connection
    invalidated, and the pool hands out a working one next."""
    store = Store(postgres_url)
    try:
        with store.engine.connect() as conn:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            conn.commit()
            admin_url = postgres_url.replace("postgresql+psycopg://", "postgresql://", 1)
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            with pytest.raises(DBAPIError) as caught:
                run(conn, select(func.abs(-1)))
            assert caught.value.connection_invalidated
            assert conn.invalidated
        with store.engine.connect() as fresh:
            assert run(fresh, select(func.abs(-42))).scalar_one() == 42
    finally:
        store.close()


class _Lowered(TypeDecorator[str]):
    """A type with a bind processor: values are stored and compared lowercased."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return value.lower() if value is not None else None


def test_bind_processors_apply_to_plain_and_expanding_parameters(store: Store) -> None:
    with _scratch_table(store, Column("name", _Lowered)) as (table, conn):
        run(conn, insert(table), {"n": 1, "name": "Oscar"})
        assert run(conn, select(table.c.n).where(table.c.name == "OSCAR")).all() == [(1,)]
        found = run(conn, select(table.c.n).where(table.c.name.in_(["ANGELA", "OsCaR"])))
        assert found.scalars().all() == [1]


def test_first_is_the_first_row_and_the_cursor_is_closed(
    store: Store, tenant: str, conn: Connection
) -> None:
    _users(store, tenant, "a", "b")
    cursors: list[Any] = []
    listener = lambda *args: cursors.append(args[1])  # noqa: E731
    event.listen(store.engine, "before_cursor_execute", listener)
    try:
        names = resource_table.c.user_name
        statement = select(names, resource_table.c.rtype).where(resource_table.c.tenant == tenant)
        result = run(conn, statement.order_by(names))
    finally:
        event.remove(store.engine, "before_cursor_execute", listener)
    assert result.first() == ("a", "User") and result.scalars().all() == ["a", "b"]
    assert len(cursors) == 1
    with pytest.raises(store.engine.dialect.loaded_dbapi.Error, match=r"(?i)closed"):
        cursors[0].execute("SELECT 1")  # a closed cursor refuses


def test_a_textual_statement_is_refused_with_a_reason(conn: Connection) -> None:
    """run() needs the columns SQLAlchemy compiled: text() has none it knows."""
    expected = (
        r"^2 columns returned, 0 known: run\(\) takes statements whose columns SQLAlchemy "
        r"knows \(select\(\), not text\(\)\)$"
    )
    with pytest.raises(AssertionError, match=expected):
        run(conn, text("SELECT 1, 2"))


@pytest.mark.parametrize("inline", [False, True])
def test_a_read_holds_a_snapshot_on_sqlite_and_nothing_between_reads(
    store: Store, tenant: str, inline: bool
) -> None:
    """SQLite reads are one transaction (one snapshot); PostgreSQL's run in autocommit with no
    SQLAlchemy transaction around them. Either way nothing is left open after a read, also
    when it used SQLAlchemy's own execute (which autobegins) or failed."""
    sqlite = store.engine.dialect.name == "sqlite"
    with store._reading(inline) as conn:
        assert conn.in_transaction() is sqlite
        conn.execute(select(func.count()).select_from(resource_table)).scalar_one()
        assert conn.in_transaction()
    assert not conn.in_transaction()
    with pytest.raises(LookupError), store._reading(inline) as conn:
        conn.execute(select(func.count()).select_from(resource_table)).scalar_one()
        raise LookupError("the read failed")
    assert not conn.in_transaction()
    assert store.get(tenant, "User", _users(store, tenant, "ryan")[0]["id"], inline=inline)


def test_result_errors_say_what_was_expected(store: Store, tenant: str, conn: Connection) -> None:
    _users(store, tenant, "a", "b")
    names = select(resource_table.c.user_name).where(resource_table.c.tenant == tenant)
    with pytest.raises(MultipleResultsFound, match=r"^expected exactly one row$"):
        run(conn, names).scalar_one()
    with pytest.raises(NoResultFound, match=r"^expected exactly one row$"):
        run(conn, names.where(resource_table.c.user_name == "z")).scalar_one()
    with pytest.raises(MultipleResultsFound, match=r"^expected at most one row$"):
        run(conn, names).scalar_one_or_none()  # two rows: one too many


def test_a_statement_is_compiled_once_and_its_rows_named_like_sqlalchemys(
    store: Store, tenant: str, conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run twice, a statement reuses its compiled form (SQLAlchemy's cache) and its row
    class; rows carry SQLAlchemy's names, a keyword label included."""
    _users(store, tenant, "kelly")
    monkeypatch.setattr(execute_module, "_ROW_CLASSES", {})
    counting = select(func.count(), resource_table.c.user_name.label("class"))
    counting = counting.where(resource_table.c.tenant == tenant).group_by(
        resource_table.c.user_name
    )
    first, second = run(conn, counting).first(), run(conn, counting).first()
    assert len(execute_module._ROW_CLASSES) == 1 and type(first) is type(second)
    theirs = conn.execute(counting).first()
    assert tuple(first) == tuple(theirs) == (1, "kelly")
    # SQLAlchemy's names (count_1 for the count); a keyword ("class") cannot name a
    # namedtuple's field, so that one is renamed and read by position (ours).
    assert first._fields == (theirs._fields[0], "_1") == ("count_1", "_1")
    assert first.count_1 == 1 and first[1] == "kelly"
    assert repr(first).startswith("Row(")


def test_python_side_defaults_on_update_go_through_sqlalchemy(store: Store) -> None:
    label = Column("label", String(20), onupdate=lambda: "changed")
    with _scratch_table(store, label) as (table, conn):
        run(conn, insert(table), {"n": 5, "label": "new"})
        run(conn, table.update().where(table.c.n == bindparam("m")), {"m": 5})
        assert run(conn, select(table.c.n, table.c.label)).all() == [(5, "changed")]


def test_cursor_events_get_the_connection_cursor_and_parameters(
    store: Store, tenant: str, conn: Connection
) -> None:
    seen: list[tuple[Any, ...]] = []
    listeners = {
        name: (lambda *args, name=name: seen.append((name, *args)))
        for name in ("before_cursor_execute", "after_cursor_execute")
    }
    for name, listener in listeners.items():
        event.listen(store.engine, name, listener)
    try:
        run(conn, BY_ID["Group"], {"rid": "x", "tenant": tenant})
    finally:
        for name, listener in listeners.items():
            event.remove(store.engine, name, listener)
    assert [entry[0] for entry in seen] == ["before_cursor_execute", "after_cursor_execute"]
    for _, connection, cursor, statement, parameters, context, many in seen:
        assert connection is conn and cursor is seen[0][2] and cursor is not None
        assert statement.startswith("SELECT resources.pk") and context is None and many is False
        values = parameters.values() if isinstance(parameters, dict) else parameters
        assert "x" in values and tenant in values


def test_an_error_carries_the_statement_and_its_parameters(store: Store, tenant: str) -> None:
    (user,) = _users(store, tenant, "holly")
    _users(store, tenant, "jan")
    clash = resource_table.update().where(resource_table.c.id == bindparam("rid"))
    with store.engine.connect() as conn, pytest.raises(IntegrityError) as caught, conn.begin():
        run(conn, clash.values(user_name_lower="jan"), {"rid": user["id"]})
    assert caught.value.statement.startswith("UPDATE resources SET user_name_lower")
    sent = caught.value.params
    values = sent.values() if isinstance(sent, dict) else sent
    assert user["id"] in values and "jan" in values
    assert f"[parameters: {sent!r}]" in str(caught.value)


def test_a_connection_the_driver_closed_is_invalidated_and_replaced(store: Store) -> None:
    """The database connection is gone under SQLAlchemy (closed by the driver): the error is
    SQLAlchemy's with connection_invalidated, the connection is invalidated, the next works."""
    reasons: list[BaseException | None] = []
    listener = lambda _dbapi, _record, error: reasons.append(error)  # noqa: E731
    event.listen(store.engine, "invalidate", listener)
    with store.engine.connect() as conn:
        conn.connection.driver_connection.close()
        with pytest.raises(DBAPIError) as caught:
            run(conn, select(func.abs(-1)))
        assert caught.value.connection_invalidated and conn.invalidated
        assert isinstance(caught.value.orig, store.engine.dialect.loaded_dbapi.Error)
    # The pool was told why (its "invalidate" event and log carry the driver's error).
    assert reasons == [caught.value.orig]
    event.remove(store.engine, "invalidate", listener)
    with store.engine.connect() as fresh:
        assert run(fresh, select(func.abs(-7))).scalar_one() == 7


def test_a_parameter_name_sqlalchemy_escapes_still_binds(
    store: Store, tenant: str, conn: Connection
) -> None:
    """A bind name with characters a placeholder cannot hold ("user name", "a%b") is escaped
    in the SQL by SQLAlchemy (psycopg's %(name)s); its value must follow it there."""
    _users(store, tenant, "phyllis", "stanley")
    names = resource_table.c.user_name
    odd = select(names).where(
        resource_table.c.tenant == bindparam("the tenant"),
        names.in_([bindparam("a%b"), bindparam("user name")]),
    )
    params = {"the tenant": tenant, "a%b": "stanley", "user name": "phyllis"}
    assert sorted(run(conn, odd, params).scalars()) == ["phyllis", "stanley"]


def test_an_error_reads_as_connection_executes_with_long_values_cut(
    store: Store, tenant: str
) -> None:
    """The same failing statement through run() and through Connection.execute: the same
    message, long parameter values cut the same way (one parameter set, not a batch)."""
    (user,) = _users(store, tenant, "creed")
    _users(store, tenant, "x" * 400)
    clash = resource_table.update().where(resource_table.c.id == bindparam("rid"))
    clash = clash.values(user_name_lower=bindparam("name"), external_id=bindparam("long"))
    params = {"rid": user["id"], "name": "x" * 400, "long": "y" * 500}
    messages = []
    for send in (run, Connection.execute):
        with (
            store.engine.connect() as conn,
            pytest.raises(IntegrityError) as caught,
            conn.begin(),
        ):
            send(conn, clash, params)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "characters truncated" in messages[0]
