"""Stored rows read back (RFC 7644 §3.14 ETags, RFC 7643 §3.1 meta; issue 18): If-Match
lists, conflict messages, the order of a document's keys, and member displays."""

from __future__ import annotations

from typing import Any

import pytest
from scim2_models import ConflictException, PreconditionFailedException

from scim_helper.server.store import Store
from scim_helper.server.store.rows import check_if_match, version_tag

from .builders import group, user


@pytest.mark.parametrize(
    "if_match",
    ['W/"3"', '"3"', "*", 'W/"1", W/"3"', ' W/"9" ,  "3" ', 'W/"2",*'],
)
def test_rfc7644_3_14_if_match_accepts_the_current_version(if_match: str) -> None:
    """If-Match matches the current weak ETag, its opaque tag, "*", or any tag of a list."""
    check_if_match(if_match, 3)


@pytest.mark.parametrize("if_match", ['W/"2"', '"2"', 'W/"30"', "3", 'W/"2", W/"4"', ""])
def test_rfc7644_3_14_if_match_refuses_other_versions(if_match: str) -> None:
    """Any other tag is 412, saying the current version and what to do."""
    with pytest.raises(PreconditionFailedException) as info:
        check_if_match(if_match, 3)
    assert info.value.detail == (
        f'The resource has changed since you read it: its version is W/"3", your If-Match '
        f"was {if_match}. GET it again and retry with the new ETag (412)."
    )


def test_rfc7644_3_14_version_tag_is_weak() -> None:
    """Versions are weak ETags (RFC 7232 §2.3), W/"n"."""
    assert version_tag(12) == 'W/"12"'


def test_rfc7644_3_12_user_name_conflict_detail(store: Store, tenant: str) -> None:
    """A taken userName (any case) is 409 uniqueness saying how to find the user."""
    user(store, tenant, "dschrute")
    with pytest.raises(ConflictException) as info:
        user(store, tenant, "DSchrute")
    assert info.value.scim_type == "uniqueness"
    assert info.value.detail == (
        "userName 'DSchrute' is already taken (409 uniqueness). userName is unique "
        "case-insensitively: pick another, or find the existing user with filter=userName eq "
        '"DSchrute".'
    )


def test_rfc7644_3_12_group_name_conflict_detail(store: Store, tenant: str) -> None:
    """A taken Group displayName is 409 uniqueness saying how to find the group."""
    group(store, tenant, "Sales")
    with pytest.raises(ConflictException) as info:
        group(store, tenant, "sales")
    assert info.value.detail == (
        "A Group with displayName 'sales' already exists (409 uniqueness). Find it with "
        'filter=displayName eq "sales".'
    )


def test_rfc7643_3_1_document_keys_and_meta(store: Store, tenant: str) -> None:
    """A stored resource reads back as schemas, id, externalId, its attributes, then meta
    with resourceType, created, lastModified and a weak version."""
    created = store.create(
        tenant, "User", {"title": "T", "externalId": "E1", "userName": "u", "active": True}
    )
    assert list(created)[:3] == ["schemas", "id", "externalId"]
    assert list(created)[-1] == "meta"
    meta = created["meta"]
    assert list(meta) == ["resourceType", "created", "lastModified", "version"]
    assert (meta["resourceType"], meta["version"]) == ("User", 'W/"1"')
    assert meta["created"] == meta["lastModified"]
    assert store.get(tenant, "User", created["id"]) == created


def test_rfc7643_4_1_groups_of_a_user_are_direct_with_display(store: Store, tenant: str) -> None:
    """User.groups lists each group with value, display and type "direct"."""
    member = user(store, tenant, "m")
    sales = group(store, tenant, "Sales", member)
    assert store.get(tenant, "User", member["id"])["groups"] == [
        {"value": sales["id"], "display": "Sales", "type": "direct"}
    ]


@pytest.mark.parametrize(
    ("attrs", "sent", "shown"),
    [
        ({"displayName": "Oscar M"}, None, "Oscar M"),
        ({}, None, "omartinez"),
        ({"displayName": "Oscar M"}, "Accountant", "Accountant"),
    ],
)
def test_rfc7643_4_2_member_display_falls_back_to_the_members_name(
    store: Store, tenant: str, attrs: dict[str, Any], sent: str | None, shown: str
) -> None:
    """A member shows the display sent with it, else its displayName, else its userName."""
    oscar = user(store, tenant, "omartinez", **attrs)
    member: dict[str, Any] = {"value": oscar["id"]}
    if sent:
        member["display"] = sent
    created = store.create(tenant, "Group", {"displayName": "Accounting", "members": [member]})
    assert created["members"] == [{"value": oscar["id"], "display": shown, "type": "User"}]


def test_rfc7643_4_2_group_member_shows_the_groups_name(store: Store, tenant: str) -> None:
    """A group member shows the member group's displayName and type Group."""
    inner = group(store, tenant, "Inner")
    outer = store.create(
        tenant, "Group", {"displayName": "Outer", "members": [{"value": inner["id"]}]}
    )
    assert outer["members"] == [{"value": inner["id"], "display": "Inner", "type": "Group"}]


def test_rfc7644_3_4_2_2_typed_values_are_filterable_without_case(
    store: Store, tenant: str
) -> None:
    """Each email's type and value are stored for filtering without case; the primary flag
    and the position of each value are kept."""
    created = user(
        store,
        tenant,
        "e",
        emails=[
            {"value": "A@X.example", "type": "WORK"},
            {"value": "b@y.example", "type": "Home", "primary": True},
        ],
    )
    assert (
        store.search(tenant, ["User"], filter='emails[type eq "work" and value eq "a@x.EXAMPLE"]')[
            0
        ]
        == 1
    )
    assert (
        store.search(tenant, ["User"], filter='emails[type eq "home" and primary eq true]')[0] == 1
    )
    assert (
        store.search(tenant, ["User"], filter='emails[type eq "work" and primary eq true]')[0] == 0
    )
    assert store.search(tenant, ["User"], sort_by="emails")[1][0]["id"] == created["id"]


# -- found by the mutation run of session 3 (issue 18) ------------------------------------


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        ("DeadlockDetected", True),  # SQLSTATE 40P01
        ("SerializationFailure", True),  # SQLSTATE 40001
        ("UniqueViolation", False),  # SQLSTATE 23505: a 409, never retried
        ("QueryCanceled", False),  # SQLSTATE 57014
    ],
)
def test_postgres_deadlock_and_serialization_failure_are_retried(error: str, retried: bool) -> None:
    """Store._writing retries a write that PostgreSQL aborted for a deadlock or a
    serialization failure, by their SQLSTATE (psycopg's own exception classes carry it)."""
    import psycopg.errors
    from sqlalchemy.exc import DBAPIError

    from scim_helper.server.store.rows import retryable

    orig = getattr(psycopg.errors, error)("aborted")
    wrapped = DBAPIError.instance("UPDATE resources", None, orig, psycopg.Error)
    assert retryable(wrapped) is retried


def test_sqlite_errors_other_than_locked_are_not_retried() -> None:
    """Only "database is locked" is worth a retry on SQLite; a disk or syntax error is not."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from scim_helper.server.store.rows import retryable

    locked = OperationalError(
        "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
    )
    full = OperationalError("INSERT", None, sqlite3.OperationalError("database or disk is full"))
    assert (retryable(locked), retryable(full)) == (True, False)
