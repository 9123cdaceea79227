"""Store: CRUD, uniqueness, computed groups, ETags, tokens and tenant isolation."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import pytest
from scim2_models import (
    ConflictException,
    NotFoundException,
    PreconditionFailedException,
    SCIMException,
)

from scim_helper.server.store import Store

from .builders import ENTERPRISE, group, ids, user


def test_rfc7644_3_3_create_returns_complete_resource(store: Store, tenant: str) -> None:
    """A created User comes back with schemas, id, its attributes and meta, no location."""
    created = user(store, tenant, "mscott", name={"givenName": "Michael", "familyName": "Scott"})
    assert created["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:User"]
    assert created["userName"] == "mscott"
    assert created["name"] == {"givenName": "Michael", "familyName": "Scott"}
    meta = created["meta"]
    assert meta["resourceType"] == "User"
    assert meta["created"] == meta["lastModified"]
    assert meta["version"].startswith('W/"')
    assert "location" not in meta


def test_rfc7644_3_4_1_get_returns_what_create_returned(store: Store, tenant: str) -> None:
    """GET by id returns the same representation as the create."""
    created = user(store, tenant, "dschrute", externalId="ext-1", title="Assistant")
    assert store.get(tenant, "User", created["id"]) == created


def test_rfc7644_3_4_1_get_unknown_id_is_404(store: Store, tenant: str) -> None:
    """An unknown id is NotFoundException with a message naming it."""
    with pytest.raises(NotFoundException, match="No User with id 'nope' in your tenant"):
        store.get(tenant, "User", "nope")


def test_rfc7644_3_4_1_get_with_wrong_type_is_404(store: Store, tenant: str) -> None:
    """A User id asked for as a Group is not found."""
    created = user(store, tenant, "pam")
    with pytest.raises(NotFoundException):
        store.get(tenant, "Group", created["id"])


def test_rfc7643_4_3_enterprise_extension_round_trips(store: Store, tenant: str) -> None:
    """The enterprise extension, manager given by value only, is stored and listed in schemas."""
    ext = {"department": "Sales", "manager": {"value": "boss-id"}}
    created = user(store, tenant, "jim", **{ENTERPRISE: ext})
    assert created[ENTERPRISE] == ext
    assert created["schemas"][-1] == ENTERPRISE


def test_rfc7643_2_2_read_only_input_is_ignored(store: Store, tenant: str) -> None:
    """id, meta and groups in a create are ignored rather than stored."""
    created = store.create(
        tenant,
        "User",
        {"userName": "kevin", "id": "mine", "meta": {"version": "x"}, "groups": [{"value": "g"}]},
    )
    assert created["id"] != "mine"
    assert "groups" not in created


def test_rfc7643_2_3_2_boolean_strings_are_accepted(store: Store, tenant: str) -> None:
    """ "True"/"False" strings, as real clients send them, become booleans."""
    assert user(store, tenant, "a", active="True")["active"] is True
    assert user(store, tenant, "b", active="false")["active"] is False


def test_rfc7643_2_unknown_attribute_is_invalid_syntax(store: Store, tenant: str) -> None:
    """An attribute the schema does not define is refused, naming it."""
    with pytest.raises(SCIMException, match="'favouriteColour'") as info:
        store.create(tenant, "User", {"userName": "x", "favouriteColour": "blue"})
    assert info.value.scim_type == "invalidSyntax"


def test_rfc7643_2_wrong_type_is_invalid_value(store: Store, tenant: str) -> None:
    """A value of the wrong type is invalidValue naming the attribute."""
    with pytest.raises(SCIMException, match=r"name\.givenName") as info:
        store.create(tenant, "User", {"userName": "x", "name": {"givenName": 3}})
    assert info.value.scim_type == "invalidValue"


def test_rfc7643_4_1_user_name_is_required(store: Store, tenant: str) -> None:
    """A User without userName is refused."""
    with pytest.raises(SCIMException, match="userName") as info:
        store.create(tenant, "User", {"displayName": "No Name"})
    assert info.value.scim_type == "invalidValue"


def test_rfc7643_4_1_user_name_is_unique_case_insensitively(store: Store, tenant: str) -> None:
    """A second userName differing only in case is a 409 uniqueness."""
    user(store, tenant, "mscott")
    with pytest.raises(ConflictException, match="userName 'MScott' is already taken") as info:
        user(store, tenant, "MScott")
    assert info.value.scim_type == "uniqueness"


def test_rfc7643_4_2_group_display_name_is_unique(store: Store, tenant: str) -> None:
    """A second Group with the same displayName (any case) is a 409 uniqueness."""
    group(store, tenant, "Sales")
    with pytest.raises(ConflictException) as info:
        group(store, tenant, "SALES")
    assert info.value.scim_type == "uniqueness"


def test_rfc7643_4_1_user_display_names_may_repeat(store: Store, tenant: str) -> None:
    """Users may share a displayName: only Group displayName is unique."""
    user(store, tenant, "a", displayName="Same")
    user(store, tenant, "b", displayName="Same")


def test_rfc7643_3_1_external_id_is_kept_as_given(store: Store, tenant: str) -> None:
    """externalId keeps its case and is not unique."""
    assert user(store, tenant, "a", externalId="AbC")["externalId"] == "AbC"


def test_rfc7643_4_1_groups_are_computed_from_membership(store: Store, tenant: str) -> None:
    """User.groups lists the groups that have the user as a direct member."""
    michael = user(store, tenant, "mscott")
    sales = group(store, tenant, "Sales", michael)
    assert store.get(tenant, "User", michael["id"])["groups"] == [
        {"value": sales["id"], "display": "Sales", "type": "direct"}
    ]


def test_rfc7643_4_2_members_carry_value_display_type(store: Store, tenant: str) -> None:
    """Group members carry value, display (displayName, else userName) and type."""
    michael = user(store, tenant, "mscott", displayName="Michael Scott")
    dwight = user(store, tenant, "dschrute")
    inner = group(store, tenant, "Inner")
    outer = group(store, tenant, "Outer", michael, dwight, inner)
    assert outer["members"] == [
        {"value": michael["id"], "display": "Michael Scott", "type": "User"},
        {"value": dwight["id"], "display": "dschrute", "type": "User"},
        {"value": inner["id"], "display": "Inner", "type": "Group"},
    ]


def test_rfc7643_4_2_member_display_sent_by_client_is_kept(store: Store, tenant: str) -> None:
    """A member's display sent on create or PUT is kept; without one it is computed."""
    dwight = user(store, tenant, "dschrute")
    jim = user(store, tenant, "jhalpert")
    members = [{"value": dwight["id"], "display": "Dwight K."}, {"value": jim["id"]}]
    sales = store.create(tenant, "Group", {"displayName": "Sales", "members": members})
    assert [m["display"] for m in sales["members"]] == ["Dwight K.", "jhalpert"]
    assert store.get(tenant, "Group", sales["id"]) == sales
    assert ids(store, tenant, 'members[display eq "dwight k."]', ("Group",)) == {sales["id"]}
    members = [{"value": dwight["id"]}, {"value": jim["id"], "display": "Big Tuna"}]
    sales = store.replace(
        tenant, "Group", sales["id"], {"displayName": "Sales", "members": members}
    )
    assert [m["display"] for m in sales["members"]] == ["dschrute", "Big Tuna"]
    assert store.get(tenant, "Group", sales["id"]) == sales


