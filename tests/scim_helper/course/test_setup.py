"""course_setup: seeding, running it again, and reset=True, checked on the server's contents."""

from __future__ import annotations

import pytest

from scim_helper import connection
from scim_helper.directory import seed_directory
from scim_helper.setup import CourseSetupError, course_setup
from scim_helper.staff import staff
from scim_helper.tenant import Tenant as Lookup
from sync_app.client import SCIMClient
from sync_app.scim.group import Group
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import Email, Name, User
from tests.fixtures.local import Tenant

from .conftest import Seeded


def assert_starting_state(client: SCIMClient, group_id: str, user_ids: dict[str, str]) -> None:
    """The tenant holds exactly the fifteen, as seeded, and one group holding them all."""
    lookup = Lookup(client)
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
    assert Lookup.member_ids(groups[0]) == set(user_ids.values())


def test_setup_seeds_the_staff_and_their_group(fresh_tenant: Tenant, client: SCIMClient) -> None:
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
    assert michael not in Lookup.member_ids(group)


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


def _story_so_far(seeded: Seeded) -> None:
    """What the chapters do: Charles joins, Michael leaves, the Paper Company opens."""
    client, ids = seeded.client, seeded.user_ids
    charles = client.create_user(
        User(
            userName="cminer",
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
    paper = client.create_group(Group(displayName="Michael Scott Paper Company")).to_dict()["id"]
    members = [{"value": ids[n]} for n in ("Michael Scott", "Pam Beesly", "Ryan Howard")]
    client.update_group(id=paper, ops=PatchOp(operations=[Operation("add", "members", members)]))
    client.update_group(
        id=seeded.group_id,
        ops=PatchOp(operations=[Operation("replace", "displayName", "Dunder Mifflin Sabre")]),
    )


def test_reset_restores_the_starting_state(seeded: Seeded) -> None:
    """reset=True removes Charles and the Paper Company and restores Michael and the group."""
    _story_so_far(seeded)
    course_setup(seeded.tenant.token, server_url=seeded.tenant.url)  # a plain run changes nothing
    assert Lookup(seeded.client).user("cminer") is not None
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
    lookup = Lookup(seeded.client)
    assert len(lookup.users('externalId sw "office-course:directory:"')) == 30
    assert len(lookup.users()) == 45


def test_reset_on_a_shared_server_only_touches_its_own(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a server not the learner's own, reset restores the staff and deletes nothing else."""
    _story_so_far(seeded)
    monkeypatch.setattr(connection, "is_loopback", lambda url: False)
    group_id, user_ids = course_setup(seeded.tenant.token, server_url=seeded.tenant.url, reset=True)
    lookup = Lookup(seeded.client)
    assert lookup.user("cminer") is not None
    assert lookup.group("Michael Scott Paper Company") is not None
    michael = lookup.user("mscott")
    assert michael is not None and michael["active"] is True
    dunder_mifflin = seeded.client.get_group(group_id).to_dict()
    assert dunder_mifflin["displayName"] == "Dunder Mifflin"
    assert Lookup.member_ids(dunder_mifflin) == set(user_ids.values())


def test_setup_on_a_shared_server_leaves_strangers_alone(
    fresh_tenant: Tenant, client: SCIMClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A userName someone else already has on a shared server is an error that says what to do."""
    client.create_user(User(userName="dschrute", active=True))
    monkeypatch.setattr(connection, "is_loopback", lambda url: False)
    with pytest.raises(CourseSetupError, match="never changes other people's resources"):
        course_setup(fresh_tenant.token, server_url=fresh_tenant.url)
    assert [u["userName"] for u in Lookup(client).users()] == ["dschrute"]


def test_reset_on_the_own_server_adopts_an_unmarked_namesake(
    fresh_tenant: Tenant, client: SCIMClient
) -> None:
    """On the learner's own server, a hand-made "dschrute" becomes the seeded Dwight again."""
    made = client.create_user(User(userName="dschrute", active=False)).to_dict()["id"]
    group_id, user_ids = course_setup(fresh_tenant.token, server_url=fresh_tenant.url, reset=True)
    assert user_ids["Dwight Schrute"] == made
    assert_starting_state(client, group_id, user_ids)
