"""The rules of a sync, on the course's server and on scim2-server (issue 15).

Each test syncs a roster, changes it as HR would, syncs again, and checks the directory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sync_app.scim import urns
from sync_app.scim.group import Group, Member
from sync_app.scim.user import User

from .conftest import Directory, person

Staff = Callable[[int], list[dict[str, str]]]


def _without_meta(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if k != "meta"}


def test_rfc7643_4_1_each_row_becomes_a_user(directory: Directory, staff: Staff) -> None:
    """A row becomes userName, name, displayName, one primary work email, title, enterprise."""
    plan, report = directory.sync(staff(3))
    assert report.ok, report.text()
    assert plan.counts()["created"] == 3
    boss, emp2 = directory.user("emp1"), directory.user("emp2")
    assert emp2["externalId"] == "hr:E2"
    assert emp2["name"]["givenName"] == "Emp2" and emp2["name"]["familyName"] == "Sabre"
    assert emp2["displayName"] == "Emp2 Sabre"
    assert [(e["value"], e["type"], e["primary"]) for e in emp2["emails"]] == [
        ("emp2@dundermifflin.com", "work", True)
    ]
    assert emp2["title"] == "Sales" and emp2["active"] is True
    enterprise = emp2[urns.ENTERPRISE_USER]
    assert enterprise["department"] == "Sales" and enterprise["division"] == "Scranton"
    # RFC 7643 §4.3: manager.value is the manager's SCIM id.
    assert enterprise["manager"]["value"] == boss["id"]
    assert directory.members("Sabre") == {"emp1", "emp2", "emp3"}
    assert directory.members("Sales") == {"emp1", "emp3"}


def test_rfc7643_3_1_same_username_without_external_id_is_adopted(
    directory: Directory, staff: Staff
) -> None:
    """A user with the row's userName and no externalId is adopted: same id, no duplicate."""
    before = directory.direct.create_user(User(userName="emp2", title="Clerk")).resource
    plan, report = directory.sync(staff(3))
    assert report.ok, report.text()
    assert plan.counts()["adopted"] == 1 and plan.counts()["created"] == 2
    after = directory.user("emp2")
    assert after["id"] == before.user_id
    assert after["externalId"] == "hr:E2" and after["title"] == "Sales"


def test_same_username_with_another_external_id_is_a_conflict_left_alone(
    directory: Directory, staff: Staff
) -> None:
    """A same-userName user managed by someone else is reported, unchanged; other rows go on."""
    other = User(userName="emp2", externalId="payroll:77", title="Clerk")
    directory.direct.create_user(other)
    before = directory.user("emp2")
    _plan, report = directory.sync(staff(3))
    assert [(f.action, f.target) for f in report.failures] == [("match", "emp2")]
    assert "payroll:77" in report.failures[0].reason
    assert directory.user("emp2") == before
    assert directory.user("emp3")["externalId"] == "hr:E3"
    assert "emp2" not in directory.members("Sabre")


def test_changed_user_name_is_a_rename_of_the_same_user(directory: Directory, staff: Staff) -> None:
    """A new user_name for a known employee_id renames the user: same id, no new user."""
    rows = staff(3)
    directory.sync(rows)
    before = directory.user("emp2")
    rows[1]["user_name"] = "pam.halpert"
    plan, report = directory.sync(rows)
    assert report.ok and plan.counts()["renamed"] == 1
    assert directory.user("pam.halpert")["id"] == before["id"]
    assert len(directory.users()) == 3
    # Only userName changed: the PATCH names just that path.
    (patch,) = [s for s in directory.proxy.writes if s.method == "PATCH"]
    assert [op["path"] for op in patch.body["Operations"]] == ["userName"]


def test_rfc7643_4_1_1_leaver_is_deactivated_never_deleted(
    directory: Directory, staff: Staff
) -> None:
    """A managed user missing from the roster becomes active=false, and leaves its groups."""
    rows = staff(4)
    directory.sync(rows)
    plan, report = directory.sync(rows[:3])
    assert report.ok and plan.counts()["deactivated"] == 1
    emp4 = directory.user("emp4")
    assert emp4["active"] is False
    assert "emp4" not in directory.members("Sabre")
    assert not [s for s in directory.proxy.seen if s.method in ("DELETE", "PUT")]


def test_rejoiner_is_reactivated_with_the_same_id(directory: Directory, staff: Staff) -> None:
    """A leaver back in the roster is active again: same id, groups restored."""
    rows = staff(4)
    directory.sync(rows)
    leaver_id = directory.user("emp4")["id"]
    directory.sync(rows[:3])
    plan, report = directory.sync(rows)
    assert report.ok and plan.counts()["reactivated"] == 1
    emp4 = directory.user("emp4")
    assert emp4["id"] == leaver_id and emp4["active"] is True
    assert "emp4" in directory.members("Sabre")


