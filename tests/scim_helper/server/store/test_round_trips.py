"""Round trips per request: the statements each common request sends the database (issue 16).

On PostgreSQL every statement is a round trip, about 0.1 ms of the server's CPU and as much of
the database's (bench/RESULTS.md, "Rooms"). The store skips what a request does not need: the
uniqueness query when the name is unchanged, the child rows when they are unchanged, the
re-read after a write, a separate query for User.groups, a COUNT when the first page already
holds every match. These tests pin that, on SQLite and PostgreSQL, and that what the store
answers without reading back is what a read returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from scim2_models import NoTargetException, UniquenessException
from sqlalchemy import event

from scim_helper.server.store import Store

from .builders import group, user


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    """The SQL statements the store sends inside the block, whitespace folded."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(" ".join(args[2].split()))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def _touches(sql: list[str], table: str) -> list[str]:
    return [s for s in sql if f" {table} " in f" {s} " or f" {table}." in s]


def _uniqueness(sql: list[str]) -> list[str]:
    return [s for s in sql if "_name_lower IN" in s]


def _replace(path: str, value: Any) -> list[dict[str, Any]]:
    return [{"op": "replace", "path": path, "value": value}]


def test_rfc7644_3_5_2_patch_of_active_is_a_locked_read_and_one_update(
    store: Store, tenant: str
) -> None:
    """PATCH active: the row (with its groups) read and locked, then one UPDATE; no
    uniqueness query, no child rows, no re-read, no groups query."""
    alice = user(store, tenant, "alice", emails=[{"value": "a@x.example", "type": "work"}])
    with statements(store) as sql:
        store.patch(tenant, "User", alice["id"], _replace("active", False))
    assert len(sql) == 2, sql
    assert sql[0].startswith("SELECT") and "json" in sql[0].lower()
    if store.engine.dialect.name == "postgresql":
        assert sql[0].endswith("FOR UPDATE")
    assert sql[1].startswith("UPDATE resources SET")
    assert not _touches(sql, "multi_values"), sql


def test_rfc7644_3_5_2_patch_of_an_email_rewrites_children_without_a_name_check(
    store: Store, tenant: str
) -> None:
    """A new email value rewrites the user's child rows; the name is unchanged, so no
    uniqueness query."""
    alice = user(store, tenant, "alice", emails=[{"value": "a@x.example", "type": "work"}])
    with statements(store) as sql:
        store.patch(tenant, "User", alice["id"], _replace('emails[type eq "work"].value', "b@x"))
    assert not _uniqueness(sql), sql
    assert [s.split()[0] for s in _touches(sql, "multi_values")] == ["DELETE", "INSERT"], sql
    found = store.search(tenant, ["User"], filter='emails.value eq "b@x"')[1]
    assert [u["id"] for u in found] == [alice["id"]]


@pytest.mark.parametrize("new_name", ["bob", "ALICE2"])
def test_rfc7643_4_1_1_a_new_user_name_is_checked_for_uniqueness(
    store: Store, tenant: str, new_name: str
) -> None:
    """A changed userName (in any case) is looked up first; a taken one is 409."""
    alice = user(store, tenant, "alice")
    user(store, tenant, "bob")
    with statements(store) as sql:
        if new_name == "bob":
            with pytest.raises(UniquenessException):
                store.patch(tenant, "User", alice["id"], _replace("userName", new_name))
        else:
            store.patch(tenant, "User", alice["id"], _replace("userName", new_name))
    assert len(_uniqueness(sql)) == 1, sql


def test_rfc7643_4_1_1_a_user_name_changed_only_in_case_needs_no_check(
    store: Store, tenant: str
) -> None:
    """alice -> Alice: userName is unique case-insensitively (RFC 7643 §4.1.1: "case
    insensitive"), so the new spelling cannot collide with anyone else: stored, not looked up."""
    alice = user(store, tenant, "alice")
    with statements(store) as sql:
        changed = store.patch(tenant, "User", alice["id"], _replace("userName", "Alice"))
    assert changed["userName"] == "Alice"
    assert _uniqueness(sql) == [], sql  # the same name, case-insensitively: nothing to check


def test_rfc7644_3_5_1_put_with_the_same_names_skips_the_checks(store: Store, tenant: str) -> None:
    """PUT of a User keeping its userName and emails: no uniqueness query, no child rows."""
    body = {"userName": "alice", "emails": [{"value": "a@x.example"}], "title": "Boss"}
    alice = store.create(tenant, "User", body)
    with statements(store) as sql:
        store.replace(tenant, "User", alice["id"], {**body, "title": "Chief"})
    assert not _uniqueness(sql) and not _touches(sql, "multi_values"), sql


