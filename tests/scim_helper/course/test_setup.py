"""course_setup: seeding, running it again, and reset=True, checked on the server's contents."""

from __future__ import annotations

from pathlib import Path

import pytest

from scim_helper import connection
from scim_helper.directory import seed_directory
from scim_helper.marker import course_external_id
from scim_helper.setup import CourseSetupError, course_setup, restore_operations
from scim_helper.staff import PAPER_COMPANY_EXTERNAL_ID, staff, staff_member
from scim_helper.tenant import Tenant
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.scim.group import Group
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import ENTERPRISE_USER_SCHEMA, Email, Name, User
from tests.fixtures.local import TenantLogin

from .conftest import Seeded


def assert_starting_state(client: SCIMClient, group_id: str, user_ids: dict[str, str]) -> None:
    """The tenant holds exactly the fifteen, as seeded, and one group holding them all."""
    lookup = Tenant(client)
    users = {u["userName"]: u for u in lookup.users()}
    assert set(users) == {m.user_name for m in staff()}
    for member in staff():
        user = users[member.user_name]
        assert user["id"] == user_ids[member.name]
        assert user["active"] is True
        assert user["emails"] == [{"value": member.email, "type": "work", "primary": True}]
        assert user["name"]["givenName"] == member.given_name
        assert user["externalId"] == member.external_id
    groups = lookup.groups()
    assert [g["displayName"] for g in groups] == ["Dunder Mifflin"]
    assert groups[0]["id"] == group_id
    assert Tenant.member_ids(groups[0]) == set(user_ids.values())


def test_setup_seeds_the_staff_and_their_group(
    fresh_tenant: TenantLogin, client: SCIMClient
) -> None:
    """A first run creates the fifteen and the group, and returns the group id and name → id."""
    group_id, user_ids = course_setup(fresh_tenant.token, server_url=fresh_tenant.url)
    assert list(user_ids) == [m.name for m in staff()]
    assert_starting_state(client, group_id, user_ids)


def test_setup_twice_returns_the_same_ids(seeded: Seeded) -> None:
    """Running course_setup again finds what the first run created: same ids, nothing new."""
    again = course_setup(seeded.tenant.token, server_url=seeded.tenant.url)
    assert again == (seeded.group_id, seeded.user_ids)
    assert_starting_state(seeded.client, seeded.group_id, seeded.user_ids)


def test_setup_again_keeps_the_learners_changes(seeded: Seeded) -> None:
    """Without reset, a second run changes nothing a learner did (Michael stays removed)."""
    michael = seeded.user_ids["Michael Scott"]
    seeded.client.update_group(
        id=seeded.group_id,
        ops=PatchOp(operations=[Operation(op="remove", path=f'members[value eq "{michael}"]')]),
    )
    course_setup(seeded.tenant.token, server_url=seeded.tenant.url)
    group = seeded.client.get_group(seeded.group_id).to_dict()
    assert michael not in Tenant.member_ids(group)


def test_setup_recreates_someone_deleted(seeded: Seeded) -> None:
    """A seeded person who was deleted comes back, and joins the group again."""
    seeded.client.delete_user(seeded.user_ids["Creed Bratton"])
    group_id, user_ids = course_setup(seeded.tenant.token, server_url=seeded.tenant.url)
    assert user_ids["Creed Bratton"] != seeded.user_ids["Creed Bratton"]
    assert_starting_state(seeded.client, group_id, user_ids)


def test_ids_answer_to_the_old_spelling(seeded: Seeded) -> None:
    """The dict also answers to "Micheal Scott", as the old tutorial's cells spell it."""
    assert seeded.user_ids["Micheal Scott"] == seeded.user_ids["Michael Scott"]
    assert "Micheal Scott" not in seeded.user_ids
    with pytest.raises(KeyError):
        seeded.user_ids["Michael Scot"]


