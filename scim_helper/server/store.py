"""All persistent state of the local SCIM server: tenants, tokens, Users and Groups.

One :class:`Store` per process, safe to share between threads; several processes may share
one PostgreSQL database, since nothing lives only in memory (the token cache holds only
bindings that never change). Every write is one transaction: PATCH and failOnErrors Bulk
are all-or-nothing. Every query is scoped by tenant.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from scim2_models.path import FilterNode
from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from . import resources as res
from .db import create_db_engine, memberships, multi_values, resources, tenants, tokens
from .errors import NotFound, PreconditionFailed, ScimError, invalid_value, uniqueness
from .filters import _MEMBER, _ItemCompiler, compile_filter, sort_expression
from .patch import apply_patch

R = resources
M = memberships
MV = multi_values
T = TypeVar("T")

_ROW = (R.c.pk, R.c.id, R.c.rtype, R.c.doc, R.c.created, R.c.last_modified, R.c.version)
_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit
_RETRIES = 5


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _chunks(items: list[T], size: int = _CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def version_tag(version: int) -> str:
    return f'W/"{version}"'


class Store:
    """All persistent state. Thread-safe; one per process; several processes may share one
    PostgreSQL database (no state only in memory)."""

    def __init__(self, url: str) -> None:
        self.engine = create_db_engine(url)
        self._tokens: dict[str, str] = {}

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"<Store {self.engine.url.render_as_string(hide_password=True)}>"

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def _writing(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one write transaction, retrying when the database reports a
        deadlock or a serialization failure (concurrent writers on PostgreSQL)."""
        for attempt in range(_RETRIES):
            try:
                with self.engine.connect() as conn:
                    conn.execution_options(scim_write=True)
                    with conn.begin():
                        return work(conn)
            except (OperationalError, DBAPIError) as exc:
                if (
                    isinstance(exc, IntegrityError)
                    or not _retryable(exc)
                    or attempt == _RETRIES - 1
                ):
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    # -- tenants and tokens -------------------------------------------------------------

    def add_token(self, token: str, tenant: str | None = None) -> str:
        """Bind ``token`` to ``tenant`` (created on first use); idempotent. Returns the tenant."""
        if not isinstance(token, str) or not token:
            raise ValueError("A bearer token must be a non-empty string.")
        digest = _hash(token)

        def work(conn: Connection) -> str:
            bound = conn.execute(
                select(tokens.c.tenant).where(tokens.c.token_hash == digest)
            ).scalar_one_or_none()
            if bound is not None:
                if tenant is not None and tenant != bound:
                    raise ValueError(
                        "This token is already bound to another tenant; mint a new token instead."
                    )
                return bound
            chosen = tenant or uuid.uuid4().hex
            self._ensure_tenant(conn, chosen)
            conn.execute(insert(tokens).values(token_hash=digest, tenant=chosen))
            return chosen

        try:
            bound = self._writing(work)
        except IntegrityError:  # another process bound it at the same moment
            bound = self._writing(work)
        self._tokens[digest] = bound
        return bound

    def mint_token(self, tenant: str | None = None) -> tuple[str, str]:
        """A new random token bound to ``tenant`` (a new tenant if None)."""
        token = secrets.token_urlsafe(32)
        return token, self.add_token(token, tenant)

    def tenant_for_token(self, token: str) -> str | None:
        if not isinstance(token, str) or not token:
            return None
        # Looked up by hash: the database never sees or compares the token itself, and a
        # timing difference could only reveal a hash prefix, which does not help forge it.
        digest = _hash(token)
        cached = self._tokens.get(digest)
        if cached is not None:
            return cached
        with self._reading() as conn:
            bound = conn.execute(
                select(tokens.c.tenant).where(tokens.c.token_hash == digest)
            ).scalar_one_or_none()
        if bound is not None:
            self._tokens[digest] = bound
        return bound

    def reset_tenant(self, tenant: str) -> None:
        """Delete every resource of ``tenant``; its tokens stay valid."""

        def work(conn: Connection) -> None:
            owned = select(R.c.pk).where(R.c.tenant == tenant)
            conn.execute(delete(M).where(M.c.group_pk.in_(owned)))
            conn.execute(delete(MV).where(MV.c.resource_pk.in_(owned)))
            conn.execute(delete(R).where(R.c.tenant == tenant))

        self._writing(work)

    def _ensure_tenant(self, conn: Connection, tenant: str) -> None:
        exists = conn.execute(select(tenants.c.id).where(tenants.c.id == tenant)).first()
        if exists is None:
            conn.execute(insert(tenants).values(id=tenant, created=res.now()))

    # -- reading ------------------------------------------------------------------------

    def get(self, tenant: str, rtype: str, rid: str) -> dict[str, Any]:
        res.resource_type(rtype)
        with self._reading() as conn:
            row = self._row(conn, tenant, rtype, rid)
            return self._render(conn, [row])[0]

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
    ) -> tuple[int, list[dict[str, Any]]]:
        """(totalResults, page) of the resources matching ``filter`` (RFC 7644 §3.4.2)."""
        rtypes = list(dict.fromkeys(rtypes))
        if not rtypes:
            raise invalid_value("Search at least one resource type (User or Group).")
        for rtype in rtypes:
            res.resource_type(rtype)
        where = [R.c.tenant == tenant]
        where.append(R.c.rtype == rtypes[0] if len(rtypes) == 1 else R.c.rtype.in_(rtypes))
        if filter is not None and filter != "":
            where.append(compile_filter(rtypes, filter))
        order = (sort_order or "ascending").lower()
        if order not in ("ascending", "descending"):
            raise invalid_value(f'sortOrder is "ascending" or "descending", not {sort_order!r}.')
        ordering: list[Any] = []
        if sort_by:
            key = sort_expression(rtypes, sort_by)
            # RFC 7644 §3.4.2.3 leaves missing values unspecified; they come last either way.
            ordering = [key.is_(None), key.desc() if order == "descending" else key.asc()]
        ordering.append(R.c.pk)
        start = max(int(start_index or 1), 1)
        with self._reading() as conn:
            total = conn.execute(select(func.count()).select_from(R).where(*where)).scalar_one()
            if (count is not None and count <= 0) or total < start:
                return total, []
            query = select(*_ROW).where(*where).order_by(*ordering).offset(start - 1)
            if count is not None:
                query = query.limit(count)
            rows = conn.execute(query).all()
            return total, self._render(conn, rows)

    def _row(self, conn: Connection, tenant: str, rtype: str, rid: str, lock: bool = False) -> Any:
        query = select(*_ROW, R.c.password_hash).where(
            R.c.id == rid, R.c.tenant == tenant, R.c.rtype == rtype
        )
        if lock:
            query = query.with_for_update()
        row = conn.execute(query).first() if isinstance(rid, str) else None
        if row is None:
            raise NotFound(
                f"No {rtype} with id '{rid}' in your tenant. List /{rtype}s to see the ids "
                "that exist."
            )
        return row

    def _render(self, conn: Connection, rows: list[Any]) -> list[dict[str, Any]]:
        users = [r.pk for r in rows if r.rtype == "User"]
        groups = [r.pk for r in rows if r.rtype == "Group"]
        groups_of = self._groups_of(conn, users) if users else {}
        members_of = self._members_of(conn, groups) if groups else {}
        out = []
        for row in rows:
            doc = dict(row.doc)
            body: dict[str, Any] = {"schemas": doc.pop("schemas"), "id": row.id}
            if "externalId" in doc:
                body["externalId"] = doc.pop("externalId")
            body.update(doc)
            if row.rtype == "User" and groups_of.get(row.pk):
                body["groups"] = groups_of[row.pk]
            if row.rtype == "Group" and members_of.get(row.pk):
                body["members"] = members_of[row.pk]
            body["meta"] = {
                "resourceType": row.rtype,
                "created": row.created,
                "lastModified": row.last_modified,
                "version": version_tag(row.version),
            }
            out.append(body)
        return out

    def _groups_of(self, conn: Connection, pks: list[int]) -> dict[int, list[dict[str, Any]]]:
        result: dict[int, list[dict[str, Any]]] = {}
        for chunk in _chunks(pks):
            query = (
                select(M.c.member_pk, R.c.id, R.c.display_name)
                .select_from(M.join(R, R.c.pk == M.c.group_pk))
                .where(M.c.member_pk.in_(chunk))
                .order_by(M.c.member_pk, R.c.pk)
            )
            for member_pk, gid, name in conn.execute(query):
                entry = {"value": gid, "display": name, "type": "direct"}
                result.setdefault(member_pk, []).append(entry)
        return result

    def _members_of(self, conn: Connection, pks: list[int]) -> dict[int, list[dict[str, Any]]]:
        result: dict[int, list[dict[str, Any]]] = {}
        for chunk in _chunks(pks):
            query = (
                select(M.c.group_pk, R.c.id, R.c.rtype, R.c.display_name, R.c.user_name)
                .select_from(M.join(R, R.c.pk == M.c.member_pk))
                .where(M.c.group_pk.in_(chunk))
                .order_by(M.c.group_pk, M.c.member_pk)
            )
            for group_pk, mid, mtype, display, user_name in conn.execute(query):
                entry: dict[str, Any] = {"value": mid}
                if display or user_name:
                    entry["display"] = display or user_name
                entry["type"] = mtype
                result.setdefault(group_pk, []).append(entry)
        return result

    # -- writing ------------------------------------------------------------------------

    def create(self, tenant: str, rtype: str, doc: dict[str, Any]) -> dict[str, Any]:
        normal = res.normalise(rtype, doc)
        return self._writing(lambda conn: self._create(conn, tenant, rtype, normal))

    def _create(
        self, conn: Connection, tenant: str, rtype: str, normal: res.Normalised
    ) -> dict[str, Any]:
        columns = _columns(rtype, normal)
        self._check_unique(conn, tenant, rtype, columns, None)
        stamp = res.now()
        rid = str(uuid.uuid4())
        try:
            pk = conn.execute(
                insert(R)
                .values(
                    tenant=tenant,
                    rtype=rtype,
                    id=rid,
                    created=stamp,
                    last_modified=stamp,
                    version=1,
                    **columns,
                )
                .returning(R.c.pk)
            ).scalar_one()
        except IntegrityError as exc:
            raise _conflict(rtype, columns, exc) from None
        _insert_children(conn, pk, normal.doc)
        if rtype == "Group" and normal.members:
            _MemberRows(conn, tenant, pk, stamp).add(normal.members)
        row = conn.execute(select(*_ROW).where(R.c.pk == pk)).one()
        return self._render(conn, [row])[0]

    def replace(
        self,
        tenant: str,
        rtype: str,
        rid: str,
        doc: dict[str, Any],
        *,
        if_match: str | None = None,
    ) -> dict[str, Any]:
        """PUT (RFC 7644 §3.5.1): replace every writable attribute."""
        normal = res.normalise(rtype, doc)
        return self._writing(lambda conn: self._replace(conn, tenant, rtype, rid, normal, if_match))

    def _replace(
        self,
        conn: Connection,
        tenant: str,
        rtype: str,
        rid: str,
        normal: res.Normalised,
        if_match: str | None,
    ) -> dict[str, Any]:
        row = self._row(conn, tenant, rtype, rid, lock=True)
        _check_if_match(if_match, row.version)
        stamp = res.now()
        if rtype == "Group":
            _MemberRows(conn, tenant, row.pk, stamp).replace(normal.members or [])
        return self._save(conn, tenant, rtype, row, normal, stamp)

    def patch(
        self,
        tenant: str,
        rtype: str,
        rid: str,
        operations: list[dict[str, Any]],
        *,
        if_match: str | None = None,
    ) -> dict[str, Any]:
        """PATCH (RFC 7644 §3.5.2): all operations or none."""
        res.resource_type(rtype)
        return self._writing(
            lambda conn: self._patch(conn, tenant, rtype, rid, operations, if_match)
        )

    def _patch(
        self,
        conn: Connection,
        tenant: str,
        rtype: str,
        rid: str,
        operations: Any,
        if_match: str | None,
    ) -> dict[str, Any]:
        row = self._row(conn, tenant, rtype, rid, lock=True)
        _check_if_match(if_match, row.version)
        stamp = res.now()
        editor = _MemberRows(conn, tenant, row.pk, stamp) if rtype == "Group" else None
        patched = apply_patch(rtype, row.doc, operations, editor)
        normal = res.normalise(rtype, patched)
        changed = editor is not None and editor.changed
        if normal.doc == row.doc and normal.password is None and not changed:
            # RFC 7644 §3.5.2.1: a PATCH that changes nothing "SHALL NOT change the
            # modify timestamp of the resource".
            return self._render(conn, [row])[0]
        return self._save(conn, tenant, rtype, row, normal, stamp)

    def _save(
        self,
        conn: Connection,
        tenant: str,
        rtype: str,
        row: Any,
        normal: res.Normalised,
        stamp: str,
    ) -> dict[str, Any]:
        columns = _columns(rtype, normal)
        if normal.password is None:
            columns.pop("password_hash")
        self._check_unique(conn, tenant, rtype, columns, row.pk)
        try:
            conn.execute(
                update(R)
                .where(R.c.pk == row.pk)
                .values(version=R.c.version + 1, last_modified=stamp, **columns)
            )
        except IntegrityError as exc:
            raise _conflict(rtype, columns, exc) from None
        if normal.doc != row.doc:
            conn.execute(delete(MV).where(MV.c.resource_pk == row.pk))
            _insert_children(conn, row.pk, normal.doc)
        fresh = conn.execute(select(*_ROW).where(R.c.pk == row.pk)).one()
        return self._render(conn, [fresh])[0]

    def delete(self, tenant: str, rtype: str, rid: str, *, if_match: str | None = None) -> None:
        res.resource_type(rtype)

        def work(conn: Connection) -> None:
            row = self._row(conn, tenant, rtype, rid, lock=True)
            _check_if_match(if_match, row.version)
            self._delete(conn, row)

        self._writing(work)

    def _delete(self, conn: Connection, row: Any) -> None:
        # Groups that lose this member, and members that lose this group, change: their
        # representation (members / User.groups) differs, so their version moves on.
        stamp = res.now()
        touched = (
            select(M.c.group_pk)
            .where(M.c.member_pk == row.pk)
            .union(select(M.c.member_pk).where(M.c.group_pk == row.pk))
        )
        affected = [pk for (pk,) in conn.execute(touched)]
        for chunk in _chunks(sorted(affected)):
            conn.execute(
                update(R)
                .where(R.c.pk.in_(chunk))
                .values(version=R.c.version + 1, last_modified=stamp)
            )
        conn.execute(delete(M).where((M.c.member_pk == row.pk) | (M.c.group_pk == row.pk)))
        conn.execute(delete(MV).where(MV.c.resource_pk == row.pk))
        conn.execute(delete(R).where(R.c.pk == row.pk))

    def _check_unique(
        self,
        conn: Connection,
        tenant: str,
        rtype: str,
        columns: dict[str, Any],
        own_pk: int | None,
    ) -> None:
        if rtype == "User":
            column, value, label = R.c.user_name_lower, columns["user_name_lower"], "userName"
            shown = columns["user_name"]
        else:
            column, value, label = (
                R.c.display_name_lower,
                columns["display_name_lower"],
                "displayName",
            )
            shown = columns["display_name"]
        if value is None:
            return
        query = select(R.c.pk).where(R.c.tenant == tenant, R.c.rtype == rtype, column == value)
        if own_pk is not None:
            query = query.where(R.c.pk != own_pk)
        if conn.execute(query.limit(1)).first() is not None:
            raise uniqueness(_taken(rtype, label, shown))

    # -- bulk ---------------------------------------------------------------------------

    def bulk(
        self,
        tenant: str,
        operations: list[dict[str, Any]],
        *,
        fail_on_errors: int | None = None,
    ) -> list[dict[str, Any]]:
        """Execute a BulkRequest's Operations (RFC 7644 §3.7); one result per executed op."""
        from .bulk import run_bulk

        return run_bulk(self, tenant, operations, fail_on_errors)


