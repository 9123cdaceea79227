"""story_so_far and Roster: earlier chapters replayed on the server, safely, and groups by name."""

from __future__ import annotations

import pytest

from scim_helper.setup import course_setup
from scim_helper.story import Roster, story_so_far
from scim_helper.tenant import Tenant

from .conftest import Seeded

FOUNDERS = {"mscott", "pbeesly", "rhoward"}


def user_names(seeded: Seeded, group_id: str) -> set[str]:
    """The userNames of a group's members, read from the server."""
    ids = Tenant.member_ids(seeded.client.get_group(group_id).to_dict())
    return {name for name, user_id in _by_user_name(seeded).items() if user_id in ids}


def _by_user_name(seeded: Seeded) -> dict[str, str]:
    return {u["userName"]: u["id"] for u in Tenant(seeded.client).users()}


def active(seeded: Seeded, user_name: str) -> bool:
    user = Tenant(seeded.client).user(user_name)
    assert user is not None
    return bool(user["active"])


def test_early_chapters_replay_nothing(seeded: Seeded) -> None:
    """Chapters 1 to 3 start from course_setup: the server is left exactly as it was."""
    story = story_so_far(seeded.client, chapter=3)
    assert story.steps == () and story.michael_scott_paper_company_id is None
    assert story.dunder_mifflin_members == 15
    assert user_names(seeded, seeded.group_id) == set(_by_user_name(seeded))
    assert active(seeded, "mscott")
    assert "nothing to replay" in str(story)


def test_chapter_4_starts_after_michaels_last_day(seeded: Seeded) -> None:
    """Michael is inactive and out of Dunder Mifflin; nobody else moved, no group was made."""
    story = story_so_far(seeded.client, chapter=4)
    assert not active(seeded, "mscott")
    assert user_names(seeded, seeded.group_id) == set(_by_user_name(seeded)) - {"mscott"}
    assert [g["displayName"] for g in Tenant(seeded.client).groups()] == ["Dunder Mifflin"]
    assert story.dunder_mifflin_members == 14
    assert story.michael_scott_paper_company_id is None
    assert str(story).splitlines()[0] == "Before chapter 4:"


@pytest.mark.parametrize("chapter", [5, 8])
def test_later_chapters_start_with_the_paper_company(seeded: Seeded, chapter: int) -> None:
    """The Paper Company holds Michael, Pam and Ryan, who have all left Dunder Mifflin."""
    story = story_so_far(seeded.client, chapter=chapter)
    paper_company = Tenant(seeded.client).group("Michael Scott Paper Company")
    assert paper_company is not None
    assert story.michael_scott_paper_company_id == paper_company["id"]
    assert user_names(seeded, paper_company["id"]) == FOUNDERS
    assert user_names(seeded, seeded.group_id) == set(_by_user_name(seeded)) - FOUNDERS
    assert story.dunder_mifflin_members == 12
    assert not active(seeded, "mscott") and active(seeded, "pbeesly")


def test_story_so_far_twice_changes_nothing(seeded: Seeded) -> None:
    """A second call finds the steps done: same ids, no duplicate group, no noTarget error."""
    first = story_so_far(seeded.client, chapter=8)
    second = story_so_far(seeded.client, chapter=8)
    assert first == second
    groups = [g["displayName"] for g in Tenant(seeded.client).groups()]
    assert sorted(groups) == ["Dunder Mifflin", "Michael Scott Paper Company"]


def test_story_after_a_reset_starts_over(seeded: Seeded) -> None:
    """reset=True undoes the replay; replaying again gives a new Paper Company, same people."""
    first = story_so_far(seeded.client, chapter=5)
    course_setup(seeded.tenant.token, server_url=seeded.tenant.url, reset=True)
    assert Tenant(seeded.client).group("Michael Scott Paper Company") is None
    again = story_so_far(seeded.client, chapter=5)
    assert again.michael_scott_paper_company_id != first.michael_scott_paper_company_id
    assert again.dunder_mifflin_members == 12


def test_story_needs_course_setup(seeded: Seeded) -> None:
    """Without the staff, or for a chapter that does not exist, the error says what to do."""
    with pytest.raises(ValueError, match="chapters 1 to 8"):
        story_so_far(seeded.client, chapter=9)
    seeded.client.delete_group(seeded.group_id)
    with pytest.raises(LookupError, match=r"course_setup\(reset=True\)"):
        story_so_far(seeded.client, chapter=4)


def test_roster_makes_a_group_by_names_and_lists_it(seeded: Seeded) -> None:
    """make_group creates a group of the named staff; members_of lists them by name, sorted."""
    roster = Roster(seeded.client, seeded.user_ids)
    group_id = roster.make_group("Scranton Management", ["Michael Scott", "Dwight Schrute"])
    assert roster.members_of(group_id) == ["Dwight Schrute", "Michael Scott"]
    assert roster.members_of(seeded.group_id) == sorted(seeded.user_ids)


def test_roster_make_group_again_resets_its_members(seeded: Seeded) -> None:
    """Making the same group again (a cell run twice) keeps its id and sets its members anew."""
    roster = Roster(seeded.client, seeded.user_ids)
    group_id = roster.make_group("Practice", ["Pam Beesly"])
    again = roster.make_group("Practice", ["Jim Halpert", "Angela Martin"])
    assert again == group_id
    assert roster.members_of(group_id) == ["Angela Martin", "Jim Halpert"]
    assert [
        g["displayName"] for g in Tenant(seeded.client).groups('displayName eq "Practice"')
    ] == ["Practice"]


def test_members_outside_the_roster_show_their_id(seeded: Seeded) -> None:
    """Someone course_setup did not seed is listed by id rather than dropped."""
    roster = Roster(seeded.client, {"Pam Beesly": seeded.user_ids["Pam Beesly"]})
    names = roster.members_of(seeded.group_id)
    assert "Pam Beesly" in names and len(names) == 15
    assert seeded.user_ids["Jim Halpert"] in names


def test_story_never_adopts_a_paper_company_the_course_did_not_make(seeded: Seeded) -> None:
    """An unmarked group of that name is left alone, and the error says how to go on."""
    from sync_app.scim.group import Group

    made = seeded.client.create_group(Group(displayName="Michael Scott Paper Company")).to_dict()
    with pytest.raises(LookupError, match=r"did not create .* delete it") as raised:
        story_so_far(seeded.client, chapter=5)
    assert made["id"] in str(raised.value)
    assert seeded.client.get_group(made["id"]).to_dict() == made