def _story_so_far(seeded: Seeded, *, marked: bool = True) -> None:
    """What the chapters do: Charles joins, Michael leaves, the Paper Company opens."""
    client, ids = seeded.client, seeded.user_ids
    charles = client.create_user(
        User(
            userName="cminer",
            externalId=course_external_id("cminer") if marked else None,
            active=True,
            name=Name(givenName="Charles", familyName="Miner"),
            emails=[Email(value="charles.miner@dundermifflin.com", type="work", primary=True)],
        )
    ).to_dict()["id"]
    client.update_group(
        id=seeded.group_id,
        ops=PatchOp(operations=[Operation(op="add", path="members", value=[{"value": charles}])]),
    )
    michael = ids["Michael Scott"]
    client.update_user(id=michael, ops=PatchOp(operations=[Operation("replace", "active", False)]))
    client.update_user(
        id=michael,
        ops=PatchOp(operations=[Operation("replace", "emails.value", "m@michaelscottpaper.com")]),
    )
    client.update_group(
        id=seeded.group_id, ops=PatchOp(operations=[Operation("remove", "members")])
    )
    paper = client.create_group(
        Group(
            displayName="Michael Scott Paper Company",
            externalId=PAPER_COMPANY_EXTERNAL_ID if marked else None,
        )
    ).to_dict()["id"]
    members = [{"value": ids[n]} for n in ("Michael Scott", "Pam Beesly", "Ryan Howard")]
    client.update_group(id=paper, ops=PatchOp(operations=[Operation("add", "members", members)]))
    client.update_group(
        id=seeded.group_id,
        ops=PatchOp(operations=[Operation("replace", "displayName", "Dunder Mifflin Sabre")]),
    )


def test_reset_restores_the_starting_state(seeded: Seeded) -> None:
    """reset=True deletes what the course made (Charles, the Paper Company), restores the rest."""
    _story_so_far(seeded)
    course_setup(seeded.tenant.token, server_url=seeded.tenant.url)  # a plain run changes nothing
    assert Tenant(seeded.client).user("cminer") is not None
    group_id, user_ids = course_setup(seeded.tenant.token, server_url=seeded.tenant.url, reset=True)
    assert (group_id, user_ids) == (seeded.group_id, seeded.user_ids)
    assert_starting_state(seeded.client, group_id, user_ids)


def test_reset_twice_is_the_same_state(seeded: Seeded) -> None:
    """Resetting an untouched tenant changes nothing and returns the same ids."""
    first = course_setup(seeded.tenant.token, server_url=seeded.tenant.url, reset=True)
    second = course_setup(seeded.tenant.token, server_url=seeded.tenant.url, reset=True)
    assert first == second == (seeded.group_id, seeded.user_ids)
    assert_starting_state(seeded.client, seeded.group_id, seeded.user_ids)


def test_reset_keeps_the_company_directory(seeded: Seeded) -> None:
    """The generated directory is the course's too: reset keeps it instead of reloading it."""
    seed_directory(seeded.tenant.token, server_url=seeded.tenant.url, size=30, progress=False)
    course_setup(seeded.tenant.token, server_url=seeded.tenant.url, reset=True)
    lookup = Tenant(seeded.client)
    assert len(lookup.users('externalId sw "office-course:directory:"')) == 30
    assert len(lookup.users()) == 45


def test_reset_outside_the_sandbox_leaves_unmarked_resources_alone(seeded: Seeded) -> None:
    """A loopback server the course did not start: unmarked Charles and group stay as they were."""
    _story_so_far(seeded, marked=False)
    lookup = Tenant(seeded.client)
    charles = lookup.user("cminer")
    paper = lookup.group("Michael Scott Paper Company")
    group_id, user_ids = course_setup(seeded.tenant.token, server_url=seeded.tenant.url, reset=True)
    assert lookup.user("cminer") == charles
    assert paper is not None
    assert seeded.client.get_group(paper["id"]).to_dict() == paper
    michael = lookup.user("mscott")
    assert michael is not None and michael["active"] is True
    dunder_mifflin = seeded.client.get_group(group_id).to_dict()
    assert dunder_mifflin["displayName"] == "Dunder Mifflin"
    assert Tenant.member_ids(dunder_mifflin) == set(user_ids.values())