def test_rfc7643_4_2_member_display_longer_than_512_is_invalid_value(
    store: Store, tenant: str
) -> None:
    """A member display that does not fit its column is 400 invalidValue, not a crash."""
    dwight = user(store, tenant, "dschrute")
    members = [{"value": dwight["id"], "display": "x" * 513}]
    with pytest.raises(SCIMException) as info:
        store.create(tenant, "Group", {"displayName": "Sales", "members": members})
    assert info.value.scim_type == "invalidValue"


def test_database_of_an_older_release_gains_member_display(tmp_path) -> None:
    """A SQLite file whose memberships table has no display columns gets them on open."""
    path = tmp_path / "scim.db"
    Store(str(path)).close()
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE memberships DROP COLUMN display")
        db.execute("ALTER TABLE memberships DROP COLUMN display_lower")
    store = Store(str(path))
    tenant = store.add_token("t")
    dwight = user(store, tenant, "dschrute")
    members = [{"value": dwight["id"], "display": "Dwight K."}]
    sales = store.create(tenant, "Group", {"displayName": "Sales", "members": members})
    assert store.get(tenant, "Group", sales["id"])["members"][0]["display"] == "Dwight K."
    store.close()


def test_rfc7643_4_2_unknown_member_is_invalid_value(store: Store, tenant: str) -> None:
    """A member id that does not exist is 400 invalidValue, and no group is created."""
    with pytest.raises(SCIMException, match="No User or Group with id 'ghost'") as info:
        store.create(tenant, "Group", {"displayName": "G", "members": [{"value": "ghost"}]})
    assert info.value.scim_type == "invalidValue"
    assert store.search(tenant, ["Group"])[0] == 0


