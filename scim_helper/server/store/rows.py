"""How a resource maps to rows of :mod:`..db` and back to a SCIM document.

The statements used on every request are built once here: SQLAlchemy then reuses their
compiled form and cache key, which is most of its per-statement cost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from scim2_models import PreconditionFailedException, SCIMException, UniquenessException
from sqlalchemy import JSON, Connection, bindparam, delete, func, insert, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from .. import resources
from ..db import membership_table, multi_value_table, resource_table
from .execute import run

T = TypeVar("T")


class user_groups(FunctionElement[Any]):
    """User.groups (RFC 7643 §4.1.2) of the resource whose pk is the argument: one JSON
    array of ``{value, display, type}``, ordered as the groups were created, ``[]`` for none.

    Read in the same statement as the row, a User costs one query instead of two (a GET by
    id, a PATCH, every page of a search). The SQL differs by dialect (below)."""

    type = JSON()
    inherit_cache = True
    name = "user_groups"


def _groups_of(element: user_groups) -> Any:
    """A SELECT of the groups' id, displayName and pk of the member ``element`` names."""
    (pk,) = element.clauses
    group = resource_table.alias("user_group")
    link = membership_table.alias("user_group_link")
    rows = (
        select(group.c.id, group.c.display_name, group.c.pk)
        .select_from(link.join(group, group.c.pk == link.c.group_pk))
        .where(link.c.member_pk == pk)
        .correlate(resource_table)
    )
    return rows


def _entry(value: Any, display: Any) -> list[Any]:
    def text(word: str) -> Any:
        return literal_column(f"'{word}'")

    return [text("value"), value, text("display"), display, text("type"), text("direct")]


@compiles(user_groups, "postgresql")
def _user_groups_postgresql(element: user_groups, compiler: Any, **kw: Any) -> str:
    rows = _groups_of(element)
    inner = rows.subquery("user_groups")
    entry = func.json_build_object(*_entry(inner.c.id, inner.c.display_name))
    array = func.coalesce(
        func.json_agg(aggregate_order_by(entry, inner.c.pk)), literal_column("'[]'::json")
    )
    return str(compiler.process(select(array).select_from(inner).scalar_subquery(), **kw))


@compiles(user_groups, "sqlite")
def _user_groups_sqlite(element: user_groups, compiler: Any, **kw: Any) -> str:
    # SQLite 3.40 has no ORDER BY inside an aggregate: the rows come ordered from a subquery
    # (an aggregate over it is never flattened, so its order is kept).
    rows = _groups_of(element)
    inner = rows.order_by(rows.selected_columns.pk).subquery("user_groups")
    array = func.json_group_array(func.json_object(*_entry(inner.c.id, inner.c.display_name)))
    return str(compiler.process(select(array).select_from(inner).scalar_subquery(), **kw))


ROW = (
    resource_table.c.pk,
    resource_table.c.id,
    resource_table.c.rtype,
    resource_table.c.doc,
    resource_table.c.created,
    resource_table.c.last_modified,
    resource_table.c.version,
)
# ROW and User.groups: what a User's answer needs, in one statement.
ROW_GROUPS = (*ROW, user_groups(resource_table.c.pk).label("groups"))


@dataclass(frozen=True)
class SavedRow:
    """A resource's row as just written: the columns of :data:`ROW_GROUPS`, without
    reading them back (the row is locked, so nothing else changed them)."""

    pk: int
    id: str
    rtype: str
    doc: dict[str, Any]
    created: str
    last_modified: str
    version: int
    groups: list[dict[str, Any]] | None = None


CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit
RETRIES = 5