def test_setup_on_a_shared_server_leaves_strangers_alone(
    fresh_tenant: TenantLogin, client: SCIMClient
) -> None:
    """A userName someone else already has on a shared server is an error that says what to do."""
    made = client.create_user(User(userName="dschrute", active=True)).to_dict()
    for reset in (False, True):
        with pytest.raises(CourseSetupError, match="the course did not create") as raised:
            course_setup(fresh_tenant.token, server_url=fresh_tenant.url, reset=reset)
        assert "'dschrute'" in str(raised.value) and "untouched" in str(raised.value)
    assert Tenant(client).users() == [made]


def test_reset_restores_exactly_the_one_attribute_that_differs(seeded: Seeded) -> None:
    """One changed title comes back; no other staff member is written (meta.version included)."""
    dwight = seeded.user_ids["Dwight Schrute"]
    seeded.client.update_user(
        id=dwight, ops=PatchOp(operations=[Operation("replace", "title", "Assistant TO the RM")])
    )
    before = {u["id"]: u for u in Tenant(seeded.client).users()}
    course_setup(seeded.tenant.token, server_url=seeded.tenant.url, reset=True)
    after = {u["id"]: u for u in Tenant(seeded.client).users()}
    changed = {i for i in after if after[i] != before[i]}
    assert changed == {dwight}
    assert after[dwight]["title"] == staff_member("dschrute").title
    assert_starting_state(seeded.client, seeded.group_id, seeded.user_ids)


def test_rfc7644_3_5_2_restore_operations_are_minimal() -> None:
    """Only what differs is replaced; what the course never sets is removed, sub-attribute-wise."""
    body = staff_member("dschrute").body()
    stored = {
        **body,
        "id": "x",
        "meta": {"version": 'W/"1"'},
        "groups": [{"value": "g"}],
        "title": "Assistant to the Regional Manager (acting)",
        "name": {**body["name"], "middleName": "Kurt"},
        "nickName": "D",
        ENTERPRISE_USER_SCHEMA: {"department": "Sales", "manager": None},
    }
    ops = [(o.op, o.path, o.value) for o in restore_operations(stored, body)]
    assert ops == [
        ("replace", "name", body["name"]),
        ("remove", "name.middleName", None),
        ("replace", "title", body["title"]),
        ("remove", "nickName", None),
        ("remove", f"{ENTERPRISE_USER_SCHEMA}:department", None),
    ]
    assert restore_operations({**body, "id": "x"}, body) == []


# -- the course's own sandbox -----------------------------------------------------------------


def test_reset_in_the_sandbox_deletes_everything_else(embedded: Path) -> None:
    """Only on the embedded server the course started may reset delete unmarked resources."""
    url, token = connection.course_server()
    assert connection.course_server().is_sandbox
    group_id, user_ids = course_setup()
    with SCIMClient(ClientConfiguration(server_url=url, auth_token=token)) as client:
        seeded = Seeded(TenantLogin(url, token, ""), client, group_id, user_ids)
        _story_so_far(seeded, marked=False)
        group_id, user_ids = course_setup(reset=True)
        assert (group_id, user_ids) == (seeded.group_id, seeded.user_ids)
        assert_starting_state(client, group_id, user_ids)


def test_reset_in_the_sandbox_adopts_an_unmarked_namesake(embedded: Path) -> None:
    """In the sandbox, a hand-made "dschrute" becomes the seeded Dwight again."""
    url, token = connection.course_server()
    with SCIMClient(ClientConfiguration(server_url=url, auth_token=token)) as client:
        made = client.create_user(User(userName="dschrute", active=False)).to_dict()["id"]
        group_id, user_ids = course_setup(reset=True)
        assert user_ids["Dwight Schrute"] == made
        assert_starting_state(client, group_id, user_ids)


# -- reset, one difference at a time -------------------------------------------------------------


def _snapshot(client: SCIMClient) -> tuple[dict[str, dict], dict[str, dict]]:
    """Users and groups by id; a user's read-only ``groups`` left out (it follows the groups)."""
    lookup = Tenant(client)
    users = {u["id"]: {k: v for k, v in u.items() if k != "groups"} for u in lookup.users()}
    return users, {g["id"]: g for g in lookup.groups()}


def _reset(seeded: Seeded) -> tuple[str, dict[str, str]]:
    return course_setup(seeded.tenant.token, server_url=seeded.tenant.url, reset=True)