def test_rfc7644_3_6_delete_user_removes_it_from_groups(store: Store, tenant: str) -> None:
    """Deleting a user removes it from every group, and those groups get a new version."""
    michael, dwight = user(store, tenant, "mscott"), user(store, tenant, "dschrute")
    sales = group(store, tenant, "Sales", michael, dwight)
    store.delete(tenant, "User", michael["id"])
    after = store.get(tenant, "Group", sales["id"])
    assert [m["value"] for m in after["members"]] == [dwight["id"]]
    assert after["meta"]["version"] != sales["meta"]["version"]
    with pytest.raises(NotFoundException):
        store.get(tenant, "User", michael["id"])


def test_rfc7644_3_6_delete_group_clears_user_groups(store: Store, tenant: str) -> None:
    """Deleting a group removes it from its members' groups."""
    michael = user(store, tenant, "mscott")
    sales = group(store, tenant, "Sales", michael)
    store.delete(tenant, "Group", sales["id"])
    assert "groups" not in store.get(tenant, "User", michael["id"])


def test_rfc7644_3_5_1_put_replaces_attributes(store: Store, tenant: str) -> None:
    """PUT replaces every writable attribute; the omitted ones are cleared."""
    created = user(store, tenant, "mscott", title="Manager", nickName="Mike")
    replaced = store.replace(tenant, "User", created["id"], {"userName": "mscott", "title": "RM"})
    assert replaced["title"] == "RM"
    assert "nickName" not in replaced
    assert replaced["meta"]["created"] == created["meta"]["created"]
    assert replaced["meta"]["version"] != created["meta"]["version"]


def test_rfc7644_3_5_1_put_group_replaces_members(store: Store, tenant: str) -> None:
    """PUT of a Group sets its members to exactly the ones sent."""
    a, b = user(store, tenant, "a"), user(store, tenant, "b")
    g = group(store, tenant, "G", a)
    replaced = store.replace(
        tenant, "Group", g["id"], {"displayName": "G", "members": [{"value": b["id"]}]}
    )
    assert [m["value"] for m in replaced["members"]] == [b["id"]]


def test_rfc7644_3_5_1_put_to_taken_user_name_is_409(store: Store, tenant: str) -> None:
    """Renaming a user onto another's userName is a uniqueness conflict."""
    user(store, tenant, "a")
    b = user(store, tenant, "b")
    with pytest.raises(ConflictException):
        store.replace(tenant, "User", b["id"], {"userName": "A"})


def test_rfc7644_3_14_if_match_current_version_succeeds(store: Store, tenant: str) -> None:
    """If-Match with the current version, weak or strong form, or *, lets the write through."""
    created = user(store, tenant, "a")
    version = created["meta"]["version"]
    one = store.replace(tenant, "User", created["id"], {"userName": "a"}, if_match=version)
    strong = one["meta"]["version"].removeprefix("W/")
    two = store.replace(tenant, "User", created["id"], {"userName": "a"}, if_match=strong)
    store.replace(tenant, "User", created["id"], {"userName": "a"}, if_match="*")
    assert two["meta"]["version"] != one["meta"]["version"]


def test_rfc7644_3_14_if_match_stale_version_is_412(store: Store, tenant: str) -> None:
    """A stale If-Match fails with PreconditionFailedException on PUT, PATCH and DELETE."""
    created = user(store, tenant, "a")
    stale = created["meta"]["version"]
    store.replace(tenant, "User", created["id"], {"userName": "a", "title": "x"})
    with pytest.raises(PreconditionFailedException):
        store.replace(tenant, "User", created["id"], {"userName": "a"}, if_match=stale)
    with pytest.raises(PreconditionFailedException):
        store.patch(
            tenant, "User", created["id"], [{"op": "remove", "path": "title"}], if_match=stale
        )
    with pytest.raises(PreconditionFailedException):
        store.delete(tenant, "User", created["id"], if_match=stale)
    assert store.get(tenant, "User", created["id"])["title"] == "x"


