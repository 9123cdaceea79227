"""Group membership changes as row inserts and deletes, never a rewrite of the list.

:class:`MemberRows` is the :class:`..patch.MemberEditor` the PATCH engine drives, and what
create and PUT use. Every member id is looked up in the caller's tenant only: an id of
another tenant is as unknown as one that does not exist (400 invalidValue). A ``display``
the client sends is kept on the member's row; without one, reads show the member's name.
"""

from __future__ import annotations

from typing import Any

from scim2_models import InvalidValueException
from scim2_models.path import FilterNode
from sqlalchemy import Connection, and_, bindparam, delete, insert, select, update

from .. import resources
from ..filters import members_matching
from .execute import run
from .rows import chunks, membership_table, resource_table

# Built once, like the statements of .rows: SQLAlchemy then reuses their compiled form.
# The member ids in the tenant, each with its membership of the group if it has one: one
# statement answers both "does it exist" and "is it already a member" (PATCH add member).
_FIND_MEMBERS = (
    select(
        resource_table.c.pk,
        resource_table.c.id,
        resource_table.c.rtype,
        membership_table.c.member_pk.label("member"),
        membership_table.c.display,
    )
    .select_from(
        resource_table.outerjoin(
            membership_table,
            and_(
                membership_table.c.group_pk == bindparam("group_pk"),
                membership_table.c.member_pk == resource_table.c.pk,
            ),
        )
    )
    .where(
        resource_table.c.tenant == bindparam("tenant"),
        resource_table.c.id.in_(bindparam("ids", expanding=True)),
    )
)
_INSERT_MEMBERS = insert(membership_table)
_TOUCH = (
    update(resource_table)
    .where(resource_table.c.pk.in_(bindparam("pks", expanding=True)))
    .values(version=resource_table.c.version + 1, last_modified=bindparam("stamp"))
)


