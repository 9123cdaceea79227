"""Store (core.py) edges found missing by the mutation runs (issue 18): token lookups by
another process, the versions a DELETE moves on, If-Match on DELETE (also through Bulk's
transaction), PUT of a Group's members; since session 6, the members left out of the answers
that ask for that, a taken name inside a Bulk batch, a non-string id, and the connection a
read outside the event loop gives back."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from scim2_models import ConflictException, NotFoundException, PreconditionFailedException

from scim_helper.server import resources
from scim_helper.server.store import Store

from .builders import group, user


def test_a_token_bound_by_another_store_is_found(tmp_path: Path) -> None:
    """A second process (Store) on the same database finds a token's tenant by lookup, and
    again from its cache; an unknown, empty or non-string token has none."""
    first = Store(str(tmp_path / "scim.db"))
    second = Store(str(tmp_path / "scim.db"))
    try:
        tenant = first.add_token("shared-token")
        assert second.tenant_for_token("shared-token") == tenant
        assert second.tenant_for_token("shared-token") == tenant
        assert second.tenant_for_token("other-token") is None
        assert second.tenant_for_token("") is None
        assert second.tenant_for_token(123) is None  # type: ignore[arg-type]
    finally:
        first.close()
        second.close()


def _version(doc: dict[str, Any]) -> int:
    return int(doc["meta"]["version"].removeprefix('W/"').rstrip('"'))


def test_rfc7644_3_6_delete_moves_on_exactly_the_related_versions(
    store: Store, tenant: str
) -> None:
    """Deleting a user moves on the version (by one) and lastModified of its groups only;
    deleting a group moves on those of its members and of the groups holding it only. Other
    groups keep their members and versions (RFC 7644 §3.14: a changed representation, a new
    version)."""
    a, b = user(store, tenant, "a"), user(store, tenant, "b")
    g1 = group(store, tenant, "G1", a)
    g2 = group(store, tenant, "G2", b)
    outer = group(store, tenant, "Outer", g1)
    a, b, g1, g2, outer = (
        store.get(tenant, d["meta"]["resourceType"], d["id"]) for d in (a, b, g1, g2, outer)
    )
    store.delete(tenant, "User", a["id"])
    g1_after = store.get(tenant, "Group", g1["id"])
    assert _version(g1_after) == _version(g1) + 1
    assert g1_after["meta"]["lastModified"] != g1["meta"]["lastModified"]
    assert "members" not in g1_after
    assert store.get(tenant, "Group", g2["id"]) == g2
    assert store.get(tenant, "User", b["id"]) == b
    assert store.get(tenant, "Group", outer["id"]) == outer
    store.delete(tenant, "Group", g1["id"])
    outer_after = store.get(tenant, "Group", outer["id"])
    assert _version(outer_after) == _version(outer) + 1
    assert "members" not in outer_after
    assert store.get(tenant, "Group", g2["id"]) == g2


def test_rfc7644_3_14_delete_with_if_match(store: Store, tenant: str) -> None:
    """DELETE with the current ETag deletes; through Bulk's transaction a stale one is 412."""
    a, b = user(store, tenant, "a"), user(store, tenant, "b")
    store.delete(tenant, "User", a["id"], if_match=a["meta"]["version"])
    with pytest.raises(PreconditionFailedException):
        store.transaction(tenant, lambda tx: tx.delete("User", b["id"], 'W/"99"'))
    assert store.get(tenant, "User", b["id"]) == b
    store.transaction(tenant, lambda tx: tx.delete("User", b["id"], b["meta"]["version"]))


@pytest.mark.parametrize("name", ["Sales", "Sales Team"])
def test_rfc7644_3_5_1_put_group_moves_on_its_changed_members(
    store: Store, tenant: str, name: str
) -> None:
    """A PUT that replaces a Group's members moves on the version of the member who joined
    and of the one who left (their groups changed), with or without a new displayName."""
    jim, pam = user(store, tenant, "jim"), user(store, tenant, "pam")
    sales = group(store, tenant, "Sales", jim)
    jim = store.get(tenant, "User", jim["id"])
    store.replace(
        tenant, "Group", sales["id"], {"displayName": name, "members": [{"value": pam["id"]}]}
    )
    assert _version(store.get(tenant, "User", jim["id"])) == _version(jim) + 1
    assert _version(store.get(tenant, "User", pam["id"])) == _version(pam) + 1


def test_rfc7644_3_4_2_5_put_without_members_in_the_answer(store: Store, tenant: str) -> None:
    """PUT with with_members=False (excludedAttributes=members) answers without members."""
    jim = user(store, tenant, "jim")
    sales = group(store, tenant, "Sales", jim)
    body = {"displayName": "Sales", "members": [{"value": jim["id"]}]}
    assert "members" not in store.replace(tenant, "Group", sales["id"], body, with_members=False)
    assert "members" in store.replace(tenant, "Group", sales["id"], body)