# ---------------------------------------------------------------------------------------
# Helpers.


class _MemberRows:
    """Group membership changes as row inserts and deletes (never a rewrite of the list)."""

    def __init__(self, conn: Connection, tenant: str, group_pk: int, stamp: str) -> None:
        self.conn = conn
        self.tenant = tenant
        self.group_pk = group_pk
        self.stamp = stamp
        self.changed = False

    def _resolve(self, members: list[Any]) -> dict[str, Any]:
        wanted: dict[str, str | None] = {}
        for member in res.members_list(members):
            wanted[member["value"]] = member.get("type")
        found: dict[str, Any] = {}
        ids = list(wanted)
        for chunk in _chunks(ids):
            query = select(R.c.pk, R.c.id, R.c.rtype).where(
                R.c.tenant == self.tenant, R.c.id.in_(chunk)
            )
            for row in self.conn.execute(query):
                found[row.id] = row
        for ident, mtype in wanted.items():
            row = found.get(ident)
            if row is None:
                raise invalid_value(
                    f"No User or Group with id '{ident}' in your tenant: a member must be an "
                    "existing resource (400 invalidValue). Create it first, then add it."
                )
            if mtype is not None and mtype != row.rtype:
                raise invalid_value(f"'{ident}' is a {row.rtype}, not a {mtype}: fix its type.")
            if row.pk == self.group_pk:
                raise invalid_value("A group cannot be a member of itself.")
        return found

    def _touch(self, pks: list[int]) -> None:
        self.changed = True
        for chunk in _chunks(sorted(pks)):
            self.conn.execute(
                update(R)
                .where(R.c.pk.in_(chunk))
                .values(version=R.c.version + 1, last_modified=self.stamp)
            )

    def add(self, members: list[Any]) -> None:
        found = self._resolve(members)
        pks = [row.pk for row in found.values()]
        if not pks:
            return
        present: set[int] = set()
        for chunk in _chunks(pks):
            query = select(M.c.member_pk).where(
                M.c.group_pk == self.group_pk, M.c.member_pk.in_(chunk)
            )
            present.update(pk for (pk,) in self.conn.execute(query))
        new = [pk for pk in pks if pk not in present]
        if new:
            self.conn.execute(
                insert(M), [{"group_pk": self.group_pk, "member_pk": pk} for pk in new]
            )
            self._touch(new)

    def remove(self, ids: list[str]) -> None:
        pks: list[int] = []
        for chunk in _chunks(list(ids)):
            query = (
                select(M.c.member_pk)
                .select_from(M.join(R, R.c.pk == M.c.member_pk))
                .where(M.c.group_pk == self.group_pk, R.c.tenant == self.tenant, R.c.id.in_(chunk))
            )
            pks.extend(pk for (pk,) in self.conn.execute(query))
        for chunk in _chunks(pks):
            self.conn.execute(
                delete(M).where(M.c.group_pk == self.group_pk, M.c.member_pk.in_(chunk))
            )
        if pks:
            self._touch(pks)

    def clear(self) -> None:
        pks = [
            pk
            for (pk,) in self.conn.execute(
                select(M.c.member_pk).where(M.c.group_pk == self.group_pk)
            )
        ]
        if pks:
            self.conn.execute(delete(M).where(M.c.group_pk == self.group_pk))
            self._touch(pks)

    def replace(self, members: list[Any]) -> None:
        found = self._resolve(members)
        wanted = {row.pk for row in found.values()}
        current = {
            pk
            for (pk,) in self.conn.execute(
                select(M.c.member_pk).where(M.c.group_pk == self.group_pk)
            )
        }
        gone = sorted(current - wanted)
        new = sorted(wanted - current)
        for chunk in _chunks(gone):
            self.conn.execute(
                delete(M).where(M.c.group_pk == self.group_pk, M.c.member_pk.in_(chunk))
            )
        if new:
            self.conn.execute(
                insert(M), [{"group_pk": self.group_pk, "member_pk": pk} for pk in new]
            )
        if gone or new:
            self._touch(gone + new)

    def select(self, condition: FilterNode) -> list[str]:
        members_attr = res.TYPES["Group"].core.attributes["members"]
        where = _ItemCompiler("Group", members_attr).visit(condition)
        query = (
            select(_MEMBER.c.id)
            .select_from(M.join(_MEMBER, _MEMBER.c.pk == M.c.member_pk))
            .where(M.c.group_pk == self.group_pk, where)
        )
        return [ident for (ident,) in self.conn.execute(query)]


