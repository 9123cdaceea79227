"""Tenants and their bearer tokens.

A token is stored only as its SHA-256: the database never holds it, and a lookup by hash
never compares the token itself (a timing difference could at most reveal part of a hash,
which does not help forge a token). A tenant is created on the first token bound to it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import Connection, bindparam, delete, insert, select

from .db import membership_table, multi_value_table, resource_table, tenant_table, token_table
from .resources import now

_TENANT_OF = select(token_table.c.tenant).where(token_table.c.token_hash == bindparam("digest"))
_TENANT_EXISTS = select(tenant_table.c.id).where(tenant_table.c.id == bindparam("tenant"))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh bearer token (256 random bits, URL-safe base64).

    Never starting with "-": pasted after ``--token`` on a command line, such a token would be
    read as an option (``argparse``: "expected one argument").
    """
    while (token := secrets.token_urlsafe(32)).startswith("-"):
        pass
    return token


def lookup(conn: Connection, token: str) -> str | None:
    """The tenant a token is bound to, or None."""
    return conn.execute(_TENANT_OF, {"digest": token_hash(token)}).scalar_one_or_none()


def bind(conn: Connection, token: str, tenant: str | None) -> str:
    """Bind a token to a tenant (new if None), idempotently; return the tenant."""
    digest = token_hash(token)
    bound = conn.execute(_TENANT_OF, {"digest": digest}).scalar_one_or_none()
    if bound is not None:
        if tenant is not None and tenant != bound:
            raise ValueError(
                "This token is already bound to another tenant; mint a new token instead."
            )
        return bound
    chosen = tenant or uuid.uuid4().hex
    if conn.execute(_TENANT_EXISTS, {"tenant": chosen}).first() is None:
        conn.execute(insert(tenant_table).values(id=chosen, created=now()))
    conn.execute(insert(token_table).values(token_hash=digest, tenant=chosen))
    return chosen


def reset(conn: Connection, tenant: str) -> None:
    """Delete every resource of a tenant (its tokens stay valid)."""
    owned = select(resource_table.c.pk).where(resource_table.c.tenant == tenant)
    conn.execute(delete(membership_table).where(membership_table.c.group_pk.in_(owned)))
    conn.execute(delete(membership_table).where(membership_table.c.member_pk.in_(owned)))
    conn.execute(delete(multi_value_table).where(multi_value_table.c.resource_pk.in_(owned)))
    conn.execute(delete(resource_table).where(resource_table.c.tenant == tenant))