def test_reset_puts_back_exactly_one_removed_membership(seeded: Seeded) -> None:
    """Creed out of the group: reset adds him back, and writes no user."""
    creed = seeded.user_ids["Creed Bratton"]
    seeded.client.update_group(
        id=seeded.group_id,
        ops=PatchOp(operations=[Operation("remove", f'members[value eq "{creed}"]')]),
    )
    users, _groups = _snapshot(seeded.client)
    assert _reset(seeded) == (seeded.group_id, seeded.user_ids)
    after, _ = _snapshot(seeded.client)
    # Creed's own record changes only where it shows his groups (meta.version follows them).
    assert {i for i in after if after[i] != users[i]} == {creed}
    assert {**after[creed], "meta": None} == {**users[creed], "meta": None}
    assert_starting_state(seeded.client, seeded.group_id, seeded.user_ids)


def test_reset_takes_out_exactly_one_extra_member(seeded: Seeded) -> None:
    """A stranger added to Dunder Mifflin leaves the group, and stays a user, untouched."""
    stranger = seeded.client.create_user(User(userName="stranger", active=True)).to_dict()
    seeded.client.update_group(
        id=seeded.group_id,
        ops=PatchOp(operations=[Operation("add", "members", [{"value": stranger["id"]}])]),
    )
    users, _groups = _snapshot(seeded.client)
    _reset(seeded)
    after, groups = _snapshot(seeded.client)
    # Nobody else is written; the stranger's record changes only where it shows its groups.
    assert {i for i in after if after[i] != users[i]} <= {stranger["id"]}
    assert {**after[stranger["id"]], "meta": None} == {**users[stranger["id"]], "meta": None}
    assert Tenant.member_ids(groups[seeded.group_id]) == set(seeded.user_ids.values())


def test_reset_deletes_exactly_one_extra_marked_user(seeded: Seeded) -> None:
    """One marked user the course made: deleted; the staff and the group are not written."""
    marked = seeded.client.create_user(
        User(userName="cminer", externalId=course_external_id("cminer"), active=True)
    ).to_dict()
    users, groups = _snapshot(seeded.client)
    _reset(seeded)
    after, groups_after = _snapshot(seeded.client)
    assert set(users) - set(after) == {marked["id"]}
    assert after == {i: u for i, u in users.items() if i != marked["id"]}
    assert groups_after == groups


def test_reset_deletes_exactly_one_extra_marked_group(seeded: Seeded) -> None:
    """One marked group the course made: deleted; nothing else is written."""
    made = seeded.client.create_group(
        Group(displayName="Finer Things Club", externalId=course_external_id("group:ftc"))
    ).to_dict()
    users, groups = _snapshot(seeded.client)
    _reset(seeded)
    after, groups_after = _snapshot(seeded.client)
    assert after == users
    assert set(groups_after) == {seeded.group_id}
    assert groups_after[seeded.group_id] == groups[seeded.group_id]
    assert made["id"] in groups


def test_reset_deletes_several_marked_users_and_groups(seeded: Seeded) -> None:
    """Two marked users and two marked groups: all go, in as few requests as the server allows."""
    for name in ("cminer", "hflax"):
        seeded.client.create_user(
            User(userName=name, externalId=course_external_id(name), active=True)
        )
    for name in ("Finer Things Club", "Party Planning"):
        seeded.client.create_group(
            Group(displayName=name, externalId=course_external_id(f"group:{name}"))
        )
    _reset(seeded)
    assert_starting_state(seeded.client, seeded.group_id, seeded.user_ids)


def test_reset_leaves_exactly_one_stranger_alone(seeded: Seeded) -> None:
    """An unmarked user and an unmarked group outside the sandbox: both exactly as they were."""
    stranger = seeded.client.create_user(User(userName="stranger", active=True)).to_dict()
    club = seeded.client.create_group(Group(displayName="Stranger Things")).to_dict()
    users, groups = _snapshot(seeded.client)
    _reset(seeded)
    after, groups_after = _snapshot(seeded.client)
    assert after == users and after[stranger["id"]] == stranger
    assert groups_after == groups and groups_after[club["id"]] == club


