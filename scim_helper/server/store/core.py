"""All persistent state of the local SCIM server: tenants, tokens, Users and Groups.

One :class:`Store` per process, safe to share between threads; several processes may share
one PostgreSQL database, since nothing lives only in memory (the token cache holds only
bindings that never change). Every write is one transaction: PATCH and failOnErrors Bulk
are all-or-nothing. Every query is scoped by tenant.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from scim2_models import InvalidValueException, NotFoundException, UniquenessException
from sqlalchemy import (
    BindParameter,
    Boolean,
    ColumnElement,
    Connection,
    Row,
    Select,
    and_,
    bindparam,
    delete,
    false,
    func,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from .. import db, resources, tenants
from ..db import MAX_SQL_INTEGER, analyse, create_db_engine, optimise
from ..filters import compile_filter, sort_expression
from ..patch import apply_patch
from .cursors import Cursor, scope_of
from .execute import run
from .members import MemberRows
from .rows import (
    BY_ID,
    BY_ID_LOCKED,
    DELETE_CHILDREN,
    INSERT,
    INSERT_CHILDREN,
    INSERT_MANY,
    MEMBERS_OF,
    RETRIES,
    ROW,
    ROW_GROUPS,
    TAKEN,
    UNIQUE_KEY,
    SavedRow,
    check_if_match,
    child_rows,
    chunks,
    columns_of,
    conflict,
    document,
    member_entry,
    membership_table,
    related,
    resource_table,
    retryable,
    taken_message,
    unique_key,
)

if TYPE_CHECKING:  # pragma: no cover
    from typing import TypeAlias

    AnyRow: TypeAlias = Row[*tuple[Any, ...]]

T = TypeVar("T")

_BUMP = (
    update(resource_table)
    .where(resource_table.c.pk == bindparam("bump_pk"))
    .values(version=resource_table.c.version + 1, last_modified=bindparam("stamp"))
)


def _count(where: list[ColumnElement[bool]]) -> Select[int]:
    return select(func.count()).select_from(resource_table).where(*where)


# Search shapes kept per process (Store._search_shape); more distinct filters than this, and
# the kept ones are dropped and built again as they come.
_SEARCHES_KEPT = 512


@dataclass(frozen=True)
class _Search:
    """The statements of one search shape, the tenant a bound parameter ``tenant``."""

    where: list[ColumnElement[bool]]
    ordering: list[ColumnElement[Any]]
    page: Select[Any]  # the first page's rows, LIMIT count
    counting: Select[int]


class Store:
    """All persistent state. Thread-safe; one per process; several processes may share one
    PostgreSQL database (no state only in memory)."""

    def __init__(self, url: str) -> None:
        self.engine = create_db_engine(url)
        # PostgreSQL reads run in autocommit: no BEGIN and COMMIT round trips around a GET
        # (3 round trips -> 1). Ours: the statements of one read (a page, then its count)
        # are each consistent, not one snapshot together. SQLite reads stay as they are.
        self._read_engine = (
            self.engine.execution_options(isolation_level="AUTOCOMMIT")
            if self.engine.dialect.name == "postgresql"
            else self.engine
        )
        self._tokens: dict[str, str] = {}
        self._searches: dict[tuple[Any, ...], _Search] = {}
        # Resources this process inserted, and the count at which statistics are refreshed
        # next (doubling, so the cost stays a small fraction of the inserts).
        self._inserted = 0
        self._next_analyse = 1000
        # Connections kept open by the threads that read inline (the server's event loop).
        self._inline = threading.local()
        self._inline_connections: list[Connection] = []
        self._inline_lock = threading.Lock()

    @property
    def row_locks(self) -> bool:
        """Whether a writer waits only for the rows it writes (PostgreSQL), rather than for
        the database's one write lock (SQLite, up to ``db.SQLITE_BUSY_SECONDS``): what lets
        the server run a write on its event loop (routes.run_store)."""
        return bool(self.engine.dialect.name == "postgresql")

    def close(self) -> None:
        with self._inline_lock:
            for conn in self._inline_connections:
                with contextlib.suppress(DBAPIError):
                    conn.close()
            self._inline_connections.clear()
        with contextlib.suppress(DBAPIError):
            optimise(self.engine)
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"<Store {self.engine.url.render_as_string(hide_password=True)}>"

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def _reading(self, inline: bool = False) -> Iterator[Connection]:
        if not inline:
            with self._read_engine.connect() as conn, self._read_transaction(conn):
                yield conn
            return
        # A thread that reads inline (the event loop, one short read at a time) keeps its
        # connection: checking one out of the pool and back cost a fifth of a GET /Users/{id}
        # (py-spy). Between reads it holds no transaction, so no snapshot and no lock.
        kept: Connection | None = getattr(self._inline, "conn", None)
        now = time.monotonic()
        if kept is not None and now - self._inline.used > db.PING_AFTER_IDLE:
            # Idle a while: the database may have dropped it (a restart, an idle timeout).
            # Pinged as the pool pings its own (db._ping_when_idle); a dead one is replaced.
            raw = None if kept.closed or kept.invalidated else kept.connection.dbapi_connection
            try:
                if raw is not None:
                    self.engine.dialect.do_ping(raw)
            except (self.engine.dialect.loaded_dbapi.Error, DBAPIError):
                with contextlib.suppress(DBAPIError):
                    kept.invalidate()
        self._inline.used = now
        if kept is None or kept.closed or kept.invalidated:
            kept = self._read_engine.connect()
            self._inline.conn = kept
            with self._inline_lock:
                self._inline_connections = [c for c in self._inline_connections if not c.closed]
                self._inline_connections.append(kept)
        conn = kept
        try:
            with self._read_transaction(conn):
                yield conn
        except DBAPIError:
            # Whatever the database said, the next read starts from a fresh connection.
            self._inline.conn = None
            with contextlib.suppress(DBAPIError):
                conn.close()
            raise

    @contextmanager
    def _read_transaction(self, conn: Connection) -> Iterator[None]:
        """A read's transaction: SQLite's BEGIN … COMMIT (one snapshot for the read); none on
        PostgreSQL, whose reads run in autocommit, where SQLAlchemy's begin and commit would
        cost CPU and send nothing (a statement run through ``conn.execute`` still autobegins:
        that is ended after, so a kept connection never holds one between reads)."""
        if self._read_engine is self.engine:
            with conn.begin():
                yield
            return
        try:
            yield
        except BaseException:
            if conn.in_transaction():
                conn.rollback()
            raise
        if conn.in_transaction():
            conn.commit()

    def _writing(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one write transaction, retrying when the database reports a
        deadlock or a serialization failure (concurrent writers on PostgreSQL)."""
        for attempt in range(RETRIES):
            try:
                with self.engine.connect() as conn:
                    conn.execution_options(scim_write=True)
                    with conn.begin():
                        result = work(conn)
                if self._inserted >= self._next_analyse:
                    self._next_analyse = 2 * self._inserted
                    analyse(self.engine)
                return result
            except (OperationalError, DBAPIError) as exc:
                if isinstance(exc, IntegrityError) or not retryable(exc) or attempt == RETRIES - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def transaction(self, tenant: str, work: Callable[[Transaction], T]) -> T:
        """Run ``work`` in one write transaction of ``tenant``'s resources, retried as a whole
        on a deadlock (so ``work`` must be safe to run again). Bulk runs through here."""
        return self._writing(lambda conn: work(Transaction(self, conn, tenant)))

    # -- tenants and tokens -------------------------------------------------------------

    def add_token(self, token: str, tenant: str | None = None) -> str:
        """Bind ``token`` to ``tenant`` (created on first use); idempotent. Returns the tenant."""
        if not isinstance(token, str) or not token:
            raise ValueError("A bearer token must be a non-empty string.")
        try:
            bound = self._writing(lambda conn: tenants.bind(conn, token, tenant))
        except IntegrityError:  # another process bound it at the same moment
            bound = self._writing(lambda conn: tenants.bind(conn, token, tenant))
        self._tokens[tenants.token_hash(token)] = bound
        return bound

    def mint_token(self, tenant: str | None = None) -> tuple[str, str]:
        """A new random token bound to ``tenant`` (a new tenant if None)."""
        token = tenants.new_token()
        return token, self.add_token(token, tenant)

    def tenant_for_token(self, token: str) -> str | None:
        if not isinstance(token, str) or not token:
            return None
        # Bindings never change once made, so a hit in this cache is never stale.
        cached = self._tokens.get(tenants.token_hash(token))
        if cached is not None:
            return cached
        with self._reading() as conn:
            bound = tenants.lookup(conn, token)
        if bound is not None:
            self._tokens[tenants.token_hash(token)] = bound
        return bound

    def reset_tenant(self, tenant: str) -> None:
        """Delete every resource of ``tenant``; its tokens stay valid."""
        self._writing(lambda conn: tenants.reset(conn, tenant))

    # -- reading ------------------------------------------------------------------------

    def get(
        self, tenant: str, rtype: str, rid: str, *, with_members: bool = True, inline: bool = False
    ) -> dict[str, Any]:
        """One resource. ``with_members=False`` leaves Group members out (for a client that
        excluded them: a 5,000-member group then costs what a small one does). ``inline``:
        the caller is an event loop reading a bounded resource, through a connection it keeps."""
        resources.resource_type(rtype)
        with self._reading(inline) as conn:
            row = self._row(conn, tenant, rtype, rid)
            return self._render(conn, [row], with_members)[0]

    def search(
        self,
        tenant: str,
        rtypes: list[str],
        *,
        filter: str | None = None,
        sort_by: str | None = None,
        sort_order: str = "ascending",
        start_index: int = 1,
        count: int | None = None,
        with_members: bool = True,
        with_groups: bool = True,
        inline: bool = False,
    ) -> tuple[int, list[dict[str, Any]]]:
        """(totalResults, page) of the resources matching ``filter`` (RFC 7644 §3.4.2);
        ``inline`` as for :meth:`get`."""
        start = max(int(start_index or 1), 1)
        if count is not None:
            count = min(count, MAX_SQL_INTEGER)
        shape = self._search_shape(rtypes, filter, sort_by, sort_order, count, with_groups)
        tenant_is = {"tenant": tenant}
        with self._reading(inline) as conn:
            if (count is not None and count <= 0) or start > MAX_SQL_INTEGER:
                # RFC 7644 §3.4.2.4: count=0 asks for totalResults alone. A startIndex past
                # any possible result is a page past the end: empty, never an error.
                return run(conn, shape.counting, tenant_is).scalar_one(), []
            if start == 1:
                # The first page (most searches): its rows in one statement.
                rows = list(run(conn, shape.page, tenant_is))
            else:
                # The page's keys first, then their rows: the OFFSET then skips index entries
                # and keys, not whole rows with their documents (startIndex 99,000 of 100,000
                # users: 1.06 s -> 0.06 s on SQLite, measured).
                keys = select(resource_table.c.pk).where(*shape.where).order_by(*shape.ordering)
                keys = keys.offset(start - 1)
                if count is not None:
                    keys = keys.limit(count)
                columns = ROW_GROUPS if with_groups else ROW
                pks = list(run(conn, keys, tenant_is).scalars())
                rows = self._rows_by_pk(conn, pks, columns)
            if (rows or start == 1) and (count is None or len(rows) < count):
                # The page holds the last match (or, from the first, there is none), so the
                # total is known without counting: most filters (userName eq, externalId eq)
                # match one resource or a few, or none.
                total = start - 1 + len(rows)
            else:
                total = run(conn, shape.counting, tenant_is).scalar_one()
            if total < start:
                return total, []
            return total, self._render(conn, rows, with_members, with_groups)

    def _search_shape(
        self,
        rtypes: list[str],
        filter: str | None,
        sort_by: str | None,
        sort_order: str,
        count: int | None,
        with_groups: bool,
    ) -> _Search:
        """The statements of a search, the tenant a parameter, built once per shape: the same
        filter sent by many learners (a room runs the same cells) is parsed and turned into
        SQL once, and SQLAlchemy's cache key for it is computed once (ours; a fifth of a
        userName search's CPU). Invalid input raises here, before anything is kept."""
        key = (tuple(rtypes), filter, sort_by, sort_order, count, with_groups)
        kept = self._searches.get(key)
        if kept is not None:
            return kept
        rtypes, where = self._where(bindparam("tenant"), rtypes, filter)
        order = (sort_order or "ascending").lower()
        if order not in ("ascending", "descending"):
            raise InvalidValueException(
                detail=f'sortOrder is "ascending" or "descending", not {sort_order!r}.'
            )
        ordering: list[ColumnElement[Any]] = []
        if sort_by:
            sort_key = sort_expression(rtypes, sort_by)
            # RFC 7644 §3.4.2.3 leaves missing values unspecified; they come last either way.
            ordering = [
                sort_key.is_(None),
                sort_key.desc() if order == "descending" else sort_key.asc(),
            ]
        ordering.append(resource_table.c.pk)
        columns = ROW_GROUPS if with_groups else ROW
        page = select(*columns).where(*where).order_by(*ordering)
        shape = _Search(
            where, ordering, page if count is None else page.limit(count), _count(where)
        )
        if len(self._searches) >= _SEARCHES_KEPT:
            self._searches.clear()
        self._searches[key] = shape
        return shape

    @staticmethod
    def _where(
        tenant: str | BindParameter[str], rtypes: list[str], filter: str | None
    ) -> tuple[list[str], list[ColumnElement[bool]]]:
        """The resource types (deduplicated, checked) and the WHERE clauses of a query."""
        rtypes = list(dict.fromkeys(rtypes))
        if not rtypes:
            raise InvalidValueException(detail="Search at least one resource type (User or Group).")
        for rtype in rtypes:
            resources.resource_type(rtype)
        where = [resource_table.c.tenant == tenant]
        where.append(
            resource_table.c.rtype == rtypes[0]
            if len(rtypes) == 1
            else resource_table.c.rtype.in_(rtypes)
        )
        if filter is not None and filter != "":
            where.append(compile_filter(rtypes, filter))
        return rtypes, where

    def search_after(
        self,
        tenant: str,
        rtypes: list[str],
        *,
        filter: str | None = None,
        cursor: str = "",
        count: int,
        with_members: bool = True,
        with_groups: bool = True,
    ) -> tuple[int | None, list[dict[str, Any]], str | None]:
        """(totalResults, page, nextCursor) of cursor-based pagination (RFC 9865 §2).

        ``cursor`` is "" for the first page, else a ``nextCursor`` this server gave out for
        the same tenant and query. The page is a seek past the cursor's last row, in the
        default order (by creation), so every page costs the same however deep it is.
        totalResults comes with the first page only (ours: RFC 9865 lets a cursor response
        leave it out, and counting 100,000 matches on every page would cost what the seek
        saves); nextCursor is None on the last page."""
        rtypes, where = self._where(tenant, rtypes, filter)
        scope = scope_of(tenant, rtypes, filter or None)
        position = Cursor.decode(cursor, scope) if cursor else None
        pk = resource_table.c.pk
        with self._reading() as conn:
            total: int | None = None
            dense = True
            if position is None:
                total = run(conn, _count(where)).scalar_one()
                if len(where) > 2:
                    # A filter that matches a quarter of the rows or more is dense (ours).
                    everything = run(conn, _count(where[:2])).scalar_one()
                    dense = total * 4 >= everything
            else:
                dense = position.dense
            if count <= 0:
                return total if total is not None else 0, [], None
            after = position.after if position else 0
            if dense and len(where) > 2:
                # Walk the rows in key order, testing the filter on each: the filter wrapped
                # so that no index on its column tempts the planner into collecting every
                # match and sorting them (0.5 ms instead of 80 ms a page at 100,000 users).
                test = func.coalesce(and_(*where[2:]), false(), type_=Boolean)
                columns = ROW_GROUPS if with_groups else ROW
                query = select(*columns).where(*where[:2], test, pk > after)
                rows = run(conn, query.order_by(pk).limit(count + 1)).all()
            else:
                keys = select(pk).where(*where, pk > after).order_by(pk).limit(count + 1)
                columns = ROW_GROUPS if with_groups else ROW
                rows = self._rows_by_pk(conn, list(run(conn, keys).scalars()), columns)
            more = len(rows) > count
            rows = rows[:count]
            following = Cursor.after_row(rows[-1].pk, scope, dense).encode() if more else None
            return total, self._render(conn, rows, with_members, with_groups), following

    @staticmethod
    def _rows_by_pk(conn: Connection, pks: list[int], columns: Sequence[Any]) -> list[AnyRow]:
        """The ``columns`` (ROW or ROW_GROUPS) of ``pks``, in that order."""
        if not pks:
            return []
        found = {
            row.pk: row
            for chunk in chunks(pks)
            for row in run(conn, select(*columns).where(resource_table.c.pk.in_(chunk)))
        }
        return [found[k] for k in pks if k in found]

    def _row(
        self, conn: Connection, tenant: str, rtype: str, rid: str, lock: bool = False
    ) -> AnyRow:
        statement = (BY_ID_LOCKED if lock else BY_ID)[rtype]
        params = {"rid": rid, "tenant": tenant}
        row = run(conn, statement, params).first() if isinstance(rid, str) else None
        if row is None:
            raise NotFoundException(
                detail=f"No {rtype} with id '{rid}' in your tenant. List /{rtype}s to see the ids "
                "that exist."
            )
        return row

    def _render(
        self,
        conn: Connection,
        rows: Sequence[AnyRow | SavedRow],
        with_members: bool = True,
        with_groups: bool = True,
    ) -> list[dict[str, Any]]:
        """The documents of ``rows``; ``with_groups=False`` leaves User.groups out (for a
        client that did not ask for them: its rows are then read without them). A User's
        groups come with its row (ROW_GROUPS); a Group's members are read here."""
        groups = [r.pk for r in rows if r.rtype == "Group"]
        members_of = (
            related(conn, MEMBERS_OF, groups, member_entry) if groups and with_members else {}
        )
        return [
            document(
                row.rtype,
                row.id,
                row.doc,
                row.created,
                row.last_modified,
                row.version,
                (row.groups if with_groups else None)
                if row.rtype == "User"
                else members_of.get(row.pk),
            )
            for row in rows
        ]

    # -- writing ------------------------------------------------------------------------

    def create(
        self, tenant: str, rtype: str, doc: dict[str, Any], *, with_members: bool = True
    ) -> dict[str, Any]:
        normal = resources.normalise(rtype, doc)
        return self._writing(
            lambda conn: self._create_many(
                conn, tenant, rtype, [normal], with_members, check_unique=False
            )[0]
        )

    def _create_many(
        self,
        conn: Connection,
        tenant: str,
        rtype: str,
        normals: list[resources.Normalised],
        with_members: bool = True,
        *,
        check_unique: bool = True,
    ) -> list[dict[str, Any]]:
        """Insert resources of one type in a few statements (Bulk seeding goes through here).

        ``check_unique=False`` leaves uniqueness to the unique indexes alone, whose violation
        ``conflict`` turns into the same 409: for a transaction that holds nothing else (POST),
        one query less. A Bulk batch checks first, so that one taken name fails before the
        INSERT (and, on PostgreSQL, does not abort the rest of the transaction)."""
        columns = [columns_of(rtype, n) for n in normals]
        if check_unique:
            self._check_unique(conn, tenant, rtype, columns, None)
        stamp = resources.now()
        rows = [
            {
                "tenant": tenant,
                "rtype": rtype,
                "id": str(uuid.uuid4()),
                "created": stamp,
                "last_modified": stamp,
                "version": 1,
                **c,
            }
            for c in columns
        ]
        try:
            if len(rows) == 1:
                pks = [run(conn, INSERT, rows[0]).scalar_one()]
            else:
                pks = list(conn.execute(INSERT_MANY, rows).scalars())
        except IntegrityError as exc:
            raise conflict(rtype, columns[0], exc) from None
        self._inserted += len(pks)
        children = [
            row for pk, n in zip(pks, normals, strict=True) for row in child_rows(pk, n.doc)
        ]
        if children:
            conn.execute(INSERT_CHILDREN, children)
        members: dict[int, list[dict[str, Any]]] = {}
        if rtype == "Group":
            with_members_pks = []
            for pk, n in zip(pks, normals, strict=True):
                if n.members:
                    editor = MemberRows(conn, tenant, pk, stamp)
                    editor.add(n.members)
                    editor.flush()
                    with_members_pks.append(pk)
            if with_members_pks and with_members:
                members = related(conn, MEMBERS_OF, with_members_pks, member_entry)
        return [
            document(rtype, row["id"], n.doc, stamp, stamp, 1, members.get(pk))
            for pk, row, n in zip(pks, rows, normals, strict=True)
        ]

    def replace(
        self,
        tenant: str,
        rtype: str,
        rid: str,
        doc: dict[str, Any],
        *,
        if_match: str | None = None,
        with_members: bool = True,
    ) -> dict[str, Any]:
        """PUT (RFC 7644 §3.5.1): replace every writable attribute."""
        normal = resources.normalise(rtype, doc)
        return self._writing(
            lambda conn: self._replace(conn, tenant, rtype, rid, normal, if_match, with_members)
        )

    def _replace(
        self,
        conn: Connection,
        tenant: str,
        rtype: str,
        rid: str,
        normal: resources.Normalised,
        if_match: str | None,
        with_members: bool = True,
    ) -> dict[str, Any]:
        row = self._row(conn, tenant, rtype, rid, lock=True)
        check_if_match(if_match, row.version)
        stamp = resources.now()
        editor = None
        if rtype == "Group":
            editor = MemberRows(conn, tenant, row.pk, stamp)
            editor.replace(normal.members or [])
        return self._save(conn, tenant, rtype, row, normal, stamp, with_members, editor)

    def patch(
        self,
        tenant: str,
        rtype: str,
        rid: str,
        operations: list[dict[str, Any]],
        *,
        if_match: str | None = None,
        with_members: bool = True,
    ) -> dict[str, Any]:
        """PATCH (RFC 7644 §3.5.2): all operations or none."""
        resources.resource_type(rtype)
        return self._writing(
            lambda conn: self._patch(conn, tenant, rtype, rid, operations, if_match, with_members)
        )

    def _patch(
        self,
        conn: Connection,
        tenant: str,
        rtype: str,
        rid: str,
        operations: Any,
        if_match: str | None,
        with_members: bool = True,
    ) -> dict[str, Any]:
        row = self._row(conn, tenant, rtype, rid, lock=True)
        check_if_match(if_match, row.version)
        stamp = resources.now()
        editor = MemberRows(conn, tenant, row.pk, stamp) if rtype == "Group" else None
        patched = apply_patch(rtype, row.doc, operations, editor)
        normal = resources.normalise(rtype, patched)
        changed = editor is not None and editor.changed
        if normal.doc == row.doc and normal.password is None and not changed:
            # RFC 7644 §3.5.2.1: a PATCH that changes nothing "SHALL NOT change the
            # modify timestamp of the resource".
            return self._render(conn, [row], with_members)[0]
        return self._save(conn, tenant, rtype, row, normal, stamp, with_members, editor)

    def _save(
        self,
        conn: Connection,
        tenant: str,
        rtype: str,
        row: AnyRow,
        normal: resources.Normalised,
        stamp: str,
        with_members: bool = True,
        editor: MemberRows | None = None,
    ) -> dict[str, Any]:
        """Write the resource's new state; ``editor`` holds the member changes made so far,
        whose members' versions move on here."""
        if normal.doc == row.doc and normal.password is None:
            # Only the members changed (or a PUT of the same document): every column derives
            # from the document, so only the version and lastModified move on. Saves the
            # uniqueness query, the full UPDATE and the re-read (PATCH add member: 10 -> 8
            # statements; 6 since the members' and the group's bumps are one UPDATE). The
            # row is locked, so its new version is the old one plus one.
            if editor is not None:
                editor.flush(row.pk)
            else:
                run(conn, _BUMP, {"bump_pk": row.pk, "stamp": stamp})
            return self._written(conn, row, row.doc, stamp, with_members)
        columns = columns_of(rtype, normal)
        if normal.password is None:
            columns.pop("password_hash")
        key = UNIQUE_KEY[rtype][0]
        if columns[key] != unique_key(rtype, row.doc):
            # Only a new userName (displayName) can be taken: a PATCH of `active` or an
            # email leaves the name as it is, and the uniqueness query out.
            self._check_unique(conn, tenant, rtype, [columns], row.pk)
        try:
            run(conn, _BUMP, {"bump_pk": row.pk, "stamp": stamp, **columns})
        except IntegrityError as exc:
            raise conflict(rtype, columns, exc) from None
        if editor is not None:
            editor.flush()
        if any(normal.doc.get(a) != row.doc.get(a) for a in resources.CHILD_ATTRIBUTES):
            # The child rows derive from these attributes alone (items kept whole).
            run(conn, DELETE_CHILDREN, {"pk": row.pk})
            children = child_rows(row.pk, normal.doc)
            if children:
                conn.execute(INSERT_CHILDREN, children)
        return self._written(conn, row, normal.doc, stamp, with_members)

    def _written(
        self, conn: Connection, row: AnyRow, doc: dict[str, Any], stamp: str, with_members: bool
    ) -> dict[str, Any]:
        """The resource of ``row`` as just written with ``doc`` at ``stamp``, without reading
        it back: the row is locked, so its version is the old one plus one, and its groups
        (read with the row) are what they were."""
        saved = SavedRow(
            pk=row.pk,
            id=row.id,
            rtype=row.rtype,
            doc=doc,
            created=row.created,
            last_modified=stamp,
            version=row.version + 1,
            groups=row.groups if row.rtype == "User" else None,
        )
        return self._render(conn, [saved], with_members)[0]

    def delete(self, tenant: str, rtype: str, rid: str, *, if_match: str | None = None) -> None:
        resources.resource_type(rtype)
        self._writing(lambda conn: self._delete_checked(conn, tenant, rtype, rid, if_match))

    def _delete_checked(
        self, conn: Connection, tenant: str, rtype: str, rid: str, if_match: str | None
    ) -> None:
        row = self._row(conn, tenant, rtype, rid, lock=True)
        check_if_match(if_match, row.version)
        self._delete(conn, row)

    def _delete(self, conn: Connection, row: AnyRow) -> None:
        # Groups that lose this member, and members that lose this group, change: their
        # representation (members / User.groups) differs, so their version moves on.
        stamp = resources.now()
        touched = (
            select(membership_table.c.group_pk)
            .where(membership_table.c.member_pk == row.pk)
            .union(
                select(membership_table.c.member_pk).where(membership_table.c.group_pk == row.pk)
            )
        )
        affected = [pk for (pk,) in run(conn, touched)]
        for chunk in chunks(sorted(affected)):
            run(
                conn,
                update(resource_table)
                .where(resource_table.c.pk.in_(chunk))
                .values(version=resource_table.c.version + 1, last_modified=stamp),
            )
        run(
            conn,
            delete(membership_table).where(
                (membership_table.c.member_pk == row.pk) | (membership_table.c.group_pk == row.pk)
            ),
        )
        run(conn, DELETE_CHILDREN, {"pk": row.pk})
        run(conn, delete(resource_table).where(resource_table.c.pk == row.pk))

    def _check_unique(
        self,
        conn: Connection,
        tenant: str,
        rtype: str,
        columns: list[dict[str, Any]],
        own_pk: int | None,
    ) -> None:
        """409 if a userName (User) or displayName (Group) is taken, in the tenant or twice
        in the batch itself."""
        key, shown = UNIQUE_KEY[rtype]
        label = "userName" if rtype == "User" else "displayName"
        seen: dict[str, Any] = {}
        for c in columns:
            if c[key] is None:
                continue
            if c[key] in seen:
                raise UniquenessException(detail=taken_message(rtype, label, c[shown]))
            seen[c[key]] = c[shown]
        keys = list(seen)
        for chunk in chunks(keys):
            params = {"tenant": tenant, "keys": chunk, "own": -1 if own_pk is None else own_pk}
            taken = run(conn, TAKEN[rtype], params).scalars().first()
            if taken is not None:
                raise UniquenessException(detail=taken_message(rtype, label, seen[taken]))