@pytest.mark.parametrize(
    ("rtype", "bodies", "detail"),
    [
        (
            "User",
            [{"userName": "mscott"}, {"userName": "dschrute"}, {"userName": "MScott"}],
            "userName 'MScott' is already taken (409 uniqueness). userName is unique "
            "case-insensitively: pick another, or find the existing user with "
            'filter=userName eq "MScott".',
        ),
        (
            "Group",
            [{"displayName": "Sales"}, {"displayName": "SALES"}],
            "A Group with displayName 'SALES' already exists (409 uniqueness). Find it with "
            'filter=displayName eq "SALES".',
        ),
    ],
)
def test_rfc7644_3_7_a_name_twice_in_one_batch_is_409_naming_the_second(
    store: Store, tenant: str, rtype: str, bodies: list[dict[str, Any]], detail: str
) -> None:
    """A Bulk batch naming one userName (or group displayName) twice, in any case, is 409
    uniqueness before anything is written, naming the repeat; nothing is created."""
    normals = [resources.normalise(rtype, body) for body in bodies]
    with pytest.raises(ConflictException) as info:
        store.transaction(tenant, lambda tx: tx.create_many(rtype, normals))
    assert (info.value.scim_type, info.value.detail) == ("uniqueness", detail)
    assert store.search(tenant, [rtype])[0] == 0


def test_rfc7644_3_6_deleting_a_group_moves_on_its_members_versions(
    store: Store, tenant: str
) -> None:
    """Deleting a group moves on the version (by one) of each User it held, whose groups
    changed (RFC 7644 §3.14); a user outside it keeps its version."""
    jim, pam, toby = (user(store, tenant, n) for n in ("jim", "pam", "toby"))
    sales = group(store, tenant, "Sales", jim, pam)
    jim, pam = (store.get(tenant, "User", u["id"]) for u in (jim, pam))
    store.delete(tenant, "Group", sales["id"])
    for before in (jim, pam):
        after = store.get(tenant, "User", before["id"])
        assert _version(after) == _version(before) + 1
        assert "groups" not in after
    assert store.get(tenant, "User", toby["id"]) == toby


def test_rfc7644_3_7_3_bulk_writes_answer_without_members(store: Store, tenant: str) -> None:
    """Ours: the documents a Bulk operation gets back from the store leave Group members out
    (a Bulk result carries the id and version alone, RFC 7644 §3.7.3), for a create, a PUT
    and a PATCH alike; the members are written all the same."""
    jim, pam = user(store, tenant, "jim"), user(store, tenant, "pam")
    body = {"displayName": "Sales", "members": [{"value": jim["id"]}]}
    created = store.transaction(
        tenant, lambda tx: tx.create("Group", resources.normalise("Group", body))
    )
    assert "members" not in created
    body["members"] = [{"value": pam["id"]}]
    normal = resources.normalise("Group", body)
    replaced = store.transaction(
        tenant, lambda tx: tx.replace("Group", created["id"], normal, None)
    )
    assert "members" not in replaced
    adding = [{"op": "add", "path": "members", "value": [{"value": jim["id"]}]}]
    patched = store.transaction(tenant, lambda tx: tx.patch("Group", created["id"], adding, None))
    assert "members" not in patched
    members = store.get(tenant, "Group", created["id"])["members"]
    assert sorted(m["value"] for m in members) == sorted([jim["id"], pam["id"]])


def test_rfc7644_3_4_2_5_create_and_unchanged_patch_without_members(
    store: Store, tenant: str
) -> None:
    """with_members=False (excludedAttributes=members) leaves the members out of a POST's
    answer and of a PATCH's that changes nothing; without it they are there."""
    jim = user(store, tenant, "jim")
    body = {"displayName": "Sales", "members": [{"value": jim["id"]}]}
    sales = store.create(tenant, "Group", body, with_members=False)
    assert "members" not in sales
    same = [{"op": "replace", "path": "displayName", "value": "Sales"}]
    assert "members" not in store.patch(tenant, "Group", sales["id"], same, with_members=False)
    unchanged = store.patch(tenant, "Group", sales["id"], same)
    assert [m["value"] for m in unchanged["members"]] == [jim["id"]]
    assert unchanged["meta"]["version"] == sales["meta"]["version"]