def test_reset_restores_exactly_the_group_name(seeded: Seeded) -> None:
    """A renamed group gets its name back; its members and every user stay as they were."""
    seeded.client.update_group(
        id=seeded.group_id,
        ops=PatchOp(operations=[Operation("replace", "displayName", "Dunder Mifflin Sabre")]),
    )
    users, _groups = _snapshot(seeded.client)
    _reset(seeded)
    after, groups = _snapshot(seeded.client)
    assert after == users
    assert groups[seeded.group_id]["displayName"] == "Dunder Mifflin"
    assert_starting_state(seeded.client, seeded.group_id, seeded.user_ids)


def test_reset_removes_exactly_one_added_attribute(seeded: Seeded) -> None:
    """A nickName given to Pam goes; no one else is written."""
    pam = seeded.user_ids["Pam Beesly"]
    seeded.client.update_user(
        id=pam, ops=PatchOp(operations=[Operation("add", "nickName", "Beesly")])
    )
    before, _ = _snapshot(seeded.client)
    _reset(seeded)
    after, _ = _snapshot(seeded.client)
    assert {i for i in after if after[i] != before[i]} == {pam}
    assert "nickName" not in after[pam]


def test_reset_restores_exactly_one_extension_attribute(seeded: Seeded) -> None:
    """An enterprise department changed on Oscar comes back; no one else is written."""
    oscar = seeded.user_ids["Oscar Martinez"]
    path = f"{ENTERPRISE_USER_SCHEMA}:department"
    seeded.client.update_user(
        id=oscar, ops=PatchOp(operations=[Operation("replace", path, "Audit")])
    )
    before, _ = _snapshot(seeded.client)
    _reset(seeded)
    after, _ = _snapshot(seeded.client)
    assert {i for i in after if after[i] != before[i]} == {oscar}
    wanted = staff_member("omartinez").body().get(ENTERPRISE_USER_SCHEMA, {})
    assert after[oscar].get(ENTERPRISE_USER_SCHEMA, {}).get("department") == wanted.get(
        "department"
    )


def test_reset_recreates_exactly_one_deleted_staff_member(seeded: Seeded) -> None:
    """Toby deleted: reset creates him again (a new id) and adds him; no one else is written."""
    toby = seeded.user_ids["Toby Flenderson"]
    seeded.client.delete_user(toby)
    before, _ = _snapshot(seeded.client)
    group_id, user_ids = _reset(seeded)
    after, _ = _snapshot(seeded.client)
    assert user_ids["Toby Flenderson"] != toby
    assert {i: u for i, u in after.items() if i != user_ids["Toby Flenderson"]} == before
    assert_starting_state(seeded.client, group_id, user_ids)


def test_reset_with_emails_differing_only_in_case_writes_nothing(seeded: Seeded) -> None:
    """An email in other capitals is the same address: reset leaves that user alone."""
    jim = seeded.user_ids["Jim Halpert"]
    email = staff_member("jhalpert").email.upper()
    seeded.client.update_user(
        id=jim,
        ops=PatchOp(
            operations=[
                Operation("replace", "emails", [{"value": email, "type": "work", "primary": True}])
            ]
        ),
    )
    before, _ = _snapshot(seeded.client)
    _reset(seeded)
    after, _ = _snapshot(seeded.client)
    assert after == before


def test_rfc7644_3_5_2_restore_operations_compare_emails_and_empty_values() -> None:
    """Emails compare by lower-cased value, type and primary; empty values count as absent."""
    body = staff_member("dschrute").body()
    upper = [{**e, "value": str(e["value"]).upper()} for e in body["emails"]]
    assert restore_operations({**body, "emails": upper}, body) == []
    not_primary = [{**e, "primary": False} for e in body["emails"]]
    ops = restore_operations({**body, "emails": not_primary}, body)
    assert [(o.op, o.path, o.value) for o in ops] == [("replace", "emails", body["emails"])]
    empty = {**body, "nickName": "", "phoneNumbers": [], "x509Certificates": None, "addresses": {}}
    assert restore_operations(empty, body) == []
    assert restore_operations({**body, "name": {**body["name"], "middleName": ""}}, body) == []
    extension = {**body, ENTERPRISE_USER_SCHEMA: {"department": "", "costCenter": "4130"}}
    ops = restore_operations(extension, body)
    assert [(o.op, o.path) for o in ops] == [("remove", f"{ENTERPRISE_USER_SCHEMA}:costCenter")]