def _columns(rtype: str, normal: res.Normalised) -> dict[str, Any]:
    doc = normal.doc
    user_name = doc.get("userName") if rtype == "User" else None
    display = doc.get("displayName")
    name = doc.get("name") if rtype == "User" else None
    family = name.get("familyName") if isinstance(name, dict) else None
    return {
        "user_name": user_name,
        "user_name_lower": user_name.lower() if user_name else None,
        "display_name": display,
        "display_name_lower": display.lower() if display else None,
        "external_id": doc.get("externalId"),
        "family_name_lower": family.lower() if family else None,
        "active": doc.get("active") if rtype == "User" else None,
        "password_hash": res.hash_password(normal.password) if normal.password else None,
        "doc": doc,
    }


def _insert_children(conn: Connection, pk: int, doc: dict[str, Any]) -> None:
    rows = child_rows(pk, doc)
    if rows:
        conn.execute(insert(MV), rows)


def child_rows(pk: int, doc: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for attr in res.CHILD_ATTRIBUTES:
        for pos, item in enumerate(doc.get(attr) or ()):
            value = item.get("value") if attr != "x509Certificates" else None
            kind = item.get("type")
            rows.append(
                {
                    "resource_pk": pk,
                    "attr": attr,
                    "pos": pos,
                    "type_lower": kind.lower() if isinstance(kind, str) else None,
                    "value": value,
                    "value_lower": value.lower() if isinstance(value, str) else None,
                    "primary": item.get("primary"),
                    "item": item,
                }
            )
    return rows


def _check_if_match(if_match: str | None, version: int) -> None:
    if if_match is None:
        return
    current = version_tag(version)
    for candidate in if_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag == current or tag == current[2:]:
            return
    raise PreconditionFailed(
        f"The resource has changed since you read it: its version is {current}, your If-Match "
        f"was {if_match}. GET it again and retry with the new ETag (412)."
    )


def _taken(rtype: str, label: str, value: Any) -> str:
    if rtype == "User":
        return (
            f"userName '{value}' is already taken (409 uniqueness). userName is unique "
            "case-insensitively: pick another, or find the existing user with "
            f'filter=userName eq "{value}".'
        )
    return (
        f"A Group with displayName '{value}' already exists (409 uniqueness). Find it with "
        f'filter=displayName eq "{value}".'
    )


def _conflict(rtype: str, columns: dict[str, Any], exc: IntegrityError) -> ScimError:
    message = str(exc.orig)
    if "user_name" in message:
        return uniqueness(_taken("User", "userName", columns.get("user_name")))
    if "display_name" in message or "group_name" in message:
        return uniqueness(_taken("Group", "displayName", columns.get("display_name")))
    raise exc


def _retryable(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code in ("40P01", "40001"):
        return True
    return "database is locked" in str(exc.orig)