def test_active_false_in_the_roster_deactivates(directory: Directory, staff: Staff) -> None:
    """active=false deactivates; back to true reactivates."""
    rows = staff(2)
    directory.sync(rows)
    rows[1]["active"] = "false"
    directory.sync(rows)
    assert directory.user("emp2")["active"] is False
    rows[1]["active"] = "true"
    directory.sync(rows)
    assert directory.user("emp2")["active"] is True


def test_rfc7644_3_5_2_group_moves_add_and_remove_only_those_members(
    directory: Directory, staff: Staff
) -> None:
    """Moving a row from one group to another: one add, one remove, by value filter."""
    rows = staff(3)
    directory.sync(rows)
    emp3_id = directory.user("emp3")["id"]
    rows[2]["groups"] = "Sabre;Warehouse"
    _plan, report = directory.sync(rows)
    assert report.ok, report.text()
    assert directory.members("Sales") == {"emp1"}
    assert directory.members("Warehouse") == {"emp3"}
    removes = [
        op
        for s in directory.proxy.writes
        if s.method == "PATCH"
        for op in s.body["Operations"]
        if op["op"] == "remove"
    ]
    # RFC 7644 §3.5.2.2: the member is selected by a value filter.
    assert removes == [{"op": "remove", "path": f'members[value eq "{emp3_id}"]'}]


def test_strangers_and_unmanaged_members_are_never_touched(
    directory: Directory, staff: Staff
) -> None:
    """Unmanaged users, unnamed groups and unmanaged members stay exactly as they were."""
    stranger = directory.direct.create_user(User(userName="toby", title="HR")).resource
    other = directory.direct.create_group(
        Group(displayName="Party Planning", members=[Member(value=stranger.user_id)])
    ).resource
    sales = directory.direct.create_group(
        Group(displayName="Sales", members=[Member(value=stranger.user_id)])
    ).resource
    before_user, before_group = directory.user("toby"), directory.group("Party Planning")
    rows = staff(3)
    directory.sync(rows)
    rows[0]["groups"], rows[1]["groups"] = "Sabre", "Sabre;Sales"
    directory.sync(rows)
    directory.sync(rows[:2])
    assert _without_meta(directory.user("toby")) == _without_meta(before_user)
    assert directory.group("Party Planning") == before_group
    assert directory.group("Sales")["id"] == sales.group_id
    # toby stays in the roster's group Sales: the sync removes only members it manages.
    assert directory.members("Sales") == {"toby", "emp2"}
    assert other.group_id


def test_guard_refuses_mass_deactivation_and_writes_nothing(
    directory: Directory, staff: Staff
) -> None:
    """Deactivating > 20% of the active managed users, and > 5, is refused unless allowed."""
    rows = staff(20)
    directory.sync(rows)
    directory.proxy.reset()
    plan, report = directory.sync(rows[:14])
    assert plan.deactivations == 6 and plan.refused and report.refused
    assert "6 of the 20" in plan.refused and "--allow-mass-deactivation" in plan.refused
    assert directory.proxy.writes == []
    assert directory.user("emp20")["active"] is True
    plan, report = directory.sync(rows[:14], allow_mass_deactivation=True)
    assert not plan.refused and report.ok
    assert directory.user("emp20")["active"] is False


def test_guard_lets_a_few_leavers_through(directory: Directory, staff: Staff) -> None:
    """5 leavers of 10 (50%, but not more than 5) pass the guard."""
    rows = staff(10)
    directory.sync(rows)
    plan, report = directory.sync(rows[:5])
    assert plan.deactivations == 5 and not plan.refused and report.ok


def test_plan_renders_as_a_table_and_as_text(directory: Directory, staff: Staff) -> None:
    """The plan shows counts and each change: an HTML table in a notebook, lines in a terminal."""
    rows = staff(2)
    directory.sync(rows)
    rows[1]["user_name"] = "pam.halpert"
    with directory.client() as client:
        from sync_app.sync import load_roster, plan_sync

        plan = plan_sync(client, load_roster(rows))
    text = plan.text()
    assert "1 updated, 1 renamed" in text
    assert "rename emp2 → pam.halpert" in text
    html = plan._repr_html_()
    assert "<table>" in html and "pam.halpert (E2)" in html
    assert person("E9", "x")["employee_id"] == "E9"