def test_setup_on_a_shared_server_leaves_a_strange_group_alone(
    fresh_tenant: TenantLogin, client: SCIMClient
) -> None:
    """An unmarked "Dunder Mifflin" on a shared server: the error in full; the group untouched."""
    made = client.create_group(Group(displayName="Dunder Mifflin")).to_dict()
    for reset in (False, True):
        with pytest.raises(CourseSetupError) as raised:
            course_setup(fresh_tenant.token, server_url=fresh_tenant.url, reset=reset)
        assert str(raised.value) == (
            "This server already has a group 'Dunder Mifflin' that the course did not create "
            "(its externalId is not 'office-course:group:dunder-mifflin'), so the course leaves "
            "it untouched and cannot make its own. Use a tenant of your own, or ask whoever owns "
            "that group to rename it."
        )
    assert Tenant(client).groups() == [made]


def test_setup_on_a_shared_server_names_the_strange_user_in_full(
    fresh_tenant: TenantLogin, client: SCIMClient
) -> None:
    """A userName someone else has: the whole message, with the marker the course expected."""
    client.create_user(User(userName="dschrute", active=True))
    with pytest.raises(CourseSetupError) as raised:
        course_setup(fresh_tenant.token, server_url=fresh_tenant.url)
    assert str(raised.value) == (
        "This server already has a user 'dschrute' that the course did not create (its "
        "externalId is not 'office-course:dschrute'), so the course cannot add Dunder "
        "Mifflin's own and leaves that user untouched. Use a tenant of your own, or ask "
        "whoever owns it to rename or delete it."
    )


def test_staff_ids_name_the_missing_key(seeded: Seeded) -> None:
    """A name that is nobody's raises KeyError naming it."""
    with pytest.raises(KeyError) as raised:
        seeded.user_ids["Michael Scot"]
    assert raised.value.args == ("Michael Scot",)


def test_rfc7644_3_5_2_restore_operations_see_a_changed_email_type() -> None:
    """The same address with another type, or no type, is a different email: it is replaced."""
    body = staff_member("dschrute").body()
    for kind in ("home", None):
        stored = {**body, "emails": [{**e, "type": kind} for e in body["emails"]]}
        ops = restore_operations(stored, body)
        assert [(o.op, o.path) for o in ops] == [("replace", "emails")]


def test_rfc7644_3_5_2_restore_operations_go_past_an_empty_extra_attribute() -> None:
    """An empty attribute the course never sets is skipped, and the ones after it still go."""
    body = staff_member("dschrute").body()
    stored = {**body, "addresses": [], "nickName": "D", "profileUrl": ""}
    ops = restore_operations(stored, body)
    assert [(o.op, o.path) for o in ops] == [("remove", "nickName")]


def test_rfc7644_3_5_2_restore_operations_remove_a_core_complex_attribute_whole() -> None:
    """A complex core attribute the body lacks goes in one remove; only an extension schema's
    attributes are removed one by one (with the "urn:…:attribute" path of RFC 7644 §3.10)."""
    body = {"userName": "dschrute", "active": True}
    stored = {**body, "name": {"givenName": "Dwight", "familyName": "Schrute"}}
    ops = restore_operations(stored, body)
    assert [(o.op, o.path) for o in ops] == [("remove", "name")]


def test_reset_in_the_sandbox_adopts_an_unmarked_dunder_mifflin(embedded: Path) -> None:
    """In the sandbox, a hand-made "Dunder Mifflin" group becomes the course's group again."""
    url, token = connection.course_server()
    with SCIMClient(ClientConfiguration(server_url=url, auth_token=token)) as client:
        made = client.create_group(Group(displayName="Dunder Mifflin")).to_dict()["id"]
        group_id, user_ids = course_setup(reset=True)
        assert group_id == made
        assert_starting_state(client, group_id, user_ids)
