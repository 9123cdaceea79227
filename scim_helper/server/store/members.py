"""Group membership changes as row inserts and deletes, never a rewrite of the list.

:class:`MemberRows` is the :class:`..patch.MemberEditor` the PATCH engine drives, and what
create and PUT use. Every member id is looked up in the caller's tenant only: an id of
another tenant is as unknown as one that does not exist (400 invalidValue).
"""

from __future__ import annotations

from typing import Any

from scim2_models.path import FilterNode
from sqlalchemy import Connection, delete, insert, select, update

from .. import resources as res
from ..errors import invalid_value
from ..filters import _MEMBER, _ItemCompiler
from .rows import M, R, chunks


class MemberRows:
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
        for chunk in chunks(ids):
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
        for chunk in chunks(sorted(pks)):
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
        for chunk in chunks(pks):
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
        for chunk in chunks(list(ids)):
            query = (
                select(M.c.member_pk)
                .select_from(M.join(R, R.c.pk == M.c.member_pk))
                .where(M.c.group_pk == self.group_pk, R.c.tenant == self.tenant, R.c.id.in_(chunk))
            )
            pks.extend(pk for (pk,) in self.conn.execute(query))
        for chunk in chunks(pks):
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
        for chunk in chunks(gone):
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