def test_rfc7644_3_14_concurrent_puts_with_same_if_match_one_wins(
    store: Store, tenant: str
) -> None:
    """Of concurrent PUTs carrying the same If-Match, exactly one succeeds."""
    created = user(store, tenant, "a")
    version = created["meta"]["version"]
    outcomes: list[str] = []

    def put(n: int) -> None:
        try:
            store.replace(
                tenant, "User", created["id"], {"userName": "a", "title": str(n)}, if_match=version
            )
            outcomes.append("ok")
        except PreconditionFailedException:
            outcomes.append("412")

    threads = [threading.Thread(target=put, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["412"] * 5 + ["ok"]


def test_concurrent_member_adds_all_land(store: Store, tenant: str) -> None:
    """Threads adding distinct members to one group lose none of them."""
    users = [user(store, tenant, f"u{i}") for i in range(24)]
    g = group(store, tenant, "G")

    def add(chunk: list[dict]) -> None:
        for u in chunk:
            store.patch(
                tenant,
                "Group",
                g["id"],
                [{"op": "add", "path": "members", "value": [{"value": u["id"]}]}],
            )

    threads = [threading.Thread(target=add, args=(users[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.get(tenant, "Group", g["id"])["members"]) == 24


def test_tokens_bind_tenants(store: Store) -> None:
    """add_token is idempotent, mint_token makes a new tenant, unknown tokens have none."""
    first = store.add_token("course-token")
    assert store.add_token("course-token") == first
    assert store.tenant_for_token("course-token") == first
    token, other = store.mint_token()
    assert other != first and store.tenant_for_token(token) == other
    shared, same = store.mint_token(first)
    assert same == first and store.tenant_for_token(shared) == first
    assert store.tenant_for_token("wrong") is None
    assert store.tenant_for_token("") is None


def test_tokens_are_stored_hashed(store: Store) -> None:
    """The database holds a SHA-256 of the token, never the token."""
    from sqlalchemy import select

    from scim_helper.server.db import token_table

    store.add_token("very-secret-token-value")
    with store.engine.connect() as conn:
        stored = [row.token_hash for row in conn.execute(select(token_table))]
    assert all("very-secret" not in h and len(h) == 64 for h in stored)


def test_tokens_survive_a_restart(tmp_path) -> None:
    """The same database file and token find the same tenant and data after a restart."""
    first = Store(str(tmp_path / "scim.db"))
    tenant = first.add_token("t")
    user(first, tenant, "kept")
    first.close()
    second = Store(str(tmp_path / "scim.db"))
    assert second.add_token("t") == tenant
    assert second.search(tenant, ["User"], filter='userName eq "kept"')[0] == 1
    second.close()


def test_reset_tenant_empties_only_that_tenant(store: Store) -> None:
    """reset_tenant deletes every resource of one tenant and nothing of another."""
    _, a = store.mint_token()
    _, b = store.mint_token()
    u = user(store, a, "a1")
    group(store, a, "G", u)
    user(store, b, "b1")
    store.reset_tenant(a)
    assert store.search(a, ["User", "Group"])[0] == 0
    assert store.search(b, ["User"])[0] == 1
    user(store, a, "a1")  # the name is free again


def test_tenant_isolation(store: Store) -> None:
    """Tenant A can neither read, list, change, delete nor reference tenant B's resources."""
    _, a = store.mint_token()
    _, b = store.mint_token()
    theirs = user(store, b, "secret")
    their_group = group(store, b, "BGroup", theirs)
    with pytest.raises(NotFoundException):
        store.get(a, "User", theirs["id"])
    with pytest.raises(NotFoundException):
        store.replace(a, "User", theirs["id"], {"userName": "x"})
    with pytest.raises(NotFoundException):
        store.patch(a, "User", theirs["id"], [{"op": "add", "path": "title", "value": "x"}])
    with pytest.raises(NotFoundException):
        store.delete(a, "User", theirs["id"])
    assert store.search(a, ["User", "Group"]) == (0, [])
    assert ids(store, a, f'id eq "{theirs["id"]}"') == set()
    assert ids(store, a, f'groups.value eq "{their_group["id"]}"') == set()
    with pytest.raises(SCIMException) as info:
        store.create(a, "Group", {"displayName": "A", "members": [{"value": theirs["id"]}]})
    assert info.value.scim_type == "invalidValue"
    user(store, a, "secret")  # userName uniqueness is per tenant
    assert store.get(b, "Group", their_group["id"])["members"][0]["value"] == theirs["id"]


def test_with_members_false_leaves_members_out(store: Store, tenant: str) -> None:
    """with_members=False skips assembling Group members (for excludedAttributes=members)."""
    a = user(store, tenant, "a")
    g = group(store, tenant, "G", a)
    assert "members" not in store.get(tenant, "Group", g["id"], with_members=False)
    patched = store.patch(
        tenant,
        "Group",
        g["id"],
        [{"op": "add", "path": "displayName", "value": "H"}],
        with_members=False,
    )
    assert "members" not in patched and patched["displayName"] == "H"
    assert store.get(tenant, "Group", g["id"])["members"][0]["value"] == a["id"]


@pytest.mark.parametrize(
    ("rtype", "first", "second"),
    [
        ("User", {"userName": "mscott"}, {"userName": "MScott"}),
        ("Group", {"displayName": "Sales"}, {"displayName": "SALES"}),
    ],
)
def test_rfc7644_3_3_post_conflict_reads_as_the_checked_one(
    store: Store, tenant: str, rtype: str, first: dict[str, Any], second: dict[str, Any]
) -> None:
    """A POST's 409, left to the unique index, says what Bulk's up-front check says."""
    from scim_helper.server import resources
    from sync_app.scim.urns import GROUP, USER

    schema = {"User": USER, "Group": GROUP}[rtype]
    store.create(tenant, rtype, {"schemas": [schema], **first})
    second = {"schemas": [schema], **second}
    with pytest.raises(ConflictException) as posted:
        store.create(tenant, rtype, second)
    normal = resources.normalise(rtype, second)
    with pytest.raises(ConflictException) as checked:
        store.transaction(tenant, lambda tx: tx.create_many(rtype, [normal]))
    assert posted.value.detail == checked.value.detail
    assert posted.value.scim_type == checked.value.scim_type == "uniqueness"


def test_inline_reads_keep_one_connection_per_thread(tmp_path: Any) -> None:
    """Inline reads reuse their thread's connection, see new writes, and close with the store."""
    from sync_app.scim.urns import USER

    store = Store(str(tmp_path / "inline.db"))
    tenant = store.add_token("inline-token")
    first = store.create(tenant, "User", {"schemas": [USER], "userName": "mscott"})
    assert store.get(tenant, "User", first["id"], inline=True)["userName"] == "mscott"
    kept = store._inline.conn
    with pytest.raises(NotFoundException):
        store.get(tenant, "User", "missing", inline=True)
    store.patch(tenant, "User", first["id"], [{"op": "replace", "path": "title", "value": "Boss"}])
    assert store.get(tenant, "User", first["id"], inline=True)["title"] == "Boss"
    total, found = store.search(tenant, ["User"], filter='userName eq "MSCOTT"', inline=True)
    assert (total, [u["id"] for u in found]) == (1, [first["id"]])
    assert store._inline.conn is kept and not kept.in_transaction()
    store.close()
    assert kept.closed


def test_a_locked_sqlite_file_is_a_retryable_error(tmp_path: Any) -> None:
    """BEGIN IMMEDIATE on a locked file raises SQLAlchemy's OperationalError, which is retried."""
    from sqlalchemy.exc import OperationalError

    from scim_helper.server.store.rows import retryable

    store = Store(str(tmp_path / "locked.db"))
    holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA busy_timeout=50")
            conn.rollback()
            conn.execution_options(scim_write=True)
            with pytest.raises(OperationalError) as info:
                conn.begin()
        assert retryable(info.value)
    finally:
        holder.rollback()
        holder.close()
        store.close()
