"""Applying a plan: dry run, no-change re-run, Retry-After, interruption, chunked PATCHes.

Requests are counted by the proxy in front of each server (tests/sync_app/sync/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable

from sync_app.scim.user import User

from .conftest import Directory

Staff = Callable[[int], list[dict[str, str]]]


def test_dry_run_writes_nothing(directory: Directory, staff: Staff) -> None:
    """--dry-run reads, plans and reports, and sends no write."""
    _plan, report = directory.sync(staff(5), dry_run=True)
    assert report.dry_run and report.done["created"] == 5
    assert directory.proxy.writes == []
    assert directory.users() == []


def test_rerun_with_an_unchanged_roster_sends_no_writes(directory: Directory, staff: Staff) -> None:
    """The second run of the same roster sends no write, counted at the server."""
    rows = staff(12)
    directory.sync(rows)
    directory.proxy.reset()
    plan, report = directory.sync(rows)
    assert plan.empty and report.ok and report.writes == 0
    assert directory.proxy.writes == []
    # Discovery, one page of managed users, one query for the roster's groups.
    assert [s.path.split("?")[0].rsplit("/", 1)[-1] for s in directory.proxy.reads] == [
        "ServiceProviderConfig",
        "Users",
        "Groups",
    ]


def test_rfc7644_3_5_2_an_update_is_a_patch_of_what_changed(
    directory: Directory, staff: Staff
) -> None:
    """A changed title and department: one PATCH with those two paths; never a PUT."""
    rows = staff(3)
    directory.sync(rows)
    directory.proxy.reset()
    rows[2].update(title="Regional Manager", department="Management")
    directory.sync(rows)
    writes = directory.proxy.writes
    assert [w.method for w in writes] == ["PATCH"]
    assert [op["path"] for op in writes[0].body["Operations"]] == [
        "title",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
    ]


def test_rfc6585_4_429_with_retry_after_is_waited_for(directory: Directory, staff: Staff) -> None:
    """A server answering 429 Retry-After: 1 gets the write again after 1 s; nothing is lost."""
    directory.proxy.throttle = 3
    waits: list[float] = []
    _plan, report = directory.sync(staff(4), sleep=waits.append)
    assert report.ok, report.text()
    assert waits == [1.0, 1.0, 1.0]
    assert [s.status for s in directory.proxy.seen].count(429) == 3
    assert len(directory.users()) == 4
    assert directory.members("Sabre") == {"emp1", "emp2", "emp3", "emp4"}


def test_interrupted_run_rerun_finishes_without_duplicates(
    directory: Directory, staff: Staff
) -> None:
    """The server lost after 4 writes (the 5th done, its answer lost): a re-run finishes."""
    rows = staff(8)
    directory.proxy.cut_after = 4
    _plan, report = directory.sync(rows)
    assert report.interrupted and "Run the sync again" in report.interrupted
    assert len(directory.users()) == 5
    directory.proxy.reset()
    plan, report = directory.sync(rows)
    assert report.ok, report.text()
    assert plan.counts()["created"] == 3
    names = [u["userName"] for u in directory.users()]
    assert sorted(names) == sorted(f"emp{i}" for i in range(1, 9))
    assert directory.members("Sabre") == set(names)
    directory.proxy.reset()
    plan, report = directory.sync(rows)
    assert plan.empty and directory.proxy.writes == [], plan.text()


def test_membership_changes_are_chunked_to_100_per_patch(
    directory: Directory, staff: Staff
) -> None:
    """250 new members: the group is created with 100, then PATCHes of 100 and 50."""
    rows = staff(250)
    for row in rows:
        row["groups"] = "Sabre"
    directory.sync(rows)
    group_writes = [w for w in directory.proxy.writes if "/Groups" in w.path]
    sizes = [
        len(w.body["members"])
        if w.method == "POST"
        else sum(len(op["value"]) for op in w.body["Operations"])
        for w in group_writes
    ]
    assert [w.method for w in group_writes] == ["POST", "PATCH", "PATCH"]
    assert sizes == [100, 100, 50]
    assert len(directory.group("Sabre")["members"]) == 250


def test_one_rows_error_never_stops_the_rest(directory: Directory, staff: Staff) -> None:
    """A rename onto a taken userName fails with the server's reason; the other rows go on."""
    directory.direct.create_user(User(userName="toby"))
    rows = staff(3)
    directory.sync(rows)
    rows[1]["user_name"] = "toby"
    rows[0]["title"] = "Branch Manager"
    rows[2]["title"] = "Warehouse"
    _plan, report = directory.sync(rows)
    (failure,) = report.failures
    assert (failure.action, failure.target, failure.status) == ("update", "toby", 409)
    assert failure.reason
    assert directory.user("emp1")["title"] == "Branch Manager"
    assert directory.user("emp3")["title"] == "Warehouse"
    assert directory.user("emp2")["externalId"] == "hr:E2"
    assert not report.ok and "1 failed" in report.text()


def test_rfc7644_3_7_many_creates_travel_in_bulk_managers_first(
    directory: Directory, staff: Staff
) -> None:
    """30 new people: the manager alone (POST), then one Bulk of 29 carrying the manager's id."""
    rows = staff(30)
    _plan, report = directory.sync(rows)
    assert report.ok, report.text()
    bulks = [w for w in directory.proxy.writes if w.path.endswith("/Bulk")]
    assert directory.proxy.writes[0].path.endswith("/Users")
    assert [len(b.body["Operations"]) for b in bulks] == [29]
    assert {op["method"] for b in bulks for op in b.body["Operations"]} == {"POST"}
    boss = directory.user("emp1")["id"]
    manager = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    assert {u[manager]["manager"]["value"] for u in directory.users() if u["id"] != boss} == {boss}
    assert len(directory.members("Sabre")) == 30 and len(directory.members("Sales")) == 15
    directory.proxy.reset()
    plan, _report = directory.sync(rows)
    assert plan.empty and directory.proxy.writes == []


def test_rfc7643_4_1_1_two_managed_users_swap_user_names(
    directory: Directory, staff: Staff
) -> None:
    """emp1 ↔ emp2 and a chain emp3 → emp4 → emp9: each user lets go of its name first, so
    userName stays unique at every step and every rename lands on the same SCIM id."""
    rows = staff(4)
    directory.sync(rows)
    ids = {f"emp{i}": directory.user(f"emp{i}")["id"] for i in range(1, 5)}
    rows[0]["user_name"], rows[1]["user_name"] = "emp2", "emp1"
    rows[2]["user_name"], rows[3]["user_name"] = "emp4", "emp9"
    _plan, report = directory.sync(rows)
    assert report.ok, report.text()
    assert report.done.get("renamed") == 4
    assert directory.user("emp2")["id"] == ids["emp1"]
    assert directory.user("emp1")["id"] == ids["emp2"]
    assert directory.user("emp4")["id"] == ids["emp3"]
    assert directory.user("emp9")["id"] == ids["emp4"]
    assert not any("~" in u["userName"] for u in directory.users())
    directory.proxy.reset()
    _plan, again = directory.sync(rows)
    assert again.ok and directory.proxy.writes == []