class Transaction:
    """One write transaction of a :class:`Store`, for one tenant: the store's public API for
    work that spans several operations (Bulk, RFC 7644 §3.7). Get one from
    :meth:`Store.transaction`; it is valid only inside that call."""

    def __init__(self, store: Store, conn: Connection, tenant: str) -> None:
        self._store = store
        self._conn = conn
        self.tenant = tenant

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested transaction: an exception inside undoes only what was done inside."""
        with self._conn.begin_nested():
            yield

    # The documents returned here leave Group members out: a Bulk result carries the id and
    # version alone (RFC 7644 §3.7.3), and rendering a 10,000-member group after each of the
    # 100-member PATCHes a sync sends cost most of an initial sync at 100,000 people.

    def create_many(self, rtype: str, normals: list[resources.Normalised]) -> list[dict[str, Any]]:
        """Insert validated resources of one type; 409 if a name is taken or repeated."""
        return self._store._create_many(self._conn, self.tenant, rtype, normals, with_members=False)

    def create(self, rtype: str, normal: resources.Normalised) -> dict[str, Any]:
        return self.create_many(rtype, [normal])[0]

    def replace(
        self, rtype: str, rid: str, normal: resources.Normalised, if_match: str | None
    ) -> dict[str, Any]:
        return self._store._replace(
            self._conn, self.tenant, rtype, rid, normal, if_match, with_members=False
        )

    def patch(self, rtype: str, rid: str, operations: Any, if_match: str | None) -> dict[str, Any]:
        return self._store._patch(
            self._conn, self.tenant, rtype, rid, operations, if_match, with_members=False
        )

    def delete(self, rtype: str, rid: str, if_match: str | None) -> None:
        self._store._delete_checked(self._conn, self.tenant, rtype, rid, if_match)