class MemberRows:
    """Group membership changes as row inserts and deletes (never a rewrite of the list).

    The members whose ``User.groups`` (or nested ``Group.members``) change get their version
    and lastModified moved on by :meth:`flush`, in one UPDATE with the group's own bump."""

    def __init__(self, conn: Connection, tenant: str, group_pk: int, stamp: str) -> None:
        self.conn = conn
        self.tenant = tenant
        self.group_pk = group_pk
        self.stamp = stamp
        self.changed = False
        self._touched: set[int] = set()

    def _find(self, members: list[Any]) -> tuple[dict[str, dict[str, str]], dict[str, Any]]:
        wanted: dict[str, dict[str, str]] = {}
        for member in resources.members_list(members):
            wanted[member["value"]] = member
        found: dict[str, Any] = {}
        ids = list(wanted)
        for chunk in chunks(ids):
            params = {"group_pk": self.group_pk, "tenant": self.tenant, "ids": chunk}
            found.update((row.id, row) for row in run(self.conn, _FIND_MEMBERS, params))
        return wanted, found

    def _resolve(self, members: list[Any]) -> dict[int, str | None]:
        """The pk of each member, with the display the client sent (None: none sent)."""
        return self._resolve_found(*self._find(members))

    def _resolve_found(
        self, wanted: dict[str, dict[str, str]], found: dict[str, Any]
    ) -> dict[int, str | None]:
        result: dict[int, str | None] = {}
        for ident, member in wanted.items():
            row = found.get(ident)
            if row is None:
                raise InvalidValueException(
                    detail=f"No User or Group with id '{ident}' in your tenant: a member must be "
                    "an existing resource (400 invalidValue). Create it first, then add "
                    "it."
                )
            mtype = member.get("type")
            if mtype is not None and mtype != row.rtype:
                raise InvalidValueException(
                    detail=f"'{ident}' is a {row.rtype}, not a {mtype}: fix its type."
                )
            if row.pk == self.group_pk:
                raise InvalidValueException(detail="A group cannot be a member of itself.")
            result[row.pk] = member.get("display")
        return result

    def _current(self) -> dict[int, str | None]:
        """The group's members with their stored display."""
        query = select(membership_table.c.member_pk, membership_table.c.display).where(
            membership_table.c.group_pk == self.group_pk
        )
        return {pk: display for pk, display in run(self.conn, query)}

    def _touch(self, pks: list[int]) -> None:
        self.changed = True
        self._touched.update(pks)

    def flush(self, *also: int) -> None:
        """Move on the version and lastModified of the members touched so far, and of
        ``also`` (the group itself, when only its members changed), in one UPDATE."""
        pks = sorted(self._touched.union(also))
        self._touched.clear()
        for chunk in chunks(pks):
            run(self.conn, _TOUCH, {"pks": chunk, "stamp": self.stamp})

    def _insert(self, wanted: dict[int, str | None], pks: list[int]) -> None:
        self.conn.execute(_INSERT_MEMBERS, [_row(self.group_pk, pk, wanted[pk]) for pk in pks])

    def _set_display(self, displays: dict[int, str | None]) -> None:
        # Only the group's representation changes: the member's User.groups does not show it.
        for pk, display in sorted(displays.items()):
            run(
                self.conn,
                update(membership_table)
                .where(
                    membership_table.c.group_pk == self.group_pk, membership_table.c.member_pk == pk
                )
                .values(display=display, display_lower=_lower(display)),
            )
        if displays:
            self.changed = True

    def add(self, members: list[Any]) -> None:
        ids, found = self._find(members)
        wanted = self._resolve_found(ids, found)
        if not wanted:
            return
        present = {row.pk: row.display for row in found.values() if row.member is not None}
        new = [pk for pk in wanted if pk not in present]
        if new:
            self._insert(wanted, new)
            self._touch(new)
        # An add naming a present member with another display updates that display; one
        # without a display leaves the stored one alone.
        self._set_display(
            {
                pk: display
                for pk, display in wanted.items()
                if pk in present and display is not None and display != present[pk]
            }
        )

    def set_display(self, ids: list[str] | None, display: Any) -> None:
        """Set the display of the members ``ids`` (every member if None); None unsets it."""
        display = resources.member_display(display)
        query = select(membership_table.c.member_pk, membership_table.c.display).where(
            membership_table.c.group_pk == self.group_pk
        )
        if ids is None:
            rows = list(run(self.conn, query))
        else:
            rows = []
            for chunk in chunks(ids):
                chosen = query.join(
                    resource_table, resource_table.c.pk == membership_table.c.member_pk
                ).where(resource_table.c.id.in_(chunk))
                rows.extend(run(self.conn, chosen))
        self._set_display({pk: display for pk, current in rows if current != display})

    def remove(self, ids: list[str]) -> None:
        for chunk in chunks(list(ids)):
            named = select(resource_table.c.pk).where(
                resource_table.c.tenant == self.tenant, resource_table.c.id.in_(chunk)
            )
            self._delete(membership_table.c.member_pk.in_(named.scalar_subquery()))

    def remove_matching(self, condition: FilterNode) -> bool:
        """Remove the members that ``condition`` selects (``members[...]``); False if none."""
        matching = members_matching(self.group_pk, condition)
        return self._delete(
            membership_table.c.member_pk.in_(
                matching.with_only_columns(membership_table.c.member_pk).scalar_subquery()
            )
        )

    def _delete(self, which: Any) -> bool:
        """Delete the group's memberships that ``which`` selects, in one statement that says
        which members they were; those members' versions move on. False if there were none."""
        statement = (
            delete(membership_table)
            .where(membership_table.c.group_pk == self.group_pk, which)
            .returning(membership_table.c.member_pk)
        )
        pks = list(run(self.conn, statement).scalars())
        if pks:
            self._touch(pks)
        return bool(pks)

    def clear(self) -> None:
        pks = list(self._current())
        if pks:
            run(
                self.conn,
                delete(membership_table).where(membership_table.c.group_pk == self.group_pk),
            )
            self._touch(pks)

    def replace(self, members: list[Any]) -> None:
        wanted = self._resolve(members)
        current = self._current()
        gone = sorted(current.keys() - wanted.keys())
        new = sorted(wanted.keys() - current.keys())
        for chunk in chunks(gone):
            run(
                self.conn,
                delete(membership_table).where(
                    membership_table.c.group_pk == self.group_pk,
                    membership_table.c.member_pk.in_(chunk),
                ),
            )
        if new:
            self._insert(wanted, new)
        if gone or new:
            self._touch(gone + new)
        # RFC 7644 §3.5.2.3: the values are replaced, so a kept member takes the display sent
        # now, or none (its own name) when none is sent.
        self._set_display(
            {pk: wanted[pk] for pk in wanted.keys() & current.keys() if wanted[pk] != current[pk]}
        )

    def select(self, condition: FilterNode) -> list[str]:
        """The ids of the group's members that ``condition`` selects (``members[...]``)."""
        return list(run(self.conn, members_matching(self.group_pk, condition)).scalars())


def _row(group_pk: int, member_pk: int, display: str | None) -> dict[str, Any]:
    return {
        "group_pk": group_pk,
        "member_pk": member_pk,
        "display": display,
        "display_lower": _lower(display),
    }


def _lower(display: str | None) -> str | None:
    return display.lower() if display is not None else None