@pytest.mark.parametrize(
    ("rtype", "names", "detail"),
    [
        (
            "User",
            ("mscott", ["jhalpert", "MSCOTT"]),
            "userName 'MSCOTT' is already taken (409 uniqueness). userName is unique "
            "case-insensitively: pick another, or find the existing user with "
            'filter=userName eq "MSCOTT".',
        ),
        (
            "Group",
            ("Sales", ["Accounting", "sales"]),
            "A Group with displayName 'sales' already exists (409 uniqueness). Find it with "
            'filter=displayName eq "sales".',
        ),
    ],
)
def test_rfc7644_3_7_a_batch_naming_a_taken_name_is_409_naming_it(
    store: Store, tenant: str, rtype: str, names: tuple[str, list[str]], detail: str
) -> None:
    """A Bulk batch whose second resource takes the name of one that exists (the tenant's
    first resource) is 409 uniqueness naming that name, not the batch's first; nothing of
    the batch is created."""
    key = "userName" if rtype == "User" else "displayName"
    taken, batch = names
    store.create(tenant, rtype, {key: taken})
    normals = [resources.normalise(rtype, {key: name}) for name in batch]
    with pytest.raises(ConflictException) as info:
        store.transaction(tenant, lambda tx: tx.create_many(rtype, normals))
    assert (info.value.scim_type, info.value.detail) == ("uniqueness", detail)
    assert store.search(tenant, [rtype])[0] == 1


@pytest.mark.parametrize("rid", [7, ["x"], {"value": "x"}])
def test_rfc7644_3_12_an_id_that_is_no_string_is_404(store: Store, tenant: str, rid: Any) -> None:
    """An id that is not a string (a number or a JSON array or object a client sent) is
    found nowhere: 404 with the usual detail, not a database error."""
    user(store, tenant, "jim")
    for read in (
        lambda: store.get(tenant, "User", rid),
        lambda: store.delete(tenant, "User", rid),
    ):
        with pytest.raises(NotFoundException) as info:
            read()
        assert info.value.detail.startswith("No User with id ")