# Statements on the hot paths are built once: SQLAlchemy then reuses their compiled form
# and cache key, which is most of its per-statement cost.
# One resource by id, per resource type: a User with its groups, a Group without (its
# members are read apart, and only when the answer shows them).
BY_ID = {
    rtype: select(*columns, resource_table.c.password_hash).where(
        resource_table.c.id == bindparam("rid"),
        resource_table.c.tenant == bindparam("tenant"),
        resource_table.c.rtype == rtype,
    )
    for rtype, columns in (("User", ROW_GROUPS), ("Group", ROW))
}
BY_ID_LOCKED = {rtype: statement.with_for_update() for rtype, statement in BY_ID.items()}
INSERT = insert(resource_table).returning(resource_table.c.pk)
INSERT_MANY = insert(resource_table).returning(resource_table.c.pk, sort_by_parameter_order=True)
INSERT_CHILDREN = insert(multi_value_table)
DELETE_CHILDREN = delete(multi_value_table).where(
    multi_value_table.c.resource_pk == bindparam("pk")
)
MEMBERS_OF = (
    select(
        membership_table.c.group_pk,
        resource_table.c.id,
        resource_table.c.rtype,
        membership_table.c.display,
        resource_table.c.display_name,
        resource_table.c.user_name,
    )
    .select_from(
        membership_table.join(resource_table, resource_table.c.pk == membership_table.c.member_pk)
    )
    .where(membership_table.c.group_pk.in_(bindparam("pks", expanding=True)))
    .order_by(membership_table.c.group_pk, membership_table.c.member_pk)
)
TAKEN = {
    "User": select(resource_table.c.user_name_lower).where(
        resource_table.c.tenant == bindparam("tenant"),
        resource_table.c.rtype == "User",
        resource_table.c.user_name_lower.in_(bindparam("keys", expanding=True)),
        resource_table.c.pk != bindparam("own"),
    ),
    "Group": select(resource_table.c.display_name_lower).where(
        resource_table.c.tenant == bindparam("tenant"),
        resource_table.c.rtype == "Group",
        resource_table.c.display_name_lower.in_(bindparam("keys", expanding=True)),
        resource_table.c.pk != bindparam("own"),
    ),
}
UNIQUE_KEY = {
    "User": ("user_name_lower", "user_name"),
    "Group": ("display_name_lower", "display_name"),
}


def unique_key(rtype: str, doc: dict[str, Any]) -> str:
    """The value of the column that must be unique in a tenant (``UNIQUE_KEY``) for a stored
    ``doc``, which always has its userName or displayName (both required)."""
    return str(doc["userName" if rtype == "User" else "displayName"]).lower()


def chunks(items: list[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def version_tag(version: int) -> str:
    return f'W/"{version}"'


def document(
    rtype: str,
    rid: str,
    doc: dict[str, Any],
    created: str,
    last_modified: str,
    version: int,
    related: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """The SCIM representation of a stored resource (no meta.location, no $ref)."""
    body: dict[str, Any] = {"schemas": doc["schemas"], "id": rid}
    if "externalId" in doc:
        body["externalId"] = doc["externalId"]
    for key, value in doc.items():
        if key not in ("schemas", "externalId"):
            body[key] = value
    if related:
        body["groups" if rtype == "User" else "members"] = related
    body["meta"] = {
        "resourceType": rtype,
        "created": created,
        "lastModified": last_modified,
        "version": version_tag(version),
    }
    return body


def related(
    conn: Connection, statement: Any, pks: list[int], entry: Callable[[Any], dict[str, Any]]
) -> dict[int, list[dict[str, Any]]]:
    """User.groups or Group.members of several resources, in one query per chunk."""
    result: dict[int, list[dict[str, Any]]] = {}
    for chunk in chunks(pks):
        for row in run(conn, statement, {"pks": chunk}):
            result.setdefault(row[0], []).append(entry(row))
    return result


def member_entry(row: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"value": row[1]}
    # The display the client sent with the member, else the member's own name.
    display = row[3] or row[4] or row[5]
    if display:
        entry["display"] = display
    entry["type"] = row[2]
    return entry


def columns_of(rtype: str, normal: resources.Normalised) -> dict[str, Any]:
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
        "password_hash": resources.hash_password(normal.password) if normal.password else None,
        "doc": doc,
    }


def child_rows(pk: int, doc: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for attr in resources.CHILD_ATTRIBUTES:
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


def check_if_match(if_match: str | None, version: int) -> None:
    if if_match is None:
        return
    current = version_tag(version)
    for candidate in if_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag == current or tag == current[2:]:
            return
    raise PreconditionFailedException(
        detail=f"The resource has changed since you read it: its version is {current}, your "
        f"If-Match was {if_match}. GET it again and retry with the new ETag (412)."
    )


def taken_message(rtype: str, label: str, value: Any) -> str:
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


def conflict(rtype: str, columns: dict[str, Any], exc: IntegrityError) -> SCIMException:
    message = str(exc.orig)
    if "user_name" in message:
        return UniquenessException(
            detail=taken_message("User", "userName", columns.get("user_name"))
        )
    if "display_name" in message or "group_name" in message:
        return UniquenessException(
            detail=taken_message("Group", "displayName", columns.get("display_name"))
        )
    raise exc


def retryable(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code in ("40P01", "40001"):
        return True
    return "database is locked" in str(exc.orig)