def test_rfc7644_3_5_1_a_group_rename_is_checked_and_an_external_id_is_not(
    store: Store, tenant: str
) -> None:
    """A Group's displayName is unique in the tenant (ours): a rename is looked up, a new
    externalId alone is not."""
    sales = group(store, tenant, "Sales")
    group(store, tenant, "Accounting")
    with statements(store) as sql:
        store.patch(tenant, "Group", sales["id"], _replace("externalId", "hr-1"))
    assert not _uniqueness(sql), sql
    with statements(store) as sql, pytest.raises(UniquenessException):
        store.patch(tenant, "Group", sales["id"], _replace("displayName", "accounting"))
    assert len(_uniqueness(sql)) == 1, sql


def test_rfc7644_3_5_2_1_a_patch_that_changes_nothing_only_reads(store: Store, tenant: str) -> None:
    """A PATCH to the value already stored reads the row and writes nothing."""
    alice = user(store, tenant, "alice", active=True)
    with statements(store) as sql:
        same = store.patch(tenant, "User", alice["id"], _replace("active", True))
    assert len(sql) == 1 and sql[0].startswith("SELECT"), sql
    assert same["meta"] == alice["meta"]


def test_rfc7644_3_4_1_get_user_is_one_statement_with_its_groups(store: Store, tenant: str) -> None:
    """GET a User: its row and groups in one statement; a Group by id reads no User.groups."""
    alice = user(store, tenant, "alice")
    staff = group(store, tenant, "Staff", alice)
    sales = group(store, tenant, "Sales", alice)
    with statements(store) as sql:
        read = store.get(tenant, "User", alice["id"])
    assert len(sql) == 1, sql
    assert [g["value"] for g in read["groups"]] == [staff["id"], sales["id"]]
    with statements(store) as sql:
        store.get(tenant, "Group", staff["id"])
    assert len(sql) == 2 and "json" not in sql[0].lower(), sql


def test_rfc7644_3_5_2_answers_without_reading_back_equal_a_read(store: Store, tenant: str) -> None:
    """What a PATCH or PUT answers without reading the row back (groups, version,
    lastModified, the new values) is exactly what a GET then returns."""
    alice = user(store, tenant, "alice", emails=[{"value": "a@x.example", "type": "work"}])
    group(store, tenant, "Staff", alice)
    group(store, tenant, "Sales", alice)
    rid = alice["id"]
    for change in (
        lambda: store.patch(tenant, "User", rid, _replace("active", False)),
        lambda: store.patch(tenant, "User", rid, _replace('emails[type eq "work"].value', "b@x")),
        lambda: store.patch(tenant, "User", rid, _replace("userName", "alice.b")),
        lambda: store.replace(tenant, "User", rid, {"userName": "alice.c", "title": "Boss"}),
    ):
        answer = change()
        assert answer == store.get(tenant, "User", rid)
        assert [g["display"] for g in answer["groups"]] == ["Staff", "Sales"]


def test_rfc7644_3_4_2_a_first_page_is_one_statement(store: Store, tenant: str) -> None:
    """userName eq (or any filter) on the first page: one statement when the page holds every
    match or there is none; a COUNT only when the page is full."""
    for name in ("a", "b", "c"):
        user(store, tenant, name)
    for expression, count, expected, total in (
        ('userName eq "b"', None, 1, 1),
        ('userName eq "zz"', 10, 1, 0),
        ("userName pr", 10, 1, 3),
        ("userName pr", 3, 2, 3),
        ("userName pr", 2, 2, 3),
    ):
        with statements(store) as sql:
            found = store.search(tenant, ["User"], filter=expression, count=count)
        assert len(sql) == expected, (expression, count, sql)
        assert found[0] == total


def test_rfc7644_3_5_2_2_member_remove_by_filter_is_one_delete(store: Store, tenant: str) -> None:
    """members[value eq "…"] remove: one DELETE … RETURNING finds and removes the member; the
    member's version moves on; a filter that matches no member is 400 noTarget."""
    alice = user(store, tenant, "alice")
    bob = user(store, tenant, "bob")
    staff = group(store, tenant, "Staff", alice, bob)
    remove = [{"op": "remove", "path": f'members[value eq "{alice["id"]}"]'}]
    with statements(store) as sql:
        changed = store.patch(tenant, "Group", staff["id"], remove)
    deletes = [s for s in sql if s.startswith("DELETE FROM memberships")]
    assert len(deletes) == 1 and "RETURNING" in deletes[0], sql
    assert [m["value"] for m in changed["members"]] == [bob["id"]]
    assert changed["meta"]["version"] == 'W/"2"'
    assert store.get(tenant, "User", alice["id"])["meta"]["version"] == 'W/"3"'  # added, removed
    assert store.get(tenant, "User", bob["id"])["meta"]["version"] == 'W/"2"'  # added only
    with statements(store) as sql, pytest.raises(NoTargetException):
        store.patch(tenant, "Group", staff["id"], remove)
    assert store.get(tenant, "Group", staff["id"])["meta"]["version"] == 'W/"2"'
    assert not [s for s in sql if s.startswith("UPDATE")], sql