def test_a_read_outside_the_event_loop_gives_its_connection_back(store: Store, tenant: str) -> None:
    """Reads from worker threads (not inline) return their connection to the pool: the
    server's threads come and go, and a connection kept by each would empty the pool."""
    jim = user(store, tenant, "jim")
    pool: Any = store.engine.pool
    before = pool.checkedout()
    found: list[str] = []

    def read() -> None:
        found.append(store.get(tenant, "User", jim["id"])["userName"])
        found.append(store.search(tenant, ["User"], filter='userName eq "jim"')[1][0]["id"])

    threads = [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
        thread.join()
    assert found == ["jim", jim["id"]] * 3
    assert pool.checkedout() == before


def test_writes_go_on_after_the_statistics_are_refreshed(store: Store, tenant: str) -> None:
    """Ours: after a thousand inserts the store refreshes the planner's statistics (ANALYZE)
    once, then at twice as many; the write that crosses the mark and every write after it
    answer as usual."""
    normals = [resources.normalise("User", {"userName": f"user{i:04}"}) for i in range(1000)]
    created = store.transaction(tenant, lambda tx: tx.create_many("User", normals))
    assert len(created) == 1000
    for name in ("jim", "pam"):
        assert user(store, tenant, name)["userName"] == name
    assert store.search(tenant, ["User"], count=0)[0] == 1002


@pytest.mark.postgres
def test_a_store_never_shows_its_database_password(postgres_url: str) -> None:
    """A Store's repr (in logs and tracebacks) names its database with the password masked."""
    from sqlalchemy import make_url

    url = make_url(postgres_url).set(password="s3cret-pw")
    store = Store(url.render_as_string(hide_password=False))
    try:
        shown = repr(store)
        assert "s3cret-pw" not in shown
        assert shown.startswith("<Store postgresql") and ":***@" in shown
    finally:
        store.close()


def _locked_once(store: Store, attempts: list[int], times: int) -> Any:
    """A Bulk-style unit of work that, on its first ``times`` attempts, meets a real
    "database is locked": a second connection of the same file, with no busy wait, asks for
    the write lock this transaction holds."""

    def work(tx: Any) -> str:
        attempts.append(len(attempts) + 1)
        if len(attempts) <= times:
            with store.engine.connect() as other:
                other.exec_driver_sql("PRAGMA busy_timeout=0")
                other.exec_driver_sql("BEGIN IMMEDIATE")
        return tx.tenant

    return work


def test_a_write_that_meets_a_locked_database_is_tried_again(tmp_path: Path) -> None:
    """Ours: a write transaction that fails with SQLite's "database is locked" runs again
    from the start (after 10 ms, 20 ms …) and its result comes back."""
    store = Store(str(tmp_path / "scim.db"))
    try:
        tenant = store.add_token("retry-token")
        attempts: list[int] = []
        assert store.transaction(tenant, _locked_once(store, attempts, 2)) == tenant
        assert attempts == [1, 2, 3]
    finally:
        store.close()


def test_a_write_locked_every_time_fails_after_five_attempts(tmp_path: Path) -> None:
    """Ours: five attempts (rows.RETRIES), then the database's own error comes out."""
    from sqlalchemy.exc import OperationalError

    store = Store(str(tmp_path / "scim.db"))
    try:
        tenant = store.add_token("retry-token")
        attempts: list[int] = []
        with pytest.raises(OperationalError, match="database is locked"):
            store.transaction(tenant, _locked_once(store, attempts, 99))
        assert attempts == [1, 2, 3, 4, 5]
    finally:
        store.close()


def test_a_write_that_fails_otherwise_is_not_tried_again(store: Store, tenant: str) -> None:
    """Ours: an error that is no lock, deadlock or serialization failure (here a missing
    table) comes out at the first attempt."""
    from sqlalchemy.exc import DBAPIError

    attempts: list[int] = []

    def work(tx: Any) -> None:
        attempts.append(1)
        tx._conn.exec_driver_sql("SELECT * FROM no_such_table")

    with pytest.raises(DBAPIError):
        store.transaction(tenant, work)
    assert attempts == [1]


def _holding_a_write(store: Store, tenant: str, rid: str) -> tuple[threading.Thread, Any]:
    """Another writer (a Bulk transaction in a thread) that has just set the user's title and
    holds its transaction open until the returned event is set."""
    started, release = threading.Event(), threading.Event()
    title = [{"op": "replace", "path": "title", "value": "Boss"}]

    def work(tx: Any) -> None:
        tx.patch("User", rid, title, None)
        started.set()
        assert release.wait(10)

    holder = threading.Thread(target=store.transaction, args=(tenant, work))
    holder.start()
    assert started.wait(10)
    return holder, release


def _while_held(store: Store, tenant: str, rid: str, call: Any) -> list[Any]:
    """Run ``call`` in a thread while another writer holds the user, let that writer commit
    0.3 s later, and return what ``call`` returned or raised."""
    holder, release = _holding_a_write(store, tenant, rid)
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as exc:  # the outcome is what the test reads
            outcome.append(exc)

    second = threading.Thread(target=run)
    second.start()
    second.join(0.3)
    release.set()
    holder.join(10)
    second.join(10)
    return outcome


@pytest.mark.parametrize("kind", ["PATCH", "PUT", "DELETE"])
def test_rfc7644_3_14_a_write_waits_for_a_concurrent_one(
    store: Store, tenant: str, kind: str
) -> None:
    """A write to a resource another transaction is writing starts from that one's result:
    a PATCH keeps the other's change, a PUT answers the version it made (3, as the resource
    then is), a DELETE with the version read before the other write is 412 (RFC 7644 §3.14).
    Ours: PostgreSQL locks the row it reads (FOR UPDATE); SQLite runs one writer at a time."""
    jim = user(store, tenant, "jim")
    rid = jim["id"]
    if kind == "PATCH":
        nick = [{"op": "add", "path": "nickName", "value": "Jimbo"}]
        (answer,) = _while_held(store, tenant, rid, lambda: store.patch(tenant, "User", rid, nick))
        assert (answer["title"], answer["nickName"]) == ("Boss", "Jimbo")
    elif kind == "PUT":
        body = {"userName": "jim", "nickName": "J"}
        (answer,) = _while_held(
            store, tenant, rid, lambda: store.replace(tenant, "User", rid, body)
        )
        assert "title" not in answer
    else:
        version = jim["meta"]["version"]
        (answer,) = _while_held(
            store, tenant, rid, lambda: store.delete(tenant, "User", rid, if_match=version)
        )
        assert isinstance(answer, PreconditionFailedException)
        answer = store.get(tenant, "User", rid)
        assert answer["title"] == "Boss"
    assert _version(answer) == 3 - (kind == "DELETE")
    assert store.get(tenant, "User", rid) == answer


def test_rfc7644_3_4_1_a_read_does_not_wait_for_a_writer(store: Store, tenant: str) -> None:
    """A GET of a resource another transaction is writing answers at once, with the last
    committed state (ours: reads take no lock)."""
    jim = user(store, tenant, "jim")
    holder, release = _holding_a_write(store, tenant, jim["id"])
    read: list[dict[str, Any]] = []
    reader = threading.Thread(target=lambda: read.append(store.get(tenant, "User", jim["id"])))
    try:
        reader.start()
        # A read that waited for the writer would wait until release (PostgreSQL's row lock)
        # or SQLite's 30 s busy timeout: 10 s tells the two apart on a loaded machine too.
        reader.join(10)
        assert read == [jim]
    finally:
        release.set()
        holder.join(10)
        reader.join(10)
