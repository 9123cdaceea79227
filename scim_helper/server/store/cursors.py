"""Cursors for cursor-based pagination (RFC 9865): opaque to clients, bound to one query.

A cursor names the last resource of the page it came with (its primary key), so the next page
is a seek (``pk > last``) rather than an OFFSET that reads and throws away every earlier row:
page 500 of a 100,000-user query costs what page 1 does. It also carries when it was issued
and a digest of what it pages through (the tenant, the resource types, the filter), so that a
cursor from another tenant or another query is refused as ``invalidCursor`` and an old one as
``expiredCursor`` (RFC 9865 §2), never answered with someone else's page.

The cursor is not encrypted: nothing in it is secret (a primary key and a time), and a forged
one still reads only the caller's own tenant, since every query is scoped by tenant anyway.
It is base64url without padding, so only RFC 3986 unreserved characters (RFC 9865 §2).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from dataclasses import dataclass

from scim2_models import ExpiredCursorException, InvalidCursorException

__all__ = ["CURSOR_TIMEOUT", "Cursor", "scope_of"]

#: Seconds a cursor stays valid (advertised as ``pagination.cursorTimeout``, RFC 9865 §4).
#: Ours: a seek cursor could live for ever; an hour bounds what a stored cursor can mean.
CURSOR_TIMEOUT = 3600
_VERSION = "1"


def scope_of(tenant: str, rtypes: list[str], filter: str | None) -> str:
    """A short digest of what a cursor pages through: the same query gives the same scope."""
    text = "\x1f".join([tenant, ",".join(rtypes), filter or ""])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Cursor:
    """The position after which the next page starts, in one query's scope."""

    after: int
    scope: str
    issued: int
    #: Whether the query matches a large share of its resource types (decided on the first
    #: page): the next pages then walk the table in key order, checking each row, rather
    #: than collecting every match from an index and sorting them again for each page.
    dense: bool = True

    def encode(self) -> str:
        mode = "d" if self.dense else "s"
        raw = f"{_VERSION}.{self.after}.{self.issued}.{self.scope}.{mode}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str, scope: str, now: float | None = None) -> Cursor:
        """The cursor ``value`` names, if it belongs to ``scope`` and has not expired."""
        invalid = InvalidCursorException(
            detail="This cursor is not one this server gave out for this query (tenant, "
            "resource type and filter). Send cursor= (empty) for the first page, then each "
            "page's nextCursor unchanged, with the same filter."
        )
        try:
            padded = value + "=" * (-len(value) % 4)
            text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
            version, after, issued, digest, mode = text.split(".")
            cursor = cls(after=int(after), scope=digest, issued=int(issued), dense=mode == "d")
        except (ValueError, UnicodeError, binascii.Error):
            raise invalid from None
        if version != _VERSION or cursor.scope != scope or cursor.after < 0 or mode not in "ds":
            raise invalid
        if (time.time() if now is None else now) - cursor.issued > CURSOR_TIMEOUT:
            raise ExpiredCursorException(
                detail=f"This cursor is older than {CURSOR_TIMEOUT} seconds, the "
                "pagination.cursorTimeout in /ServiceProviderConfig. Start again with cursor= "
                "(empty) for the first page."
            )
        return cursor

    @classmethod
    def after_row(cls, pk: int, scope: str, dense: bool) -> Cursor:
        return cls(after=pk, scope=scope, issued=int(time.time()), dense=dense)
