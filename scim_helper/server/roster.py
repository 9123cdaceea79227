"""A workshop's room: its learners (a name and a tenant each) and its instructor tokens.

Learners' tokens are ordinary tenant tokens (``tenants``): a learner's token opens their own
tenant and nothing else. An instructor token is kept apart, in ``instructors``, and is no
tenant's token: it opens the instructor view (progress only), never a SCIM endpoint. Both are
stored as SHA-256 hashes only; the tokens file written by ``scim-course workshop prepare`` is
their only copy.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, bindparam, insert, select

from .db import instructor_table, learner_table, tenant_table, token_table
from .resources import now
from .tenants import new_token, token_hash

_IS_INSTRUCTOR = select(instructor_table.c.name).where(
    instructor_table.c.token_hash == bindparam("digest")
)


def learners(conn: Connection) -> dict[str, str]:
    """Every learner of the room: name -> tenant."""
    rows = conn.execute(select(learner_table.c.name, learner_table.c.tenant))
    return {name: tenant for name, tenant in rows}


def learner_of(conn: Connection, tenant: str) -> str | None:
    """The learner name of a tenant, or None (a tenant outside the room)."""
    found = select(learner_table.c.name).where(learner_table.c.tenant == tenant)
    return conn.execute(found).scalar_one_or_none()


def instructor_hashes(conn: Connection) -> set[str]:
    return set(conn.execute(select(instructor_table.c.token_hash)).scalars())


def token_tenant(conn: Connection, token: str) -> str | None:
    """The tenant a (learner) token opens, or None."""
    found = select(token_table.c.tenant).where(token_table.c.token_hash == token_hash(token))
    return conn.execute(found).scalar_one_or_none()


def is_instructor(conn: Connection, token: str) -> bool:
    return conn.execute(_IS_INSTRUCTOR, {"digest": token_hash(token)}).first() is not None


def enrol(conn: Connection, names: list[str]) -> dict[str, str]:
    """Add learners, a new tenant and a new token each, in three statements; name -> token."""
    if not names:
        return {}
    stamp = now()
    minted = {name: new_token() for name in names}
    tenants = {name: uuid.uuid4().hex for name in names}
    conn.execute(insert(tenant_table), [{"id": tenants[n], "created": stamp} for n in names])
    conn.execute(
        insert(token_table),
        [{"token_hash": token_hash(minted[n]), "tenant": tenants[n]} for n in names],
    )
    conn.execute(insert(learner_table), [{"name": n, "tenant": tenants[n]} for n in names])
    return minted


def add_instructor(conn: Connection, name: str = "instructor") -> str:
    """A new instructor token (no tenant's token); returns it."""
    token = new_token()
    conn.execute(insert(instructor_table).values(token_hash=token_hash(token), name=name))
    return token
